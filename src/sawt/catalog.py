"""The episodes on disk: slugs, paths and episode records."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from sawt.errors import InputError
from sawt.files import write_atomic

_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def make_slug(preferred: str | None, fallback_stem: str, title: str) -> str:
    """A safe ASCII file-name slug: from front matter, else the file name."""
    for candidate in (preferred, fallback_stem):
        if not candidate:
            continue
        text = unicodedata.normalize("NFKD", candidate).encode("ascii", "ignore").decode()
        slug = _UNSAFE.sub("-", text.lower()).strip("-_")[:80].strip("-_")
        if slug:
            return slug
    return "episode-" + hashlib.sha1(title.encode()).hexdigest()[:10]


def episode_paths(episodes: Path, slug: str) -> dict[str, Path]:
    """Where an episode's files live; refuses anything that would escape ``episodes``."""
    root = episodes.resolve()
    paths = {"mp3": root / f"{slug}.mp3", "record": root / f"{slug}.json"}
    for p in paths.values():
        if p.resolve().parent != root:
            raise InputError(f"slug '{slug}' would write outside {root}")
    return paths


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write an episode record as pretty UTF-8 JSON, atomically."""
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def read_record(path: Path) -> dict[str, Any]:
    """Read one episode record."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data

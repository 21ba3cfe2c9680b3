"""The episodes on disk: slugs, paths, episode records, and the catalog lock.

The records (``episodes/<slug>.json``) are the single source of truth; the
feed and every side file are derived from them (see ``sawt.publish``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sawt.errors import InputError
from sawt.files import write_atomic

try:  # POSIX only; elsewhere sawt runs without the cross-process lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

_UNSAFE = re.compile(r"[^a-z0-9_-]+")
# Slugs are [a-z0-9_-], so "<slug>.json" never collides with "<slug>.chapters.json".
_RECORD_NAME = re.compile(r"^[a-z0-9_-]+\.json$")
LOCK_NAME = ".lock"
SIDE_SUFFIXES = (".vtt", ".srt", ".chapters.json")
_REQUIRED = ("slug", "title", "duration_ms", "audio", "chapters", "timeline")
SOURCES_STATE = "sources.json"  # `sawt update`'s state, not an episode record


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
    paths = {
        "mp3": root / f"{slug}.mp3",
        "record": root / f"{slug}.json",
        "vtt": root / f"{slug}.vtt",
        "srt": root / f"{slug}.srt",
        "chapters": root / f"{slug}.chapters.json",
    }
    for p in paths.values():
        if p.resolve().parent != root:
            raise InputError(f"slug '{slug}' would write outside {root}")
    return paths


@contextlib.contextmanager
def catalog_lock(episodes: Path) -> Iterator[None]:
    """Hold the catalog's exclusive lock (``episodes/.lock``) across processes."""
    episodes.mkdir(parents=True, exist_ok=True)
    with open(episodes / LOCK_NAME, "a+b") as fh:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write an episode record as pretty UTF-8 JSON, atomically."""
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def read_record(path: Path) -> dict[str, Any]:
    """Read one episode record."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save_record(path: Path, record: dict[str, Any], *, locked: bool = False) -> dict[str, Any]:
    """Add or replace an episode record, keeping the GUID and first pub date it had.

    ``locked`` says the caller already holds the catalog lock (flock locks are
    per open file, so taking it again from the same process would deadlock).
    """
    with contextlib.nullcontext() if locked else catalog_lock(path.parent):
        previous: dict[str, Any] = {}
        if path.exists():
            with contextlib.suppress(OSError, ValueError):
                previous = read_record(path)
        merged = dict(record)
        # A podcast app treats a new GUID as a new episode: a re-render must not
        # re-announce it, nor move it to the top of the list.
        merged["guid"] = previous.get("guid") or f"urn:uuid:{uuid.uuid4()}"
        merged["pub_date"] = (
            previous.get("pub_date")
            or record.get("rendered_at")
            or datetime.now(timezone.utc).isoformat(timespec="seconds")
        )
        write_record(path, merged)
    return merged


@dataclass(frozen=True)
class Catalog:
    """The records found in ``episodes/``, newest first, and the files that failed to load."""

    records: list[dict[str, Any]]
    broken: list[tuple[Path, str]]


def scan(episodes: Path) -> Catalog:
    """Read every episode record in ``episodes`` (call under the lock to see a stable set)."""
    records: list[dict[str, Any]] = []
    broken: list[tuple[Path, str]] = []
    if not episodes.is_dir():
        return Catalog(records, broken)
    for path in sorted(episodes.iterdir()):
        if not _RECORD_NAME.match(path.name) or path.name == SOURCES_STATE:
            continue
        try:
            record = read_record(path)
        except (OSError, ValueError) as exc:
            broken.append((path, f"unreadable record: {exc}"))
            continue
        problem = record_problem(record, path)
        if problem:
            broken.append((path, problem))
        else:
            records.append(record)
    records.sort(key=lambda r: (str(r.get("pub_date") or ""), r["slug"]), reverse=True)
    return Catalog(records, broken)


def record_problem(record: object, path: Path) -> str | None:
    """Why a loaded record cannot be published (None if it can)."""
    if not isinstance(record, dict):
        return "record is not a JSON object"
    missing = [k for k in _REQUIRED if k not in record]
    if missing:
        return f"record lacks {', '.join(missing)}"
    if record["slug"] != path.stem:
        return f"record slug '{record['slug']}' does not match its file name"
    audio = record["audio"]
    if not isinstance(audio, dict) or not {"file", "bytes"} <= audio.keys():
        return "record lacks audio.file or audio.bytes"
    return None


def remove_episode(episodes: Path, slug: str) -> list[Path]:
    """Delete an episode's record, audio and side files; return what was removed."""
    paths = episode_paths(episodes, slug)
    removed: list[Path] = []
    with catalog_lock(episodes):
        # The record goes first: once it is gone the episode is out of the
        # catalog, even if a crash leaves some of its files behind.
        for key in ("record", "mp3", "vtt", "srt", "chapters"):
            with contextlib.suppress(FileNotFoundError):
                paths[key].unlink()
                removed.append(paths[key])
    if not removed:
        raise InputError(f"no episode '{slug}' in {episodes}", hint="see `sawt episodes`")
    return removed

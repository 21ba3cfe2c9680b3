"""The manifest: which derived files in episodes/ sawt wrote, so it never deletes anyone else's."""

from __future__ import annotations

import json
from pathlib import Path

from sawt.files import write_atomic_if_changed

MANIFEST_NAME = ".sawt-outputs.json"


def read_manifest(episodes: Path) -> set[str]:
    """The outputs sawt has written in ``episodes`` (paths relative to it)."""
    try:
        data = json.loads((episodes / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return set()
    return {f for f in files if isinstance(f, str) and _inside(f)}


def write_manifest(episodes: Path, files: set[str]) -> None:
    """Record which outputs sawt owns in ``episodes``."""
    text = json.dumps({"files": sorted(files)}, ensure_ascii=False, indent=1) + "\n"
    write_atomic_if_changed(episodes / MANIFEST_NAME, text)


def _inside(rel: str) -> bool:
    path = Path(rel)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)

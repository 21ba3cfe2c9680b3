"""Content-addressed cache of engine payloads: re-renders and resumes for free."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from sawt.files import write_atomic


@dataclass(frozen=True)
class CacheStats:
    """How much the cache holds."""

    path: Path
    entries: int
    bytes: int


class ClipCache:
    """Payloads keyed by engine identity and the exact spoken text.

    Writes are atomic (temp file + rename), so a crash, even SIGKILL, never
    leaves a half entry that a later render would reuse.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(identity: str, text: str) -> str:
        """The cache key of a piece: engine, version, voice settings and text."""
        return hashlib.sha256(f"{identity}\0{text}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.bin"

    def get(self, key: str) -> bytes | None:
        """The payload for ``key``, or None."""
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def put(self, key: str, payload: bytes) -> None:
        """Store a payload atomically."""
        write_atomic(self._path(key), payload)

    def discard(self, key: str) -> None:
        """Forget an entry (e.g. one that no longer decodes)."""
        self._path(key).unlink(missing_ok=True)

    def stats(self) -> CacheStats:
        """Entries and bytes in the cache."""
        files = list(self.root.glob("*/*.bin")) if self.root.exists() else []
        return CacheStats(self.root, len(files), sum(f.stat().st_size for f in files))

    def clear(self) -> CacheStats:
        """Remove every entry; returns what was removed."""
        before = self.stats()
        if self.root.exists():
            shutil.rmtree(self.root)
        return before

"""Content-addressed cache of engine payloads: re-renders and resumes for free."""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sawt.errors import InputError
from sawt.files import write_atomic

# The Cache Directory Tagging convention (bford.info/cachedir): backup tools
# skip the folder, and sawt uses it to prove a folder is its own cache.
MARKER = "CACHEDIR.TAG"
CACHEDIR_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
MARKER_TEXT = f"{CACHEDIR_SIGNATURE}\n# This file marks a clip cache made by sawt.\n"
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.bin")
_PART = re.compile(r"\.[0-9a-f]{64}\.bin\..*\.part")


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
        """Store a payload atomically (and mark the folder as sawt's cache)."""
        self._mark()
        write_atomic(self._path(key), payload)

    def discard(self, key: str) -> None:
        """Forget an entry (e.g. one that no longer decodes)."""
        self._path(key).unlink(missing_ok=True)

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [f for f in self.root.glob("*/*.bin") if _ENTRY.fullmatch(_rel(self.root, f))]

    def stats(self) -> CacheStats:
        """Entries and bytes in the cache."""
        files = self._entries()
        return CacheStats(self.root, len(files), sum(f.stat().st_size for f in files))

    def _mark(self) -> None:
        marker = self.root / MARKER
        if not marker.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomic(marker, MARKER_TEXT)

    def is_sawt_cache(self) -> bool:
        """Whether the folder proves it is sawt's cache: its marker, or only sawt's names."""
        if (self.root / MARKER).is_file():
            return (self.root / MARKER).read_text("utf-8", "replace").startswith(CACHEDIR_SIGNATURE)
        # A cache made by sawt 0.1.0 has no marker: every entry must be a shard of clips.
        entries = list(self.root.iterdir()) if self.root.is_dir() else []
        return (
            bool(entries)
            and all(e.is_dir() and not e.is_symlink() and _SHARD.fullmatch(e.name) for e in entries)
            and all(
                _ENTRY.fullmatch(_rel(self.root, f)) or _PART.fullmatch(f.name)
                for e in entries
                for f in e.iterdir()
            )
        )

    def clear(self) -> CacheStats:
        """Remove sawt's clip files, and nothing else; refuse a folder that is not a cache."""
        if not self.root.exists():
            return CacheStats(self.root, 0, 0)
        if not self.root.is_dir() or not self.is_sawt_cache():
            raise InputError(
                "not a sawt clip cache (no CACHEDIR.TAG written by sawt): refusing to clear it",
                path=self.root,
                hint="check cache_dir in podcast.yaml and SAWT_CACHE_DIR",
            )
        before = self.stats()
        for shard in self.root.iterdir():
            if not shard.is_dir() or shard.is_symlink() or not _SHARD.fullmatch(shard.name):
                continue
            for f in shard.iterdir():
                if _ENTRY.fullmatch(_rel(self.root, f)) or _PART.fullmatch(f.name):
                    f.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # not empty: something else lives there
                shard.rmdir()
        self._mark()
        return before


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()

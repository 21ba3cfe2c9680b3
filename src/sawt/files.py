"""Atomic file writes (a temp file in the same folder, then os.replace), and their litter.

Every temp file and folder sawt makes carries the PID of the process that made
it: ``.<name>.<host>-<pid>.<random>.part`` beside the target, ``sawt-<pid>-<random>``
in the temp dir. After a kill -9 the next run removes those of dead processes,
and only those: never another live render's, never anyone else's files.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staged(path: Path) -> Iterator[Path]:
    """Yield a hidden temp path beside ``path``; move it into place only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # host-pid, as sweep_parts reads it: after a kill -9 the next run removes it.
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{owner_tag()}.", suffix=".part", dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (and durably)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with staged(path) as tmp, open(tmp, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())


def write_atomic_if_changed(path: Path, data: bytes | str) -> bool:
    """Write atomically unless the file already holds exactly ``data``; True if written."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, raw)
    return True


_PART = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)\.[A-Za-z0-9_]+\.part$")
_OLD_PART = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.part$")  # sawt 0.1.0: no PID in the name
_TEMP_DIR = re.compile(r"^sawt-(?P<pid>\d+)-[A-Za-z0-9_]+$")
OLD_PART_AGE_S = 24 * 3600


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname())[:40] or "host"


def owner_tag() -> str:
    """Who makes a temp file: this machine and process (``host-pid``)."""
    return f"{_host()}-{os.getpid()}"


def alive(pid: int) -> bool:
    """Whether a process with this PID exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_parts(folder: Path) -> list[Path]:
    """Remove the ``.part`` files of dead sawt processes in ``folder``; return them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _PART.match(entry.name)
        # On a shared folder, another machine's PIDs mean nothing here: leave them.
        stale = m is not None and m["host"] == _host() and not alive(int(m["pid"]))
        if m is None and _OLD_PART.match(entry.name):
            with contextlib.suppress(OSError):
                stale = now - entry.stat(follow_symlinks=False).st_mtime > OLD_PART_AGE_S
        if stale and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def temp_dir() -> Iterator[Path]:
    """A private temp folder named for this process, removed on the way out."""
    with tempfile.TemporaryDirectory(prefix=f"sawt-{os.getpid()}-") as tmp:
        yield Path(tmp)


def sweep_temp_dirs(base: Path | None = None) -> list[Path]:
    """Remove the temp folders of dead sawt processes (``sawt-<pid>-*``); return them."""
    root = Path(base or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_DIR.match(entry.name)
        if m and entry.is_dir(follow_symlinks=False) and not alive(int(m["pid"])):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed

"""The bundled ffmpeg binary (imageio-ffmpeg), run with checked exit codes."""

from __future__ import annotations

import errno
import functools
import os
import re
import subprocess
import warnings
from collections.abc import Sequence
from typing import Any

from sawt.errors import AudioError


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:  # no binary for this platform
        raise AudioError(f"no ffmpeg binary available: {exc}") from exc


def run_ffmpeg(args: Sequence[str], *, input_bytes: bytes | None = None) -> str:
    """Run ffmpeg with ``args``; return its stderr log, raise AudioError on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    proc = subprocess.run(
        cmd,
        input=input_bytes,
        stdin=None if input_bytes is not None else subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    log = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        for number in _DISK_ERRORS:  # the disk, not the audio: say so, and where
            if os.strerror(number) in log:
                raise OSError(number, os.strerror(number), args[-1] if args else None)
        raise AudioError(f"ffmpeg failed (exit {proc.returncode}): {failure_reason(log)}")
    return log


# Failures of the file system that ffmpeg reports in its log (writing its output).
_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES)


_CONTEXT = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*")  # "[out#0/mp3 @ 0x5637…] "
_NOISE = re.compile(r"^(size=|video:|frame=|Conversion failed|Press \[q\])")
_CAUSE = re.compile(r"No space left|Read-only|Permission denied|No such file|Quota|I/O error")


def failure_reason(log: str) -> str:
    """The one line of an ffmpeg log that says why it failed (messages stay one line)."""
    lines = [_CONTEXT.sub("", line).strip() for line in log.splitlines()]
    lines = [line for line in lines if line and not _NOISE.match(line)]
    for wanted in (_CAUSE, re.compile("error|invalid|failed", re.IGNORECASE)):
        for line in lines:
            if wanted.search(line):
                return line
    return lines[-1] if lines else "no message"


def decode_to_pcm(data: bytes, sample_rate: int, fmt: str = "mp3") -> bytes:
    """Decode compressed audio bytes to mono s16le PCM at ``sample_rate``."""
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-f",
        fmt,
        "-i",
        "pipe:0",
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "pipe:1",
    ]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        raise AudioError(
            f"cannot decode {fmt} audio: {failure_reason(proc.stderr.decode(errors='replace'))}"
        )
    return proc.stdout


@functools.cache
def pydub() -> Any:
    """pydub's AudioSegment, pointed at the bundled ffmpeg (it warns if none is on PATH)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Couldn't find ff", category=RuntimeWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment

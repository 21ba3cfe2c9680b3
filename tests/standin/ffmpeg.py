"""The ffmpeg the stand-ins make their MP3 answers with."""

from __future__ import annotations

import functools
import subprocess

#: Output flags for raw, reproducible MP3 frames: no metadata, no Xing/LAME
#: header, no ID3 tag, and the same bytes on every run.
RAW_MP3 = (
    "-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1",
    "-write_xing", "0", "-id3v2_version", "0",
    "-f", "mp3", "pipe:1",
)  # fmt: skip


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg binary bundled in the imageio-ffmpeg wheel (a sawt dependency)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def encode_mp3(args: list[str], pcm: bytes | None = None, timeout: float = 60) -> bytes:
    """Run ffmpeg with input and codec ``args`` and :data:`RAW_MP3`; the MP3 on stdout.

    RuntimeError (with ffmpeg's last words) when it fails or writes nothing.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", *args, *RAW_MP3]
    proc = subprocess.run(cmd, input=pcm, capture_output=True, check=False, timeout=timeout)
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"ffmpeg failed: {proc.stderr.decode('utf-8', 'replace')[-500:]}")
    return proc.stdout

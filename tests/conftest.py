"""Shared fixtures: the sample article, a clean environment, audio measurements."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sawt.ffmpeg import ffmpeg_exe
from tests.fakeedge import FakeEdge
from tests.fakegoogle import FakeGoogle

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "000_f15fce85f70c3c01.txt"

PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def sawt_env() -> dict[str, str]:
    """The environment for a `python -m sawt` subprocess: this checkout's code, no proxies."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def run_sawt(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "sawt", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=sawt_env(),
        check=False,
        timeout=timeout,
    )


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never inherit a proxy they did not set."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests (and the sawt processes they start) never touch the user's clip cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAWT_CACHE_DIR", str(tmp_path_factory.mktemp("clip-cache")))
        yield


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGoogle]:
    """One Google stand-in per test module: it caches the audio it makes per text."""
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture(scope="module")
def edge_server() -> Iterator[FakeEdge]:
    """One Edge read-aloud stand-in per test module (it caches the speech it makes)."""
    with FakeEdge() as fake:
        yield fake


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample article."""
    dest = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, dest)
    return dest


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder as cwd (episodes/ lands here)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _ffmpeg_read(path: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    """Read ``path`` with ffmpeg into output format ``fmt`` on stdout (text, lenient)."""
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-f", fmt, "-"],
        capture_output=True,
        text=True,
        errors="replace",  # ffmpeg cuts long UTF-8 tag values mid-character in its log
        check=True,
    )


def decoded_duration_s(path: Path) -> float:
    """Duration of an audio file, found by decoding all of it with ffmpeg."""
    proc = _ffmpeg_read(path, "null")
    times = re.findall(r"time=(\d+):(\d+):([\d.]+)", proc.stderr)
    h, m, s = times[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    """Chapters as ffmpeg lists them (file order): (start s, end s, title)."""
    proc = _ffmpeg_read(path, "ffmetadata")
    chapters = []
    for block in proc.stdout.split("[CHAPTER]")[1:]:
        tb = re.search(r"TIMEBASE=(\d+)/(\d+)", block)
        start = re.search(r"START=(-?\d+)", block)
        end = re.search(r"END=(-?\d+)", block)
        title = re.search(r"title=(.*)", block)
        assert tb and start and end
        scale = int(tb.group(1)) / int(tb.group(2))
        chapters.append(
            (
                int(start.group(1)) * scale,
                int(end.group(1)) * scale,
                title.group(1) if title else "",
            )
        )
    return chapters


def ffmpeg_pcm(path: Path, rate: int = 44100) -> bytes:
    """The decoded audio of ``path`` as mono 16-bit PCM (compare audio, not tagged bytes)."""
    args = ["-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a"]
    args += ["-f", "s16le", "-ac", "1", "-ar", str(rate), "pipe:1"]
    return subprocess.run([ffmpeg_exe(), *args], capture_output=True, check=True).stdout

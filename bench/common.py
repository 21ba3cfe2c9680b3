"""Helpers shared by the benchmarks: run a command cold, time it, read its peak memory."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "000_f15fce85f70c3c01.txt"


@dataclass
class Run:
    """One measured command."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` in a fresh process; wall time and the peak RSS of its process tree.

    Each benchmark runs in its own interpreter, so ru_maxrss of the children is
    the peak of this command alone (the largest process: Python or ffmpeg).
    """
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Run(wall, peak_kb / 1024, proc.returncode, proc.stdout, proc.stderr)


def sawt_cmd(*args: str) -> list[str]:
    """The sawt command as a user runs it, from this interpreter."""
    return [sys.executable, "-m", "sawt", *args]


def machine() -> str:
    """A one-line description of the machine."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def episode_duration_s(episodes: Path, slug: str) -> float:
    """Duration recorded in an episode record."""
    record = json.loads((episodes / f"{slug}.json").read_text("utf-8"))
    return float(record["duration_ms"]) / 1000

"""Helpers shared by the benchmarks: run a command cold, time it, read its peak memory.

Every sawt command runs with ``PYTHONPATH=<this checkout>/src`` (see
:func:`sawt_env`), so what is measured is this checkout's code even when
another copy of sawt is pip-installed.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
SAMPLE = ROOT / "examples" / "000_f15fce85f70c3c01.txt"


@dataclass
class Run:
    """One measured command."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu_s: float = 0.0  # user + system time of the command's whole process tree


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` in a fresh process; wall time and the peak RSS of its process tree.

    The peak comes from wait4 on this one child (the largest process of its
    tree), not from RUSAGE_CHILDREN, which keeps the maximum over every child
    this benchmark ever ran.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, usage.ru_maxrss / 1024, proc.returncode, stdout, stderr, cpu)


def system_busy_s() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat).

    The difference across a measurement, minus the command's own CPU time, is
    what other work on the machine took from it.
    """
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def sawt_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a sawt subprocess: this checkout's code first on the path."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


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

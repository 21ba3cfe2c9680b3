"""Run a command and print its peak memory on the last line.

Used by the benchmarks so each measurement starts from a fresh process and the
number covers only that command. The last line is the peak RSS (MB) of the
largest process in the command's tree (exact, from the kernel); with
``--json`` it is a JSON object that adds the peak of the whole tree's summed
RSS (sampled every 100 ms, so short spikes may be missed), the wall time and
the CPU time of the tree:

    python bench/peak.py [--json] COMMAND ARGS...

The tree sum matters because a render runs ffmpeg beside Python: the
loudness meter during synthesis, the encoder afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

INTERVAL_S = 0.1  # one /proc scan costs ~1 ms; often enough for peaks lasting seconds
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _tree_rss_mb(root: int) -> float:
    """Summed RSS of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name may hold spaces and parentheses: split after the last ')'.
        # Then fields[1] is the parent pid and fields[21] the RSS in pages.
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(p, 0) for p in tree) * PAGE_MB


class TreeSampler(threading.Thread):
    """Samples a process tree's summed RSS until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until ``done`` is set."""
        while not self.done.wait(INTERVAL_S):
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(self.pid))


def _busy_s() -> float:
    """CPU seconds used by every process on the machine so far (/proc/stat)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(cmd: list[str]) -> tuple[int, dict[str, float]]:
    """Run ``cmd`` (inheriting stdio); its exit code and peak memory and wall time."""
    busy = _busy_s()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    # wait4 gives this child's own rusage: ru_maxrss is the largest process in
    # its tree (the kernel folds in every descendant it waited for).
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss / 1024
    return proc.returncode, {
        "peak_rss_mb": round(largest, 1),
        "tree_rss_mb": round(max(sampler.peak_mb, largest), 1),
        "wall_s": round(wall, 3),
        # CPU of the whole tree (user + system): cpu_s / wall_s is how many cores it kept busy.
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        # What the rest of the machine used meanwhile (this sampler included, ~1%).
        "others_cpu_s": round(max(0.0, _busy_s() - busy - usage.ru_utime - usage.ru_stime), 2),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    as_json = bool(args) and args[0] == "--json"
    code, peak = measure(args[1:] if as_json else args)
    sys.stdout.flush()
    print(json.dumps(peak) if as_json else f"{peak['peak_rss_mb']:.1f}")
    sys.exit(code)

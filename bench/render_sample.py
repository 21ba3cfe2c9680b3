"""Benchmark: render the sample article offline, cold, in a fresh process.

Reports wall time of the whole command, audio duration, their ratio (how many
times faster than real time) and peak memory. Target (issue 2): ratio >= 40.

    python bench/render_sample.py [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SAMPLE, episode_duration_s, machine, run_measured, sawt_cmd, sawt_env


def main() -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", default="espeak")
    args = parser.parse_args()
    rows = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            shutil.copy(SAMPLE, work / SAMPLE.name)
            # A separate process per run: "runs" are each a cold command.
            script = [*sawt_cmd("render", SAMPLE.name, "--engine", args.engine)]
            run = run_measured(
                [sys.executable, str(Path(__file__).parent / "peak.py"), *script],
                work,
                sawt_env(SAWT_CACHE_DIR=str(work / "cache")),
            )
            if run.returncode != 0:
                print(run.stderr, file=sys.stderr)
                return 1
            peak = float(run.stdout.strip().splitlines()[-1])
            audio = episode_duration_s(work / "episodes", SAMPLE.stem)
            rows.append((run.wall_s, audio, audio / run.wall_s, peak))
    print(f"machine: {machine()}")
    print("| run | wall s | audio s | audio/wall | peak RSS MB |")
    print("|---|---|---|---|---|")
    for i, (wall, audio, ratio, peak) in enumerate(rows, 1):
        print(f"| {i} | {wall:.2f} | {audio:.1f} | {ratio:.0f}× | {peak:.0f} |")
    med = statistics.median(r[2] for r in rows)
    print(f"\nmedian audio/wall: {med:.0f}× (target ≥ 40×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

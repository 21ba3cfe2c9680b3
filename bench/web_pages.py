"""Benchmark: what the web edition adds to a render of the sample (issue 10: at most 5 %).

The web edition is a set of registered outputs, built by ``publish`` with the
captions and the feed. This renders the sample (espeak, ``--force``) in fresh
processes, alternating runs with the web edition's outputs on and off (a
plug-in-free way to switch them off: ``SAWT_BENCH_NO_WEB=1`` unregisters them in
a ``sitecustomize`` of this benchmark), and compares the medians of the same run.
It also reports the page weight without the audio (target: at most 100 KB).

    python bench/web_pages.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SAMPLE, machine, run_measured, sawt_cmd, sawt_env

WEB_OUTPUTS = ("page", "chapters-vtt", "transcript", "index", "stylesheet", "script")
SITECUSTOMIZE = f"""
import os
if os.environ.get("SAWT_BENCH_NO_WEB"):
    from sawt.publishing import outputs
    for name in {WEB_OUTPUTS!r}:
        outputs.unregister(name)
"""


def main() -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(SAMPLE, work / SAMPLE.name)
        hook = work / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, "utf-8")
        base = sawt_env(SAWT_CACHE_DIR=str(work / "cache"))
        base["PYTHONPATH"] = f"{hook}:{base.get('PYTHONPATH', '')}"
        cmd = sawt_cmd("render", SAMPLE.name, "--engine", "espeak", "--force")
        walls: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(args.runs):
            for mode in ("without", "with"):
                env = dict(base)
                if mode == "without":
                    env["SAWT_BENCH_NO_WEB"] = "1"
                run = run_measured(cmd, work, env)
                if run.returncode != 0:
                    print(run.stderr, file=sys.stderr)
                    return 1
                walls[mode].append(run.wall_s)
        episodes = work / "episodes"
        page = episodes / f"{SAMPLE.stem}.html"
        weight = page.stat().st_size + sum(
            (episodes / name).stat().st_size for name in ("sawt-web.css", "sawt-web.js")
        )
    with_web, without = statistics.median(walls["with"]), statistics.median(walls["without"])
    print(f"machine: {machine()}")
    print("| render of the sample | median wall s | runs |")
    print("|---|---|---|")
    for mode, median in (("without", without), ("with", with_web)):
        runs = ", ".join(f"{w:.2f}" for w in walls[mode])
        print(f"| {mode} the web edition | {median:.2f} | {runs} |")
    print(f"\nthe web edition adds {with_web / without - 1:+.1%} (target ≤ 5 %)")
    print(f"page weight without audio (HTML + CSS + JS): {weight} bytes (target ≤ 100 KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: what the web edition adds to a render of the sample (issue 10: at most 5 %).

Renders the sample once (espeak, cold process), then, in fresh processes, times
building its web edition from the record, in a process that has loaded what a
render loads: the imports the web edition adds (Jinja2), the templates' first
compile, the episode page, the chapters VTT, the
text transcript, the index and the shared assets. Also reports the page weight
without the audio (target: at most 100 KB).

    python bench/web_pages.py [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SAMPLE, machine, run_measured, sawt_cmd, sawt_env

BUILD = """
import json, sys, time
from pathlib import Path
import sawt.pipeline  # loaded already in a render: what the web edition adds starts here
t0 = time.perf_counter()
from sawt.web import (PageShow, build_episode_page, build_index_page, chapters_vtt,
                      episode_from_record, transcript_txt, write_assets)
t1 = time.perf_counter()
episodes = Path(sys.argv[1])
record = json.loads((episodes / (sys.argv[2] + ".json")).read_text("utf-8"))
show = PageShow("صوت", "مقالات", "http://localhost:8000/feed.xml", "http://localhost:8000/")
ep = episode_from_record(record)
(episodes / ep.files.page).write_text(build_episode_page(show, ep), "utf-8")
(episodes / ep.files.chapters_vtt).write_text(chapters_vtt(ep.chapters), "utf-8")
(episodes / ep.files.transcript_txt).write_text(transcript_txt(ep), "utf-8")
(episodes / "index.html").write_text(build_index_page(show, [ep]), "utf-8")
write_assets(episodes)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def main() -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(SAMPLE, work / SAMPLE.name)
        env = sawt_env(SAWT_CACHE_DIR=str(work / "cache"))
        render = run_measured([*sawt_cmd("render", SAMPLE.name, "--engine", "espeak")], work, env)
        if render.returncode != 0:
            print(render.stderr, file=sys.stderr)
            return 1
        episodes = work / "episodes"
        rows = []
        for _ in range(args.runs):
            proc = subprocess.run(
                [sys.executable, "-c", BUILD, str(episodes), SAMPLE.stem],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            imports, build = (float(x) for x in proc.stdout.split())
            rows.append((imports, build))
        page = episodes / f"{SAMPLE.stem}.html"
        weight = page.stat().st_size + sum(
            (episodes / name).stat().st_size for name in ("sawt-web.css", "sawt-web.js")
        )
    print(f"machine: {machine()}")
    print(f"render of the sample (cold command): {render.wall_s:.2f} s")
    print("| run | imports s | build s | total s | share of render |")
    print("|---|---|---|---|---|")
    for i, (imports, build) in enumerate(rows, 1):
        total = imports + build
        print(f"| {i} | {imports:.3f} | {build:.3f} | {total:.3f} | {total / render.wall_s:.1%} |")
    med = statistics.median(a + b for a, b in rows)
    share = med / render.wall_s
    print(f"\nmedian web edition: {med:.3f} s = {share:.1%} of the render (target ≤ 5 %)")
    print(f"page weight without audio (HTML + CSS + JS): {weight} bytes (target ≤ 100 KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`sawt update` of 30 new articles vs 30 × `sawt render URL`, and the cost of an idle pass.

    PYTHONPATH=src python bench/update.py [--articles 30] [--idle-runs 5]

A local news site (tests/fakesite) on 127.0.0.1 serves a feed of N articles.
Both sides use the offline engine (espeak) and a fresh clip cache, each in a
fresh folder; every command runs cold in its own process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import machine, run_measured, sawt_cmd, sawt_env  # noqa: E402

from tests.fakesite import FakeSite  # noqa: E402


def _config(folder: Path, site: FakeSite) -> None:
    (folder / "podcast.yaml").write_text(
        f"engine: espeak\nallow_private_addresses: true\nsources:\n  - feed: {site.feed_url}\n",
        "utf-8",
    )


def main() -> int:
    """Run the benchmark and print a Markdown report plus JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--idle-runs", type=int, default=5)
    args = parser.parse_args()
    with FakeSite(articles=args.articles) as site, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        batch, single = root / "batch", root / "single"
        for folder in (batch, single):
            folder.mkdir()
            _config(folder, site)

        env = sawt_env(SAWT_CACHE_DIR=str(root / "cache-batch"))
        mark = site.mark()
        update = run_measured(sawt_cmd("update"), batch, env)
        assert update.returncode == 0, update.stderr
        update_requests = len(site.requests_since(mark))

        idle: list[tuple[float, int, int]] = []
        for _ in range(args.idle_runs):
            mark = site.mark()
            run = run_measured(sawt_cmd("update"), batch, env)
            assert run.returncode == 0 and "0 new" in run.stdout, run.stdout + run.stderr
            log = site.requests_since(mark)
            idle.append((run.wall_s, len(log), sum(1 for r in log if r.conditional)))

        env = sawt_env(SAWT_CACHE_DIR=str(root / "cache-single"))
        urls = [site.article_url(slug) for slug in site.articles]
        started = time.perf_counter()
        for url in urls:
            run = run_measured(sawt_cmd("render", url), single, env)
            assert run.returncode == 0, run.stderr
        one_by_one = time.perf_counter() - started

        mp3s = {p.name for p in (batch / "episodes").glob("*.mp3")}
        assert mp3s == {p.name for p in (single / "episodes").glob("*.mp3")}
        assert len(mp3s) == args.articles

    walls = [w for w, _, _ in idle]
    result = {
        "machine": machine(),
        "articles": args.articles,
        "update_wall_s": round(update.wall_s, 2),
        "update_requests": update_requests,
        "render_url_one_by_one_wall_s": round(one_by_one, 2),
        "ratio": round(one_by_one / update.wall_s, 2),
        "idle_wall_s": [round(w, 3) for w in walls],
        "idle_median_s": round(statistics.median(walls), 3),
        "idle_requests": [n for _, n, _ in idle],
        "idle_conditional": [c for _, _, c in idle],
    }
    print(f"Machine: {result['machine']}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print()
    print("| what | wall s | requests |")
    print("|---|---|---|")
    print(
        f"| `sawt update`, {args.articles} new articles | {result['update_wall_s']} "
        f"| {update_requests} |"
    )
    print(f"| {args.articles} × `sawt render URL` | {result['render_url_one_by_one_wall_s']} | — |")
    print(
        f"| idle `sawt update` (median of {args.idle_runs}) | {result['idle_median_s']} "
        f"| {result['idle_requests'][0]} ({result['idle_conditional'][0]} conditional) |"
    )
    print()
    print(f"Batch vs one by one: {result['ratio']}×")
    print()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How the de-duplicator's time grows with the number of paragraphs (issue 13).

Builds articles of 2,000, 4,000 and 8,000 distinct Arabic-like paragraphs
(``bench/inputs.py``'s generator, fixed seed), with one repeat in every ten
(exact copies, truncated copies and fuller later versions, like scraped pages),
times ``sawt.read.clean.dedupe`` on each (wall and CPU time, best of the runs:
CPU time is steadier on a busy machine), and prints the growth ratio per
doubling: about 2 is linear, about 4 is quadratic. ``compared`` is the work
counter the tests read (candidate paragraph pairs).

    python bench/dedupe.py [--sizes 2000 4000 8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from inputs import paragraphs_with_repeats

from sawt.read.clean import dedupe
from sawt.read.document import Article, Block

SEED = 13  # issue 13


def article(texts: list[str]) -> Article:
    """An article of one paragraph block per text."""
    blocks = tuple(Block("paragraph", t, i + 1) for i, t in enumerate(texts))
    return Article(path=Path("bench.txt"), title="bench", blocks=blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| paragraphs | wall s | CPU s | kept | dropped | replaced | compared | CPU growth |")
    print("|---|---|---|---|---|---|---|---|")
    previous: tuple[int, float] | None = None
    for size in args.sizes:
        art = article(paragraphs_with_repeats(size, SEED))
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            cleaned, report = dedupe(art)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        best = min(cpus)
        growth = ""
        if previous is not None:
            growth = f"{best / previous[1]:.2f}× for {size / previous[0]:.0f}× paragraphs"
        print(
            f"| {size:,} | {min(walls):.3f} | {best:.3f} | {len(cleaned.blocks):,} "
            f"| {len(report.dropped):,} | {len(report.replaced):,} | {report.compared:,} "
            f"| {growth} |"
        )
        previous = (size, best)


if __name__ == "__main__":
    main()

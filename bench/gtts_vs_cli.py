"""Benchmark: sawt's gTTS render of the sample vs gtts-cli, through the Google stand-in.

The stand-in (tests/fakegoogle) adds --latency-ms to every request, like a
real round trip to Google. Both clients get the same input file, the sample
(`gtts-cli -f sample.txt`), which is what a user would run. As a stricter
comparison, gtts-cli also reads the sample as sawt speaks it (title, source,
de-duplicated body), so that only concurrency and overhead differ. sawt also
produces the full tagged, normalised episode; gtts-cli writes a bare MP3.
Target (issue 3): sawt at least 4x faster on the same input.

    python bench/gtts_vs_cli.py [--latency-ms 150] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import SAMPLE, machine, run_measured, sawt_cmd  # noqa: E402

from sawt.article import read_article  # noqa: E402
from sawt.clean import dedupe  # noqa: E402
from tests.fakegoogle import FakeGoogle  # noqa: E402


def spoken_text() -> str:
    """The sample as sawt reads it, as one text for gtts-cli."""
    article, _ = dedupe(read_article(SAMPLE))
    parts = [article.title, article.author or "", *(b.text for b in article.blocks)]
    return "\n\n".join(p for p in parts if p)


def main() -> int:
    """Run both clients ``--runs`` times and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="gtts.concurrency for sawt (default: sawt's own default, 4)",
    )
    args = parser.parse_args()
    cli = shutil.which("gtts-cli")
    if cli is None:
        print("gtts-cli not found (pip install gTTS)", file=sys.stderr)
        return 1
    rows: dict[str, list[tuple[float, int]]] = {"sawt": [], "gtts-cli": [], "gtts-cli-clean": []}
    with FakeGoogle(latency_ms=args.latency_ms) as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(SAMPLE, work / SAMPLE.name)
        (work / "text.txt").write_text(spoken_text(), "utf-8")
        if args.concurrency:
            (work / "podcast.yaml").write_text(
                f"engine: gtts\ngtts:\n  concurrency: {args.concurrency}\n", "utf-8"
            )
        # Run 0 warms the stand-in's per-text audio cache: what is measured is
        # the clients plus the simulated latency, not the stand-in making audio.
        for run in range(args.runs + 1):
            env = fake.subprocess_env()
            env["SAWT_CACHE_DIR"] = str(work / f"cache-{run}")  # cold: nothing cached
            for name, cmd in (
                ("sawt", sawt_cmd("render", SAMPLE.name, "--engine", "gtts", "--force")),
                ("gtts-cli", [cli, "-l", "ar", "-f", SAMPLE.name, "-o", "cli.mp3"]),
                ("gtts-cli-clean", [cli, "-l", "ar", "-f", "text.txt", "-o", "cli2.mp3"]),
            ):
                fake.reset_counts()
                result = run_measured(cmd, work, env)
                if result.returncode != 0:
                    print(result.stderr, file=sys.stderr)
                    return 1
                if run > 0:
                    rows[name].append((result.wall_s, fake.request_count))
    print(
        f"machine: {machine()}; stand-in latency {args.latency_ms:.0f} ms per request; "
        f"sawt gtts.concurrency {args.concurrency or 'default (4)'}"
    )
    print(f"| client | wall s (median of {args.runs}) | requests | output |")
    print("|---|---|---|---|")
    med = {k: statistics.median(w for w, _ in v) for k, v in rows.items()}
    print(
        f"| sawt render --engine gtts | {med['sawt']:.2f} | {rows['sawt'][0][1]} "
        "| tagged, normalised MP3 + chapters + record |"
    )
    print(
        f"| gtts-cli -l ar -f sample.txt | {med['gtts-cli']:.2f} | {rows['gtts-cli'][0][1]} "
        "| bare MP3 (reads the repeated body twice) |"
    )
    print(
        f"| gtts-cli -l ar -f cleaned.txt | {med['gtts-cli-clean']:.2f} "
        f"| {rows['gtts-cli-clean'][0][1]} | bare MP3 of the text sawt speaks |"
    )
    print(
        f"\nsame input: sawt is {med['gtts-cli'] / med['sawt']:.1f}x faster (target >= 4x); "
        f"same spoken text: {med['gtts-cli-clean'] / med['sawt']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

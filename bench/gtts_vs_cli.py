"""Benchmark: sawt's gTTS render of the sample vs gtts-cli, through the Google stand-in.

The stand-in (tests/fakegoogle) adds --latency-ms to every request, like a
real round trip to Google. Both clients get the same input file, the sample
(`gtts-cli -f sample.txt`), which is what a user would run. As a stricter
comparison, gtts-cli also reads the sample as sawt speaks it (title, source,
de-duplicated body), so that only concurrency and overhead differ. sawt also
produces the full tagged, normalised episode; gtts-cli writes a bare MP3.
Target (issue 3): sawt at least 4x faster on the same input.

    python bench/gtts_vs_cli.py [--latency-ms 150] [--runs 3]

bench/suite.py calls :func:`compare` for its gTTS part.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))  # this checkout's sawt, as in the subprocesses
from common import SAMPLE, machine, run_measured, sawt_cmd, sawt_env  # noqa: E402

from sawt.read.article import read_article  # noqa: E402
from sawt.read.clean import dedupe  # noqa: E402
from tests.fakegoogle import FakeGoogle  # noqa: E402


@dataclass(frozen=True)
class Client:
    """One client's median wall time and the requests one run made."""

    wall_s: float
    requests: int


@dataclass(frozen=True)
class Comparison:
    """sawt vs gtts-cli, measured in the same run against the same stand-in."""

    sawt: Client
    cli: Client  # gtts-cli on the same input file
    cli_clean: Client  # gtts-cli on the text sawt speaks (de-duplicated)
    latency_ms: float
    runs: int
    concurrency: int | None

    @property
    def speedup(self) -> float:
        """How many times faster sawt finished than gtts-cli on the same input."""
        return self.cli.wall_s / self.sawt.wall_s

    @property
    def speedup_clean(self) -> float:
        """The same against gtts-cli given only the text sawt speaks."""
        return self.cli_clean.wall_s / self.sawt.wall_s


def spoken_text(sample: Path = SAMPLE) -> str:
    """The sample as sawt reads it, as one text for gtts-cli."""
    article, _ = dedupe(read_article(sample))
    parts = [article.title, article.author or "", *(b.text for b in article.blocks)]
    return "\n\n".join(p for p in parts if p)


def compare(latency_ms: float = 150, runs: int = 3, concurrency: int | None = None) -> Comparison:
    """Render the sample with both clients ``runs`` times each, cold; raise if one fails."""
    cli = shutil.which("gtts-cli")
    if cli is None:
        raise RuntimeError("gtts-cli not found (pip install gTTS)")
    rows: dict[str, list[tuple[float, int]]] = {"sawt": [], "gtts-cli": [], "gtts-cli-clean": []}
    with FakeGoogle(latency_ms=latency_ms) as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(SAMPLE, work / SAMPLE.name)
        (work / "text.txt").write_text(spoken_text(), "utf-8")
        if concurrency:
            (work / "podcast.yaml").write_text(
                f"engine: gtts\ngtts:\n  concurrency: {concurrency}\n", "utf-8"
            )
        # Run 0 warms the stand-in's per-text audio cache: what is measured is
        # the clients plus the simulated latency, not the stand-in making audio.
        for run in range(runs + 1):
            # cold: nothing cached from an earlier run
            env = sawt_env(fake.subprocess_env(), SAWT_CACHE_DIR=str(work / f"cache-{run}"))
            for name, cmd in (
                ("sawt", sawt_cmd("render", SAMPLE.name, "--engine", "gtts", "--force")),
                ("gtts-cli", [cli, "-l", "ar", "-f", SAMPLE.name, "-o", "cli.mp3"]),
                ("gtts-cli-clean", [cli, "-l", "ar", "-f", "text.txt", "-o", "cli2.mp3"]),
            ):
                fake.reset_counts()
                result = run_measured(cmd, work, env)
                if result.returncode != 0:
                    raise RuntimeError(f"{name} failed:\n{result.stderr}")
                if run > 0:
                    rows[name].append((result.wall_s, fake.request_count))
    sawt, gtts, gtts_clean = (
        Client(statistics.median(w for w, _ in rows[k]), rows[k][0][1])
        for k in ("sawt", "gtts-cli", "gtts-cli-clean")
    )
    return Comparison(sawt, gtts, gtts_clean, latency_ms, runs, concurrency)


def table(c: Comparison) -> list[str]:
    """The comparison as Markdown lines."""
    return [
        f"| client | wall s (median of {c.runs}) | requests | output |",
        "|---|---|---|---|",
        f"| sawt render --engine gtts | {c.sawt.wall_s:.2f} | {c.sawt.requests} "
        "| tagged, normalised MP3 + chapters + record |",
        f"| gtts-cli -l ar -f sample.txt | {c.cli.wall_s:.2f} | {c.cli.requests} "
        "| bare MP3 (reads the repeated body twice) |",
        f"| gtts-cli -l ar -f cleaned.txt | {c.cli_clean.wall_s:.2f} | {c.cli_clean.requests} "
        "| bare MP3 of the text sawt speaks |",
    ]


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
    try:
        result = compare(args.latency_ms, args.runs, args.concurrency)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"machine: {machine()}; stand-in latency {args.latency_ms:.0f} ms per request; "
        f"sawt gtts.concurrency {args.concurrency or 'default (4)'}"
    )
    print("\n".join(table(result)))
    print(
        f"\nsame input: sawt is {result.speedup:.1f}x faster (target >= 4x); "
        f"same spoken text: {result.speedup_clean:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark suite of issue 6: renders, memory, the gTTS comparison, batch vs one by one.

Every command runs cold in a fresh process, with this checkout's code
(``PYTHONPATH=<checkout>/src``). Inputs are generated (bench/inputs.py), so
the suite needs no network and no copyrighted text. Targets are checked as
ratios measured in the same run. The Markdown report is printed and written
to bench/results/latest.md.

    python bench/suite.py              # everything (about 10 minutes on 2 cores)
    python bench/suite.py --quick      # smoke run: no 150k input, batch of 6
    python bench/suite.py --only batch # one part: renders, gtts or batch
    python bench/suite.py --keep DIR   # keep the inputs (and outputs) in DIR
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import ROOT, run_measured, sawt_cmd, sawt_env, system_busy_s  # noqa: E402
from gtts_vs_cli import Comparison, compare, table  # noqa: E402
from inputs import Inputs, write_inputs  # noqa: E402

PARTS = ("renders", "gtts", "batch")
RESULTS = HERE / "results" / "latest.md"
STAGES = ("script", "synthesis", "encode", "tags")


@dataclass
class Render:
    """One input rendered cold: what the command cost and what the record says."""

    name: str
    chars: int
    wall_s: float
    audio_s: float
    peak_rss_mb: float  # largest single process (kernel's exact peak)
    tree_rss_mb: float  # Python plus its ffmpeg children at once (sampled)
    stages: dict[str, float]
    feed_s: float
    pieces: int
    chapters: int

    @property
    def ratio(self) -> float:
        """Audio seconds per wall second."""
        return self.audio_s / self.wall_s

    @property
    def other_s(self) -> float:
        """Wall time outside the recorded stages: start-up, imports, fingerprint, record."""
        return self.wall_s - sum(self.stages.values())


@dataclass
class Batch:
    """The same articles rendered as one batch and one command at a time."""

    articles: int
    jobs: int
    batch_s: float
    serial_s: float
    audio_s: float
    batch_rss_mb: float  # all workers together (sampled tree sum)
    batch_cpu_s: float  # CPU time of the batch's whole process tree
    serial_cpu_s: float  # CPU time of the 20 commands
    batch_others_s: float  # CPU time other processes on the machine took meanwhile
    serial_others_s: float

    @property
    def speedup(self) -> float:
        """How many times faster the batch finished."""
        return self.serial_s / self.batch_s

    @property
    def ceiling(self) -> float:
        """The best speed-up these cores allow: the batch's CPU spread over all of them."""
        return self.jobs * self.serial_s / self.batch_cpu_s


@dataclass
class Target:
    """One of the issue's targets, checked against this run's numbers."""

    name: str
    measured: str
    ok: bool


@dataclass
class Report:
    """Everything one suite run measured."""

    renders: list[Render] = field(default_factory=list)
    gtts: Comparison | None = None
    batch: Batch | None = None
    errors: list[str] = field(default_factory=list)


class Failed(Exception):
    """A measured command failed: the suite reports it and carries on with the other parts."""


def run_peak(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Run ``cmd`` under bench/peak.py --json; its wall time and peak memory."""
    run = run_measured([sys.executable, str(HERE / "peak.py"), "--json", *cmd], cwd, env)
    if run.returncode != 0:
        raise Failed(f"{' '.join(cmd[2:])} exited {run.returncode}:\n{run.stderr[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def fresh_folder(parent: Path, name: str) -> Path:
    """An empty working folder (episodes/ and the clip cache land inside it)."""
    work = parent / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def env_for(work: Path) -> dict[str, str]:
    """A sawt environment whose clip cache is private to ``work``: nothing warm."""
    return sawt_env(SAWT_CACHE_DIR=str(work / "cache"))


def render_input(name: str, source: Path, out: Path) -> Render:
    """Render ``source`` offline, cold, in its own folder; then time `sawt feed` there."""
    work = fresh_folder(out, f"render-{name}")
    article = work / source.name
    shutil.copy(source, article)
    env = env_for(work)
    cmd = sawt_cmd("render", article.name, "--engine", "espeak", "--no-feed", "--force")
    peak = run_peak(cmd, work, env)
    records = [p for p in (work / "episodes").glob("*.json") if p.name != "chapters.json"]
    if len(records) != 1:
        raise Failed(f"{name}: expected one episode record, found {len(records)}")
    record = json.loads(records[0].read_text("utf-8"))
    feed = run_measured(sawt_cmd("feed"), work, env)
    if feed.returncode != 0:
        raise Failed(f"sawt feed for {name} exited {feed.returncode}:\n{feed.stderr[-2000:]}")
    return Render(
        name=name,
        chars=len(source.read_text("utf-8")),
        wall_s=peak["wall_s"],
        audio_s=record["duration_ms"] / 1000,
        peak_rss_mb=peak["peak_rss_mb"],
        tree_rss_mb=peak["tree_rss_mb"],
        stages={s: float(record["timing_s"].get(s, 0.0)) for s in STAGES},
        feed_s=feed.wall_s,
        pieces=len(record["timeline"]),
        chapters=len(record["chapters"]),
    )


def run_batch(folder: Path, out: Path, jobs: int | None) -> Batch:
    """The folder as one `sawt render DIR`, then the same files as one command each."""
    articles = sorted(folder.glob("*.md"))
    work = fresh_folder(out, "batch-together")
    shutil.copytree(folder, work / "articles")
    cmd = sawt_cmd("render", "articles", "--engine", "espeak", "--force", "--no-feed")
    if jobs:
        cmd += ["--jobs", str(jobs)]
    together = run_peak(cmd, work, env_for(work))
    audio_s = sum(
        json.loads(p.read_text("utf-8"))["duration_ms"] / 1000
        for p in (work / "episodes").glob("*.json")
    )
    work = fresh_folder(out, "batch-one-by-one")
    shutil.copytree(folder, work / "articles")
    env = env_for(work)
    busy = system_busy_s()
    start = time.perf_counter()
    serial_cpu = 0.0
    for article in articles:
        one = sawt_cmd(
            "render", f"articles/{article.name}", "--engine", "espeak", "--force", "--no-feed"
        )
        run = run_measured(one, work, env)
        if run.returncode != 0:
            raise Failed(f"render of {article.name} exited {run.returncode}:\n{run.stderr}")
        serial_cpu += run.cpu_s
    serial_s = time.perf_counter() - start
    serial_others = max(0.0, system_busy_s() - busy - serial_cpu)
    return Batch(
        articles=len(articles),
        jobs=jobs or os.cpu_count() or 1,
        batch_s=together["wall_s"],
        serial_s=serial_s,
        audio_s=audio_s,
        batch_rss_mb=together["tree_rss_mb"],
        batch_cpu_s=together["cpu_s"],
        serial_cpu_s=serial_cpu,
        batch_others_s=together["others_cpu_s"],
        serial_others_s=serial_others,
    )


def targets(report: Report) -> list[Target]:
    """The issue's targets that this run measured."""
    found: list[Target] = []
    by_name = {r.name: r for r in report.renders}
    big, mid = by_name.get("150k"), by_name.get("20k")
    if big:
        peak = max(big.peak_rss_mb, big.tree_rss_mb)
        found.append(
            Target(
                "150k chars: peak RSS ≤ 400 MB",
                f"{peak:.0f} MB (largest process {big.peak_rss_mb:.0f} MB)",
                peak <= 400,
            )
        )
        found.append(
            Target("150k chars: audio ≥ 60× wall time", f"{big.ratio:.0f}×", big.ratio >= 60)
        )
    if big and mid:
        growth = max(big.peak_rss_mb, big.tree_rss_mb) / max(mid.peak_rss_mb, mid.tree_rss_mb)
        found.append(Target("memory growth 20k → 150k < 2×", f"{growth:.2f}×", growth < 2))
    if report.batch:
        b = report.batch
        found.append(
            Target(
                f"batch of {b.articles} ≥ 1.6× faster than one by one",
                f"{b.speedup:.2f}× (ceiling {b.ceiling:.2f}×)",
                b.speedup >= 1.6,
            )
        )
    if report.gtts is not None:
        speedup = report.gtts.speedup
        found.append(
            Target("sawt ≥ 4× faster than gtts-cli (same input)", f"{speedup:.1f}×", speedup >= 4)
        )
    return found


def markdown(report: Report, args: argparse.Namespace) -> str:
    """The report: machine line, one table per part, the targets."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Benchmark suite (issue 6)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; {now}; "
        f"load average at start {args.load:.2f} (other work on the machine skews wall times).",
        f"Command: `python bench/suite.py{' --quick' if args.quick else ''}"
        f"{f' --only {args.only}' if args.only else ''}`; every command cold, in a fresh process.",
    ]
    if report.renders:
        lines += [
            "",
            "### Offline renders (`sawt render FILE --engine espeak --no-feed --force`)",
            "",
            "| input | chars | pieces | chapters | wall s | audio s | audio/wall "
            "| peak RSS MB (largest / tree) | read+clean+script s | synthesis s "
            "| encode s | tags s | other s | feed s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report.renders:
            s = r.stages
            lines.append(
                f"| {r.name} | {r.chars:,} | {r.pieces} | {r.chapters} | {r.wall_s:.2f} "
                f"| {r.audio_s:.0f} | {r.ratio:.0f}× | {r.peak_rss_mb:.0f} / {r.tree_rss_mb:.0f} "
                f"| {s['script']:.2f} | {s['synthesis']:.2f} | {s['encode']:.2f} "
                f"| {s['tags']:.2f} | {r.other_s:.2f} | {r.feed_s:.2f} |"
            )
        lines += [
            "",
            "Stages come from the record's `timing_s`. Synthesis includes assembly: clips "
            "are trimmed and streamed to the raw episode and the loudness meter as they are "
            "spoken. Encode is the gain + limiter pass at the engine's rate (measured in the "
            "same pass, repeated once if loudness missed by > 0.3 LU) plus the resample + "
            "MP3 pass. Other is start-up, imports, the "
            "fingerprint and writing the record. Feed is `sawt feed` run afterwards. "
            "Largest = the biggest single process (exact); tree = Python and its ffmpeg "
            "children together (sampled every 100 ms).",
        ]
    if report.gtts is not None:
        g = report.gtts
        lines += [
            "",
            f"### gTTS: sawt vs gtts-cli (stand-in, {g.latency_ms:.0f} ms per request)",
            "",
            *table(g),
            "",
            f"Same input: sawt is {g.speedup:.1f}× faster; same spoken text: "
            f"{g.speedup_clean:.1f}×.",
        ]
    if report.batch:
        b = report.batch
        lines += [
            "",
            f"### Batch of {b.articles} articles (~3,000 chars each, offline)",
            "",
            "| how | wall s | CPU s | cores busy | other work, cores | audio s | audio/wall |",
            "|---|---|---|---|---|---|---|",
            f"| `sawt render DIR --force --no-feed` ({b.jobs} jobs) | {b.batch_s:.2f} "
            f"| {b.batch_cpu_s:.1f} | {b.batch_cpu_s / b.batch_s:.2f} "
            f"| {b.batch_others_s / b.batch_s:.2f} "
            f"| {b.audio_s:.0f} | {b.audio_s / b.batch_s:.0f}× |",
            f"| {b.articles} × `sawt render FILE --force --no-feed` | {b.serial_s:.2f} "
            f"| {b.serial_cpu_s:.1f} | {b.serial_cpu_s / b.serial_s:.2f} "
            f"| {b.serial_others_s / b.serial_s:.2f} "
            f"| {b.audio_s:.0f} | {b.audio_s / b.serial_s:.0f}× |",
            "",
            f"Batch speed-up: {b.speedup:.2f}×; all workers together peaked at "
            f"{b.batch_rss_mb:.0f} MB. Cores busy = CPU s / wall s of sawt's processes; "
            "one by one already keeps more than one core busy (the loudness meter runs "
            f"beside synthesis), so with {b.jobs} jobs the ceiling is about "
            f"{b.jobs} × one-by-one wall / batch CPU = {b.ceiling:.2f}×. "
            "Other work = CPU other processes on the machine used meanwhile.",
        ]
    checked = targets(report)
    if checked:
        lines += ["", "### Targets", "", "| target | measured | result |", "|---|---|---|"]
        lines += [f"| {t.name} | {t.measured} | {'PASS' if t.ok else 'FAIL'} |" for t in checked]
    if report.errors:
        lines += ["", "### Errors", ""]
        lines += [f"- {e.splitlines()[0]}" for e in report.errors]
    lines += ["", "Rerun: `python bench/suite.py` (see the docstring for options)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Generate inputs, run the chosen parts, print and save the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="no 150k input, batch of 6")
    parser.add_argument("--only", choices=PARTS, help="run one part")
    parser.add_argument("--keep", type=Path, help="write inputs and outputs here and keep them")
    parser.add_argument("--jobs", type=int, default=None, help="batch jobs (default: cores)")
    parser.add_argument("--latency-ms", type=float, default=150, help="gTTS stand-in latency")
    parser.add_argument("--gtts-runs", type=int, default=3, help="runs per gTTS client")
    args = parser.parse_args()
    parts = (args.only,) if args.only else PARTS
    args.load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sawt-bench-") as tmp:
        base = args.keep.resolve() if args.keep else Path(tmp)
        inputs: Inputs = write_inputs(base / "inputs", batch=6 if args.quick else 20)
        out = base / "runs"
        report = Report()
        todo = [("sample", inputs.sample), ("20k", inputs.article_20k)]
        if not args.quick:
            todo.append(("150k", inputs.text_150k))
        for part in parts:
            try:
                if part == "renders":
                    for name, path in todo:
                        print(f"rendering {name}…", file=sys.stderr, flush=True)
                        report.renders.append(render_input(name, path, out))
                elif part == "gtts":
                    print("gTTS comparison…", file=sys.stderr, flush=True)
                    report.gtts = compare(args.latency_ms, 1 if args.quick else args.gtts_runs)
                elif part == "batch":
                    print("batch vs one by one…", file=sys.stderr, flush=True)
                    report.batch = run_batch(inputs.batch_dir, out, args.jobs)
            except (Failed, RuntimeError) as exc:
                report.errors.append(f"{part}: {exc}")
                print(f"{part} failed: {exc}", file=sys.stderr)
    text = markdown(report, args)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, "utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    failed = report.errors or not all(t.ok for t in targets(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

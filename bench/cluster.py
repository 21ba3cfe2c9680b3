"""Rendering on many machines (issue 12): workers on one Redis, measured from the outside.

Starts a private ``redis-server`` and real ``sawt worker`` processes (one task at
a time each), and times ``sawt render DIR --cluster`` from enqueue to summary.

- batch: 12 articles (~3,000 chars, offline voice) on one worker, then on two;
- fan-out: one long article split into synthesis tasks, one worker vs two;
- overhead: per article, enqueue-to-done minus the render itself (from the
  workers' one-line logs), against a typical article's render.

    python bench/cluster.py                 # everything (~5 minutes on 2 cores)
    python bench/cluster.py --long 20000    # a shorter long text
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine, sawt_cmd, sawt_env  # noqa: E402
from inputs import article_text  # noqa: E402

TASK = re.compile(r" (render|assemble|synth|publish) .* in ([\d.]+) s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Run:
    workers: int
    wall_s: float
    task_s: dict[str, list[float]]  # seconds per task kind, from the workers' logs


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("redis-server")
    if exe is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return proc, f"redis://127.0.0.1:{port}/0"


def show(folder: Path, broker: str, articles: dict[str, str], extra: str = "") -> Path:
    (folder / "articles").mkdir(parents=True)
    for name, text in articles.items():
        (folder / "articles" / name).write_text(text, "utf-8")
    (folder / "podcast.yaml").write_text(
        f"engine: espeak\ncluster:\n  broker: {broker}\n  queue: q{free_port()}\n{extra}", "utf-8"
    )
    return folder


def run(folder: Path, workers: int) -> Run:
    env = sawt_env()
    env.pop("SAWT_CACHE_DIR", None)
    procs: list[subprocess.Popen[bytes]] = []
    logs = [folder / f"worker-{i}.log" for i in range(workers)]
    for log in logs:
        with open(log, "wb") as out:
            procs.append(
                subprocess.Popen(
                    sawt_cmd("worker", "--concurrency", "1"),
                    cwd=folder,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        for log in logs:
            while " ready: " not in log.read_text("utf-8", "replace"):
                time.sleep(0.05)
        start = time.perf_counter()
        done = subprocess.run(
            sawt_cmd("render", "articles", "--cluster"),
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(done.stdout + done.stderr)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait()
    tasks: dict[str, list[float]] = {}
    for log in logs:
        for kind, seconds in TASK.findall(log.read_text("utf-8", "replace")):
            tasks.setdefault(kind, []).append(float(seconds))
    return Run(workers, wall, tasks)


def local(folder: Path, name: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        sawt_cmd("render", f"articles/{name}", "--no-feed"),
        cwd=folder,
        env=sawt_env(),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--long", type=int, default=60000, help="characters of the long text")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="sawt-bench-cluster-") as tmp:
        root = Path(tmp)
        redis, broker = start_redis(root)
        try:
            batch = {
                f"a{i:02d}.md": article_text(i, args.chars, title=f"مقال {i}")
                for i in range(args.articles)
            }
            runs = [run(show(root / f"batch{n}", broker, batch), n) for n in (1, 2)]
            one, two = runs
            print(f"\n## Batch of {args.articles} articles (~{args.chars} chars, espeak)\n")
            print("| workers | wall s | articles/min |")
            print("|---|---|---|")
            for r in runs:
                print(f"| {r.workers} | {r.wall_s:.2f} | {60 * args.articles / r.wall_s:.1f} |")
            print(f"\nspeed-up two vs one: {one.wall_s / two.wall_s:.2f}x (target >= 1.7x)")
            renders = one.task_s.get("render", [])
            publish = sum(one.task_s.get("publish", []))
            overhead = (one.wall_s - sum(renders) - publish) / len(renders)
            typical = sum(renders) / len(renders)
            print(
                f"\nqueue overhead per article (one worker: wall - renders - publish, / articles): "
                f"{overhead * 1000:.0f} ms = {100 * overhead / typical:.1f}% of a typical render "
                f"({typical:.2f} s; target < 5%); the one publish took {publish:.2f} s"
            )

            long_text = {"long.md": article_text(99, args.long, title="نص طويل", sections=8)}
            fan = [run(show(root / f"long{n}", broker, long_text), n) for n in (1, 2)]
            alone = local(show(root / "local", broker, long_text), "long.md")
            print(f"\n## One long article ({args.long} chars, espeak), fanned out\n")
            print("| how | wall s | synthesis tasks (sum s) | assemble s |")
            print("|---|---|---|---|")
            print(f"| local `sawt render` | {alone:.2f} | | |")
            for r in fan:
                synth = r.task_s.get("synth", [])
                assemble = sum(r.task_s.get("assemble", []))
                print(
                    f"| cluster, {r.workers} worker{'s' if r.workers > 1 else ''} | "
                    f"{r.wall_s:.2f} | {len(synth)} ({sum(synth):.2f}) | {assemble:.2f} |"
                )
            print(f"\nfan-out speed-up two vs one: {fan[0].wall_s / fan[1].wall_s:.2f}x")
        finally:
            redis.terminate()
            redis.wait()


if __name__ == "__main__":
    main()

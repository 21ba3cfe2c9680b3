"""Long texts: streamed assembly in bounded memory, exact duration and chapters."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sawt.read.article import read_article
from sawt.read.clean import dedupe
from tests.conftest import decoded_duration_s, sawt_env
from tests.longtext import long_article, write_long_article

MEMORY_LIMIT = 1536 * 2**20  # address space: well above the 400 MB RSS target
CHARS = 150_000


def test_long_article_generator_is_distinct_and_deterministic(tmp_path: Path) -> None:
    assert long_article(5000) == long_article(5000)
    path = write_long_article(tmp_path, 20_000)
    _, report = dedupe(read_article(path))
    assert report.removed == 0


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.slow
def test_150k_characters_render_in_bounded_memory_with_exact_duration(tmp_path: Path) -> None:
    article = write_long_article(tmp_path, CHARS)
    # A fresh parent measures the render alone: this pytest process's own
    # RUSAGE_CHILDREN would include every earlier test's children (Chromium…).
    measure = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(code)\n"
    )
    render = [sys.executable, "-m", "sawt", "render", article.name, "--engine", "espeak"]
    proc = subprocess.run(
        [sys.executable, "-c", measure, *render, "--no-feed"],
        cwd=tmp_path,
        env=sawt_env(),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    peak_mb = int(proc.stdout.strip().splitlines()[-1]) / 1024
    assert peak_mb <= 400

    record = json.loads((tmp_path / "episodes" / "long.json").read_text("utf-8"))
    timeline = record["timeline"]
    # Every piece and pause adds up to the episode: nothing is truncated.
    assert record["duration_ms"] > 2 * 3600 * 1000
    decoded = decoded_duration_s(tmp_path / "episodes" / "long.mp3") * 1000
    assert abs(decoded - record["duration_ms"]) <= 50
    assert timeline[-1]["end_ms"] <= record["duration_ms"]
    spoken = {e["original"] for e in timeline if e["role"] == "body"}
    source = read_article(article)
    assert all(any(s in b.text for b in source.blocks) for s in list(spoken)[:200])
    chapters = record["chapters"]
    starts = [c["start_ms"] for c in chapters]
    assert starts == sorted(starts)
    assert all(0 <= c["start_ms"] <= c["end_ms"] <= record["duration_ms"] for c in chapters)
    headings = sum(1 for b in source.blocks if b.kind == "heading")
    assert len(chapters) == headings + 1  # the title, then one per section

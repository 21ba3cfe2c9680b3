"""Batch rendering: parallel workers, one summary, failures kept apart, unchanged skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest

from tests.conftest import SAMPLE, run_sawt

ARTICLES = {
    "one.md": "# المقال الأول\n\nهذه فقرة أولى قصيرة. وهذه جملة ثانية فيها.\n",
    "two.md": "# المقال الثاني\n\nفقرة عن الطقس في المدينة. والجو معتدل اليوم.\n\n## قسم\n\nفقرة أخرى.\n",
    "bad.md": "---\ntitle: [oops\n---\n\nنص\n",
}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sawt("render", *args, cwd=cwd)


@pytest.fixture(scope="module")
def batch(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("batch")
    folder = work / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, "utf-8")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    (work / "podcast.yaml").write_text("engine: espeak\n", "utf-8")
    return work, run(work, "articles", "--jobs", "2")


def test_one_bad_article_among_good_ones(
    batch: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work, proc = batch
    assert proc.returncode == 1
    assert "3 rendered, 0 unchanged (skipped), 1 failed" in proc.stdout
    assert "bad.md:2" in proc.stderr and "YAML" in proc.stderr
    episodes = work / "episodes"
    assert {p.stem for p in episodes.glob("*.mp3")} == {"one", "two", SAMPLE.stem}
    feed = feedparser.parse((episodes / "feed.xml").read_bytes())
    assert len(feed.entries) == 3  # the feed is published despite the failure


def test_second_batch_skips_everything_unchanged(
    batch: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work, _ = batch
    (work / "articles" / "bad.md").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in (work / "episodes").glob("*.mp3")}
    again = run(work, "articles")
    assert again.returncode == 0, again.stderr
    assert "0 rendered, 3 unchanged (skipped), 0 failed" in again.stdout
    after = {p.name: p.stat().st_mtime_ns for p in (work / "episodes").glob("*.mp3")}
    assert after == before


def test_an_edit_or_force_renders_again(
    batch: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work, _ = batch
    one = work / "articles" / "one.md"
    one.write_text(one.read_text("utf-8") + "\nفقرة جديدة أضيفت.\n", "utf-8")
    proc = run(work, "articles")
    assert "1 rendered, 2 unchanged (skipped)" in proc.stdout
    record = json.loads((work / "episodes" / "one.json").read_text("utf-8"))
    assert any("فقرة جديدة" in e["original"] for e in record["timeline"])
    forced = run(work, "articles/two.md", "--force")
    assert forced.returncode == 0 and "wrote" in forced.stdout


def test_unknown_engine_fails_once_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLES["one.md"], "utf-8")
    (tmp_path / "b.md").write_text(ARTICLES["two.md"], "utf-8")
    proc = run(tmp_path, "a.md", "b.md", "--engine", "nope")
    assert proc.returncode != 0
    assert proc.stderr.count("unknown engine") == 1
    assert not (tmp_path / "episodes").exists()

"""Retry, cache, deadline, fallback and timeline logic, fast, through the in-process fake engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.config import Settings
from sawt.errors import EngineUnavailable
from sawt.pipeline import render
from sawt.publishing.catalog import read_record
from sawt.speech.engines.base import Policy
from tests.conftest import ffmpeg_pcm
from tests.fakeengine import FakeEngine, install

ARTICLE = """---
title: اختبار المحرك
---

# أولا

الجملة الأولى قصيرة. والجملة الثانية أطول قليلا من الأولى، وفيها فاصلة.

## ثانيا

فقرة ثالثة فيها كلمات كثيرة تكفي لتقسيمها إلى أجزاء عدة عند الحاجة. وجملة أخيرة.
"""


@pytest.fixture()
def show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Settings]:
    (tmp_path / "a.md").write_text(ARTICLE, "utf-8")
    monkeypatch.setenv("SAWT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "a.md", Settings(root=tmp_path)


def _pcm(result_mp3: Path) -> bytes:
    return ffmpeg_pcm(result_mp3)


def test_transient_faults_recover_to_identical_audio(
    show: tuple[Path, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    article, settings = show
    with install(FakeEngine()) as clean:
        first = render(article, settings, "fake", force=True)
    reference = _pcm(first.mp3)
    monkeypatch.setenv("SAWT_CACHE_DIR", str(settings.root / "cache2"))
    faulty = FakeEngine(faults={"الأولى": ["transient", "garbage"], "ثالثة": ["slow"]})
    faulty.policy = Policy(retries=3, backoff=0.001, timeout=0.2)
    with install(faulty):
        again = render(article, settings, "fake", force=True)
    assert _pcm(again.mp3) == reference
    assert faulty.total_fetches > clean.total_fetches
    record = read_record(again.record)
    assert record.synthesis.retries >= 3


def test_a_rerender_fetches_nothing_and_an_edit_fetches_only_the_edit(
    show: tuple[Path, Settings],
) -> None:
    article, settings = show
    with install(FakeEngine()) as engine:
        render(article, settings, "fake")
        before = engine.total_fetches
        render(article, settings, "fake", force=True)
        assert engine.total_fetches == before
        article.write_text(ARTICLE.replace("وجملة أخيرة.", "وجملة أخيرة جديدة."), "utf-8")
        result = render(article, settings, "fake")
        assert engine.total_fetches == before + 1
    assert read_record(result.record).synthesis.cached_pieces > 0


def test_a_fatal_fault_is_not_retried_and_writes_nothing(show: tuple[Path, Settings]) -> None:
    article, settings = show
    engine = FakeEngine(faults={"ثالثة": ["fatal"]})
    with install(engine), pytest.raises(EngineUnavailable, match="after 1 attempt"):
        render(article, settings, "fake")
    assert sum(n for t, n in engine.fetches.items() if "ثالثة" in t) == 1
    assert not (settings.episodes_path() / "a.mp3").exists()
    assert not (settings.episodes_path() / "a.json").exists()


def test_the_deadline_stops_the_episode(show: tuple[Path, Settings]) -> None:
    article, settings = show
    engine = FakeEngine(delay=0.3)
    engine.policy = Policy(retries=2, backoff=0.001, deadline=0.5)
    with install(engine), pytest.raises(EngineUnavailable, match="deadline"):
        render(article, settings, "fake")


def test_fallback_renders_the_whole_episode_with_the_other_engine(
    show: tuple[Path, Settings],
) -> None:
    article, settings = show
    engine = FakeEngine(faults={"ثالثة": ["fatal"]})
    with install(engine):
        result = render(article, settings, "fake-auto")
    record = read_record(result.record)
    assert record.engine == "espeak" and record.engine_requested == "fake-auto"
    assert record.fallback_reason and "403" in record.fallback_reason


def test_the_timeline_is_in_order_with_many_workers(show: tuple[Path, Settings]) -> None:
    article, settings = show
    engine = FakeEngine(workers=8, max_chars=30)
    with install(engine):
        result = render(article, settings, "fake")
    record = read_record(result.record)
    starts = [e.start_ms for e in record.timeline]
    assert starts == sorted(starts) and len(starts) > 8
    assert [e.index for e in record.timeline] == list(range(len(record.timeline)))
    assert all(
        a.end_ms <= b.start_ms for a, b in zip(record.timeline, record.timeline[1:], strict=False)
    )
    assert record.timeline[-1].end_ms <= record.duration_ms

"""Chapters: sections, else paragraphs grouped to a sensible length; never more than ID3 can hold."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from sawt.audio.tags import TagInfo, write_tags
from sawt.audio.timeline import (
    MAX_CHAPTERS,
    MIN_CHAPTER_MS,
    PARAGRAPH_CHAPTERS,
    build_chapters,
)
from sawt.config import Settings
from sawt.ffmpeg import run_ffmpeg
from sawt.models import Chapter, Entry
from sawt.pipeline import render
from sawt.text.tidy import first_words
from tests.conftest import ffmpeg_chapters
from tests.fakeengine import FakeEngine, install

HOUR_MS = 3600 * 1000


def paragraph_text(n: int) -> str:
    return f"الفقرة رقم {n} تبدأ بهذه الكلمات ثم تستمر في الحديث عن موضوعها. وجملة ثانية."


def timeline_of(blocks: list[tuple[str, str, int]], title_ms: int = 5000) -> list[Entry]:
    """Entries for a title, then blocks of (role, text, length ms), two pieces per paragraph."""
    entries = [Entry(0, "title", -1, 0, 0, title_ms, "العنوان", "العنوان")]
    at = title_ms
    for b, (role, text, length) in enumerate(blocks):
        halves = [text] if role == "heading" else text.split(". ", 1)
        for s, part in enumerate(halves):
            end = at + length // len(halves)
            entries.append(Entry(len(entries), role, b, s, at, end, part, part))
            at = end
    return entries


def check_shape(chapters: list[Chapter], duration_ms: int) -> None:
    """Title first at 0, contiguous, in order, covering the whole episode, <= 255 entries."""
    assert 1 <= len(chapters) <= MAX_CHAPTERS
    assert chapters[0].title == "العنوان" and chapters[0].start_ms == 0
    assert chapters[-1].end_ms == duration_ms
    for a, b in itertools.pairwise(chapters):
        assert a.end_ms == b.start_ms and a.start_ms < b.start_ms
    assert all(len(c.title.encode()) <= 110 for c in chapters)


def test_a_five_hour_text_without_headings_gets_tens_of_chapters() -> None:
    rng = random.Random(13)
    blocks = [("body", paragraph_text(n), rng.randint(4_000, 12_000)) for n in range(2_250)]
    timeline = timeline_of(blocks)
    duration = timeline[-1].end_ms + 800
    assert duration > 4.5 * HOUR_MS
    chapters = build_chapters(timeline, "العنوان", duration)
    check_shape(chapters, duration)
    assert 10 <= len(chapters) <= PARAGRAPH_CHAPTERS + 1
    # Every paragraph chapter lasts at least its share of the episode.
    assert all(c.end_ms - c.start_ms >= duration / PARAGRAPH_CHAPTERS for c in chapters[1:])
    # Each chapter starts at a paragraph and is named after its first words.
    starts = {e.start_ms: e.block for e in timeline if e.sentence == 0 and e.block >= 0}
    for c in chapters[1:]:
        assert c.title == first_words(paragraph_text(starts[c.start_ms]))


def test_a_short_article_keeps_one_chapter_per_long_enough_paragraph() -> None:
    lengths = [32_000, 43_000, 27_000, 53_000, 41_000, 17_000]  # the sample's, rounded
    timeline = timeline_of([("body", paragraph_text(n), ms) for n, ms in enumerate(lengths)])
    duration = timeline[-1].end_ms
    chapters = build_chapters(timeline, "العنوان", duration)
    check_shape(chapters, duration)
    assert [c.title for c in chapters[1:]] == [first_words(paragraph_text(n)) for n in range(6)]


def test_short_paragraphs_are_merged_into_chapters_of_a_minimum_length() -> None:
    lengths = [4_000, 6_000, 3_000, 9_000, 2_000, 7_000, 5_000, 8_000, 3_000]
    timeline = timeline_of([("body", paragraph_text(n), ms) for n, ms in enumerate(lengths)])
    duration = timeline[-1].end_ms
    chapters = build_chapters(timeline, "العنوان", duration)
    check_shape(chapters, duration)
    # 4+6+3+9 = 22 s, then 2+7+5+8 = 22 s; the 3 s tail joins the last chapter.
    assert [c.title for c in chapters[1:]] == [
        first_words(paragraph_text(0)),
        first_words(paragraph_text(4)),
    ]
    assert all(c.end_ms - c.start_ms >= MIN_CHAPTER_MS for c in chapters[1:])


def test_300_sections_give_at_most_255_chapters_named_after_headings() -> None:
    blocks: list[tuple[str, str, int]] = []
    for n in range(300):
        blocks += [("heading", f"القسم {n}", 1_500), ("body", paragraph_text(n), 20_000)]
    timeline = timeline_of(blocks)
    duration = timeline[-1].end_ms
    chapters = build_chapters(timeline, "العنوان", duration)
    check_shape(chapters, duration)
    assert len(chapters) <= MAX_CHAPTERS
    assert len(chapters) >= 150  # merged in pairs, not collapsed
    headings = {e.start_ms: e.original for e in timeline if e.role == "heading"}
    assert all(headings[c.start_ms] == c.title for c in chapters[1:])
    assert chapters[1].title == "القسم 0"


def test_up_to_254_sections_keep_one_chapter_each() -> None:
    blocks = [("heading", f"القسم {n}", 1_000) for n in range(254)]
    timeline = timeline_of(blocks)
    chapters = build_chapters(timeline, "العنوان", timeline[-1].end_ms)
    assert len(chapters) == MAX_CHAPTERS
    assert [c.title for c in chapters[1:]] == [f"القسم {n}" for n in range(254)]


@pytest.mark.parametrize("seed", range(30))
def test_any_shape_fits_the_table_of_contents(seed: int) -> None:
    rng = random.Random(seed)
    roles = ("body", "heading") if rng.random() < 0.5 else ("body",)
    blocks = [
        (rng.choice(roles), paragraph_text(n), rng.choice((1, 50, 900, 4_000, 30_000, 400_000)))
        for n in range(rng.choice((1, 2, 10, 300, 1_000, 3_000)))
    ]
    timeline = timeline_of(blocks, title_ms=rng.choice((1, 3_000)))
    duration = timeline[-1].end_ms + rng.choice((0, 500))
    check_shape(build_chapters(timeline, "العنوان", duration), duration)


def silent_mp3(path: Path, seconds: int) -> Path:
    pcm = bytes(2 * 22050 * seconds)
    raw = ["-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0"]
    run_ffmpeg([*raw, "-c:a", "libmp3lame", str(path)], input_bytes=pcm)
    return path


def test_the_id3_table_of_contents_takes_the_merged_sections(tmp_path: Path) -> None:
    """300 sections used to fail at tag time ("bytes must be in range(0, 256)")."""
    blocks = [("heading", f"القسم {n}", 100) for n in range(300)]
    timeline = timeline_of(blocks, title_ms=100)
    duration = timeline[-1].end_ms
    chapters = build_chapters(timeline, "العنوان", duration)
    mp3 = silent_mp3(tmp_path / "a.mp3", duration // 1000 + 1)
    info = TagInfo("t", None, "a", None, "ara", "s", None, "", tuple(chapters))
    write_tags(mp3, info)
    assert 150 <= len(chapters) <= MAX_CHAPTERS
    assert [t for _, _, t in ffmpeg_chapters(mp3)] == [c.title for c in chapters]


def test_a_long_text_without_headings_renders_with_grouped_chapters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than 255 paragraphs: the audio is made and tagged, with a few dozen chapters."""
    monkeypatch.setenv("SAWT_CACHE_DIR", str(tmp_path / "cache"))
    body = "\n\n".join(f"فقرة {n} قصيرة. فيها جملتان." for n in range(300))
    (tmp_path / "long.md").write_text(f"---\ntitle: نص طويل\n---\n\n{body}\n", "utf-8")
    with install(FakeEngine()):
        result = render(tmp_path / "long.md", Settings(root=tmp_path), "fake")
    assert 2 <= len(result.chapters) <= PARAGRAPH_CHAPTERS + 1
    listed = ffmpeg_chapters(result.mp3)
    assert [t for _, _, t in listed] == [c.title for c in result.chapters]
    assert listed[1][2].startswith("فقرة 0")

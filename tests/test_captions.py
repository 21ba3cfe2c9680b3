"""Captions and JSON chapters: pure cases, and the files of a real render."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest

from sawt.ffmpeg import ffmpeg_exe
from sawt.models import AudioFacts, Chapter, Entry, EpisodeRecord
from sawt.publishing.captions import (
    MAX_CUE_CHARS,
    Cue,
    build_cues,
    json_chapters,
    to_srt,
    to_vtt,
    wrap_lines,
)
from tests.showkit import LONG_SENTENCE, SAMPLE, rendered_show

VTT_TIME = re.compile(
    r"^(\d{2}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d)\.(\d{3})$"
)
SRT_TIME = re.compile(
    r"^(\d{2}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d),(\d{3})$"
)


def _ms(h: str, m: str, s: str, ms: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def parse_vtt(text: str) -> list[Cue]:
    """A strict WebVTT reader: header, numbered cues, escaped payload, times in order."""
    assert text.startswith("WEBVTT\n\n"), "missing WEBVTT header"
    assert "\r" not in text and text.endswith("\n")
    cues = []
    for block in text[len("WEBVTT\n\n") :].rstrip("\n").split("\n\n"):
        lines = block.split("\n")
        assert lines[0].isdigit(), f"cue id expected: {block!r}"
        m = VTT_TIME.match(lines[1])
        assert m, f"bad timing line: {lines[1]!r}"
        payload = lines[2:]
        assert payload and all(line.strip() for line in payload), f"empty cue: {block!r}"
        for line in payload:
            assert "-->" not in line
            assert "<" not in line, "unescaped < in cue text"
            assert not re.search(r"&(?!(amp|lt|gt);)", line), "unescaped & in cue text"
        text_ = " ".join(payload).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append(Cue(_ms(*m.groups()[:4]), _ms(*m.groups()[4:]), text_))
    return cues


def parse_srt(text: str) -> list[Cue]:
    """A strict SRT reader: sequential numbers, comma times, non-empty text."""
    cues = []
    for n, block in enumerate(text.rstrip("\n").split("\n\n"), 1):
        lines = block.split("\n")
        assert lines[0] == str(n)
        m = SRT_TIME.match(lines[1])
        assert m, f"bad timing line: {lines[1]!r}"
        assert lines[2:] and all(line.strip() for line in lines[2:])
        cues.append(Cue(_ms(*m.groups()[:4]), _ms(*m.groups()[4:]), " ".join(lines[2:])))
    return cues


def entry(
    index: int, role: str, block: int, sentence: int, start: int, end: int, text: str
) -> Entry:
    return Entry(index, role, block, sentence, start, end, text, text)


def test_pieces_of_one_sentence_become_one_cue() -> None:
    timeline = [
        entry(0, "title", -1, 0, 0, 1000, "العنوان"),
        entry(1, "body", 0, 0, 1500, 2500, "الجزء الأول،"),
        entry(2, "body", 0, 0, 2700, 3600, "والجزء الثاني."),
        entry(3, "body", 0, 1, 4000, 5000, "جملة 2024."),
    ]
    cues = build_cues(timeline)
    assert cues == [
        Cue(0, 1000, "العنوان"),
        Cue(1500, 3600, "الجزء الأول، والجزء الثاني."),
        Cue(4000, 5000, "جملة 2024."),
    ]


def test_long_sentence_is_split_in_proportion() -> None:
    words = LONG_SENTENCE.split()
    half = len(words) // 2
    timeline = [
        entry(0, "body", 0, 0, 1000, 9000, " ".join(words[:half])),
        entry(1, "body", 0, 0, 9200, 15000, " ".join(words[half:])),
    ]
    cues = build_cues(timeline)
    assert len(cues) >= 2
    assert all(len(c.text) <= MAX_CUE_CHARS for c in cues)
    assert " ".join(c.text for c in cues) == " ".join(words)
    assert cues[0].start_ms == 1000 and cues[-1].end_ms == 15000
    for a, b in itertools.pairwise(cues):
        assert a.start_ms < a.end_ms <= b.start_ms < b.end_ms


def test_one_huge_word_stays_one_cue() -> None:
    cues = build_cues([entry(0, "body", 0, 0, 0, 500, "x" * 200)])
    assert cues == [Cue(0, 500, "x" * 200)]


def test_wrap_lines_splits_near_the_middle() -> None:
    assert wrap_lines("قصير") == ["قصير"]
    lines = wrap_lines("كلمة " * 15)
    assert len(lines) == 2 and abs(len(lines[0]) - len(lines[1])) <= 6


def test_vtt_and_srt_escape_and_keep_text() -> None:
    cues = [Cue(0, 1500, 'a <b> & "c" ]]> --> d'), Cue(3_723_004, 3_723_999, "جملة 15")]
    vtt = to_vtt(cues)
    assert parse_vtt(vtt) == cues
    assert "01:02:03.004 --> 01:02:03.999" in vtt
    srt_cues = parse_srt(to_srt(cues))
    assert srt_cues[1] == cues[1]
    assert "01:02:03,004 --> 01:02:03,999" in to_srt(cues)
    assert srt_cues[0].text == 'a <b> & "c" ]]> -> d'


def test_json_chapters_format() -> None:
    record = EpisodeRecord(
        slug="x",
        title="t",
        duration_ms=1234,
        audio=AudioFacts(file="x.mp3", bytes=1),
        chapters=(Chapter("أ & <ب>", 0, 1234),),
        timeline=(),
    )
    data = json.loads(json_chapters(record))
    assert data == {
        "version": "1.2.0",
        "chapters": [{"startTime": 0.0, "endTime": 1.234, "title": "أ & <ب>"}],
    }


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rendered_show(tmp_path_factory)


@pytest.mark.parametrize("slug", ["nasty", SAMPLE.stem])
def test_rendered_vtt_parses_and_follows_the_timeline(show: Path, slug: str) -> None:
    episodes = show / "episodes"
    record = json.loads((episodes / f"{slug}.json").read_text("utf-8"))
    cues = parse_vtt((episodes / f"{slug}.vtt").read_text("utf-8"))
    assert cues
    for a, b in itertools.pairwise(cues):
        assert a.start_ms <= a.end_ms <= b.start_ms, "cues out of order or overlapping"
    assert cues[0].start_ms >= 0 and cues[-1].end_ms <= record["duration_ms"]
    # Every sentence starts and ends exactly where the timeline says.
    starts = {c.start_ms for c in cues}
    ends = {c.end_ms for c in cues}
    timeline = record["timeline"]
    for e in timeline:
        first = [
            x
            for x in timeline
            if (x["role"], x["block"], x["sentence"]) == (e["role"], e["block"], e["sentence"])
        ]
        assert first[0]["start_ms"] in starts and first[-1]["end_ms"] in ends
    # The original text, not the spoken one: all of it, in order, digits as written.
    spoken_text = " ".join(" ".join(e["original"].split()) for e in timeline)
    assert " ".join(c.text for c in cues) == spoken_text
    assert all(len(c.text) <= MAX_CUE_CHARS or " " not in c.text for c in cues)
    srt = parse_srt((episodes / f"{slug}.srt").read_text("utf-8"))
    assert [(c.start_ms, c.end_ms) for c in srt] == [(c.start_ms, c.end_ms) for c in cues]


def test_digits_stay_as_written(show: Path) -> None:
    vtt = (show / "episodes" / "nasty.vtt").read_text("utf-8")
    assert "2024" in vtt and "15 ألف" in vtt


@pytest.mark.parametrize("slug", ["nasty", SAMPLE.stem])
def test_ffmpeg_reads_the_vtt_as_our_srt(show: Path, slug: str) -> None:
    # ffmpeg's WebVTT demuxer is a second, independent reader: converted to
    # SRT it must give back exactly our SRT (same cues, times and text).
    vtt = show / "episodes" / f"{slug}.vtt"
    proc = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(vtt),
            "-f",
            "srt",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    ours = (show / "episodes" / f"{slug}.srt").read_text("utf-8")
    assert proc.stdout.strip() == ours.strip()

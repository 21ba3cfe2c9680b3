"""End to end: render the sample offline, then measure the real MP3."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3

from sawt.audio.assemble import measure_file
from sawt.read.article import read_article
from sawt.text.tidy import words
from tests.conftest import SAMPLE, decoded_duration_s, ffmpeg_chapters, run_sawt

HEADLINE = "تعزيز التعاون الأمني المغربي-الفرنسي لمواجهة التحديات الإقليمية والدولية"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    work = tmp_path_factory.mktemp("e2e")
    shutil.copy(SAMPLE, work / SAMPLE.name)
    proc = run_sawt("render", SAMPLE.name, "--engine", "espeak", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "dropped 6 repeated paragraphs" in proc.stderr
    mp3 = work / "episodes" / f"{SAMPLE.stem}.mp3"
    record = json.loads((work / "episodes" / f"{SAMPLE.stem}.json").read_text("utf-8"))
    return mp3, record


def test_duration_between_2_and_6_minutes(rendered: tuple[Path, dict[str, Any]]) -> None:
    mp3, record = rendered
    duration = decoded_duration_s(mp3)
    assert 120 <= duration <= 360
    # The Info header makes the declared duration match the decoded one.
    assert abs(duration - record["duration_ms"] / 1000) < 0.1


def test_loudness_on_target(rendered: tuple[Path, dict[str, Any]]) -> None:
    mp3, _ = rendered
    loud = measure_file(mp3, true_peak=True)
    assert abs(loud.integrated - -16.0) <= 1.0
    assert loud.true_peak is not None
    assert loud.true_peak <= -1.0 + 0.3  # encoder overshoot allowance


def test_tags_read_back(rendered: tuple[Path, dict[str, Any]]) -> None:
    mp3, _ = rendered
    tags = ID3(mp3)
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == HEADLINE
    assert str(tags["TPE1"]) == "ميديا أونكيت 24"
    assert str(tags["TLAN"]) == "ara"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TALB"])
    lyrics = tags.getall("USLT")[0].text
    assert lyrics.startswith(HEADLINE)
    assert "مواطنيهما" in lyrics
    assert tags.getall("COMM")[0].text[0].startswith("في إطار تعزيز الشراكة")


def test_chapters_in_time_order_inside_duration(rendered: tuple[Path, dict[str, Any]]) -> None:
    mp3, record = rendered
    duration = decoded_duration_s(mp3)
    tags = ID3(mp3)
    toc = tags.getall("CTOC")[0]
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[i] for i in toc.child_element_ids]
    starts = [c.start_time for c in ordered]
    assert starts == sorted(starts) and starts[0] == 0
    # ffmpeg reports decoded time in 10 ms steps.
    assert all(c.end_time <= duration * 1000 + 10 for c in ordered)
    assert len(ordered) == 7  # the title, then one per paragraph
    # ffmpeg (what most players use) sees every chapter, in file order = time order.
    listed = ffmpeg_chapters(mp3)
    assert len(listed) == 7
    # ffmpeg shifts MP3 chapter starts by the encoder delay (tens of ms).
    assert all(abs(s - x / 1000) < 0.1 for (s, _, _), x in zip(listed, starts, strict=True))
    assert [t for _, _, t in listed] == [c["title"] for c in record["chapters"]]


def test_timeline_speaks_each_body_paragraph_once(rendered: tuple[Path, dict[str, Any]]) -> None:
    _, record = rendered
    timeline = record["timeline"]
    assert timeline[0]["role"] == "title" and timeline[0]["original"] == HEADLINE
    assert timeline[1]["role"] == "source"
    spoken = [w for e in timeline if e["role"] == "body" for w in words(e["original"])]
    for block in read_article(SAMPLE).blocks[:6]:
        ws = words(block.text)
        hits = sum(spoken[i : i + len(ws)] == ws for i in range(len(spoken) - len(ws) + 1))
        assert hits == 1
    ends = [(e["start_ms"], e["end_ms"]) for e in timeline]
    assert all(s < e for s, e in ends)
    assert all(ends[i][1] <= ends[i + 1][0] for i in range(len(ends) - 1))
    assert record["engine"] == "espeak"
    assert record["cleaning"]["dropped_paragraphs"] == 6


def test_no_temp_files_left(rendered: tuple[Path, dict[str, Any]]) -> None:
    mp3, _ = rendered
    # Besides the audio and its record, the render publishes (captions, JSON
    # chapters, feed) and leaves the catalog's lock file; no temp files.
    exts = (".chapters.json", ".srt", ".vtt", ".html", ".chapters.vtt", ".txt")
    derived = [f"{SAMPLE.stem}{ext}" for ext in exts]
    # The manifest lists the outputs sawt wrote (only those may ever be deleted).
    expected = [".lock", ".sawt-outputs.json", f"{SAMPLE.stem}.json", mp3.name, *derived]
    expected += ["feed.xml", "index.html", "sawt-web.css", "sawt-web.js"]
    assert sorted(p.name for p in mp3.parent.iterdir()) == sorted(expected)

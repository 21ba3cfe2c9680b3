"""The typed episode record: old records load, bad ones are named, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sawt.models import SCHEMA_VERSION, EpisodeRecord, RecordError, parse_record
from sawt.publishing.catalog import read_record, scan
from tests.conftest import ROOT, run_sawt
from tests.showkit import copy_show

OLD = ROOT / "tests" / "data" / "records" / "old-0.1.0.json"


def test_a_record_written_by_sawt_0_1_0_loads() -> None:
    record = parse_record(OLD.read_text("utf-8"), Path("old.json"))
    assert record.schema_version == SCHEMA_VERSION
    assert record.title == "مقال قديم" and record.author == "هيئة التحرير"
    assert record.audio.file == "old.mp3" and record.audio.bytes == 155483
    assert [c.title for c in record.chapters] == ["مقال قديم", "الخاتمة"]
    assert record.timeline[0].role == "title" and record.timeline[-1].end_ms <= record.duration_ms
    assert record.guid and record.guid.startswith("urn:uuid:")
    assert record.cleaning.dropped_paragraphs == 0 and record.synthesis.cached_pieces == 0


def test_round_trip_is_lossless() -> None:
    record = parse_record(OLD.read_text("utf-8"), Path("old.json"))
    again = parse_record(record.to_json(), Path("old.json"))
    assert again == record
    assert json.loads(record.to_json())["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "newer than this sawt"),
        (lambda d: d.update(timeline=None), "invalid field 'timeline'"),
        (lambda d: d.update(duration_ms="12s"), "invalid field 'duration_ms'"),
        (lambda d: d.pop("audio"), "invalid field 'audio'"),
        (lambda d: d.update(slug="other"), "does not match its file name"),
    ],
)
def test_bad_records_are_named(tmp_path: Path, change: object, message: str) -> None:
    data = json.loads(OLD.read_text("utf-8"))
    change(data)  # type: ignore[operator]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(RecordError) as info:
        read_record(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_corrupt_json_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"slug": "x", ', "utf-8")
    with pytest.raises(RecordError, match="not valid JSON") as info:
        read_record(path)
    assert info.value.path == path


def test_a_bad_record_never_hides_the_others(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    episodes = show / "episodes"
    good = {r.slug for r in scan(episodes).records}
    (episodes / "broken.json").write_text('{"slug": "broken", "timeline": null}', "utf-8")
    future = json.loads(OLD.read_text("utf-8")) | {"slug": "future", "schema_version": 99}
    (episodes / "future.json").write_text(json.dumps(future), "utf-8")
    for command in (("feed",), ("episodes",)):
        proc = run_sawt(*command, cwd=show)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert "broken.json" in proc.stderr and "future.json" in proc.stderr
    feed = (episodes / "feed.xml").read_text("utf-8")
    for slug in good:
        assert f"{slug}.mp3" in feed
    check = run_sawt("check", cwd=show)
    assert check.returncode != 0 and "future.json" in check.stdout + check.stderr


def test_every_record_in_the_sample_show_is_typed(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    records = scan(show / "episodes").records
    assert len(records) == 2
    assert all(isinstance(r, EpisodeRecord) and r.source_id for r in records)
    assert all(r.fingerprint and r.engine == "espeak" for r in records)


def test_the_fixture_is_untouched() -> None:
    # The fixture is sawt 0.1.0's own output: no schema_version key at all.
    assert "schema_version" not in json.loads(OLD.read_text("utf-8"))

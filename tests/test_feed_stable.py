"""feed.xml keeps its bytes (and its mtime) when nothing changed, so caches and rsync see no change."""

from __future__ import annotations

import email.utils
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from sawt import load_settings, publish, render
from sawt.config import Settings
from sawt.publishing.catalog import scan
from tests.fakeengine import FakeEngine, install
from tests.showkit import short_article, show_yaml


@pytest.fixture()
def show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SAWT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "podcast.yaml").write_text(show_yaml(image='""'), "utf-8")
    for n in (1, 2):
        (tmp_path / f"a{n}.md").write_text(short_article(n), "utf-8")
    return load_settings(tmp_path / "podcast.yaml")


def last_build_date(feed: Path) -> datetime | None:
    stamp = ET.parse(feed).getroot().find("channel/lastBuildDate")
    return (
        None if stamp is None or not stamp.text else email.utils.parsedate_to_datetime(stamp.text)
    )


def newest_record_time(settings: Settings) -> datetime:
    records = scan(settings.episodes_path()).records
    return max(datetime.fromisoformat(t) for r in records for t in (r.rendered_at, r.pub_date) if t)


def next_second() -> None:
    """Wait for the clock's next second, so a date taken from the clock would differ."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)


def test_rebuilding_unchanged_records_keeps_the_feed_bytes_and_mtime(show: Settings) -> None:
    feed = show.episodes_path() / "feed.xml"
    with install(FakeEngine()):
        render(show.root / "a1.md", show, "fake")
        publish(show)
        before, mtime = feed.read_bytes(), feed.stat().st_mtime_ns
        assert last_build_date(feed) == newest_record_time(show)

        next_second()
        again = publish(show)
        assert feed not in again.written
        assert feed.read_bytes() == before
        assert feed.stat().st_mtime_ns == mtime

        # A new episode is a change: new bytes, and the date of the newest render.
        render(show.root / "a2.md", show, "fake")
        changed = publish(show)
        assert feed in changed.written
        assert feed.read_bytes() != before
        assert last_build_date(feed) == newest_record_time(show)
        assert b"art-2" in feed.read_bytes()


def test_an_empty_show_has_a_stable_feed_without_a_build_date(show: Settings) -> None:
    feed = show.episodes_path() / "feed.xml"
    show.episodes_path().mkdir(parents=True, exist_ok=True)
    publish(show)
    before, mtime = feed.read_bytes(), feed.stat().st_mtime_ns
    assert last_build_date(feed) is None
    next_second()
    publish(show)
    assert (feed.read_bytes(), feed.stat().st_mtime_ns) == (before, mtime)

"""The feed, parsed by real podcast parsers: feedparser and gPodder's podcastparser."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import podcastparser
import pytest

from sawt.publishing.feed import PODCAST_NS, podcast_guid, synthetic_note
from sawt.text.web import encode_url
from tests.showkit import BASE_URL, NASTY_TITLE, SAMPLE, rendered_show

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
SAMPLE_TITLE = "تعزيز التعاون الأمني المغربي-الفرنسي لمواجهة التحديات الإقليمية والدولية"
NS = {"itunes": ITUNES, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rendered_show(tmp_path_factory)


@pytest.fixture(scope="module")
def records(show: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for slug in ("nasty", SAMPLE.stem):
        out[slug] = json.loads((show / "episodes" / f"{slug}.json").read_text("utf-8"))
    return out


def el(parent: ET.Element, path: str) -> ET.Element:
    """The element at ``path``, which must exist."""
    found = parent.find(path, NS)
    assert found is not None, f"no {path}"
    return found


def url(name: str) -> str:
    return encode_url(BASE_URL + name)


def test_urls_are_percent_encoded_once() -> None:
    assert url("a.mp3") == (
        "https://example.org/%D8%A8%D9%88%D8%AF%D9%83%D8%A7%D8%B3%D8%AA%20"
        "%D8%B5%D9%88%D8%AA/episodes/a.mp3"
    )
    assert encode_url(url("a.mp3")) == url("a.mp3")  # idempotent
    assert encode_url("https://ex.org/100%/a b?q=ق#x") == ("https://ex.org/100%25/a%20b?q=%D9%82#x")
    assert encode_url("http://[::1]:8000/ep isodes/") == "http://[::1]:8000/ep%20isodes/"
    assert encode_url("https://مثال.example/") == "https://xn--mgbh0fb.example/"


def test_podcast_guid_matches_the_spec_example() -> None:
    # The example in the Podcasting 2.0 namespace's podcast:guid documentation.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml/") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )


def test_xml_parses_and_declares_namespaces(show: Path) -> None:
    feed = show / "episodes" / "feed.xml"
    root = ET.parse(feed).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    declared = dict(ns for _, ns in ET.iterparse(feed, events=("start-ns",)))
    assert declared["itunes"] == ITUNES
    assert declared["podcast"] == PODCAST_NS
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    cat = channel.find("itunes:category", NS)
    assert cat is not None and cat.get("text") == "News"
    assert cat[0].get("text") == "Daily News"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "owner@newsroom.ma"
    assert el(channel, "itunes:image").get("href") == url("cover.png")
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    self_link = el(channel, "atom:link")
    assert self_link.get("rel") == "self" and self_link.get("href") == url("feed.xml")
    assert channel.findtext("link") != url("feed.xml")  # <link> is the site, not the feed
    bare = unquote(BASE_URL + "feed.xml").removeprefix("https://")
    assert channel.findtext("podcast:guid", namespaces=NS) == str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), bare)
    )
    locked = el(channel, "podcast:locked")
    assert locked.text == "no" and locked.get("owner") == "owner@newsroom.ma"
    assert (show / "episodes" / "cover.png").read_bytes() == (show / "cover.png").read_bytes()


def test_feedparser_sees_both_episodes(show: Path, records: dict[str, dict[str, Any]]) -> None:
    d = feedparser.parse(str(show / "episodes" / "feed.xml"))
    assert not d.bozo, d.get("bozo_exception")
    assert d.feed.title == "صوت & <تجربة>"
    by_title = {e.title: e for e in d.entries}
    assert set(by_title) == {NASTY_TITLE, SAMPLE_TITLE}
    for slug, title in (("nasty", NASTY_TITLE), (SAMPLE.stem, SAMPLE_TITLE)):
        entry, record = by_title[title], records[slug]
        (enc,) = [link for link in entry.links if link.rel == "enclosure"]
        assert enc.href == url(f"{slug}.mp3")
        assert enc.type == "audio/mpeg"
        assert int(enc.length) == (show / "episodes" / f"{slug}.mp3").stat().st_size
        assert int(entry.itunes_duration) == round(record["duration_ms"] / 1000)
        assert entry.id == record["guid"]
        # The lead, then one sentence saying the voice is synthetic.
        assert entry.summary == f"{record['summary']} {synthetic_note('ar')}"
        # feedparser keeps one element per name: the last transcript, the web page.
        assert entry.podcast_transcript["url"] == url(f"{slug}.html")
        assert entry.podcast_chapters["url"] == url(f"{slug}.chapters.json")
        assert entry.podcast_chapters["type"] == "application/json+chapters"


def test_both_transcripts_listed(show: Path) -> None:
    root = ET.parse(show / "episodes" / "feed.xml").getroot()
    for item in root.iter("item"):
        slug = Path(unquote(el(item, "enclosure").get("url", ""))).stem
        got = [
            (t.get("url"), t.get("type"), t.get("rel"))
            for t in item.findall("podcast:transcript", NS)
        ]
        assert got == [
            (url(f"{slug}.vtt"), "text/vtt", "captions"),
            (url(f"{slug}.srt"), "application/x-subrip", None),
            (url(f"{slug}.html"), "text/html", None),
        ]


def test_podcastparser_sees_both_episodes(show: Path) -> None:
    with open(show / "episodes" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse(url("feed.xml"), fh)
    assert parsed["title"] == "صوت & <تجربة>"
    assert parsed["explicit"] is False
    assert parsed["itunes_categories"] == [["News", "Daily News"]]
    assert parsed["cover_url"] == url("cover.png")
    episodes = {e["title"]: e for e in parsed["episodes"]}
    assert set(episodes) == {NASTY_TITLE, SAMPLE_TITLE}
    for slug, title in (("nasty", NASTY_TITLE), (SAMPLE.stem, SAMPLE_TITLE)):
        ep = episodes[title]
        (enc,) = ep["enclosures"]
        assert enc["url"] == url(f"{slug}.mp3")
        assert enc["file_size"] == (show / "episodes" / f"{slug}.mp3").stat().st_size
        assert enc["mime_type"] == "audio/mpeg"
        assert ep["total_time"] > 0


def test_podcastparser_sees_transcripts_and_chapters(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # podcastparser 0.6.11 (the newest release) only knows the namespace's old
    # GitHub URI; the spec makes https://podcastindex.org/namespace/1.0 the
    # namespace and tells clients to treat both as one. Teach it that alias,
    # exactly as the spec asks, and its own handlers find our tags.
    monkeypatch.setitem(podcastparser.Namespace.NAMESPACES, PODCAST_NS, "podcast")
    with open(show / "episodes" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse(url("feed.xml"), fh)
    for ep in parsed["episodes"]:
        slug = Path(unquote(ep["enclosures"][0]["url"])).stem
        assert ep["transcript_url"] in (url(f"{slug}.vtt"), url(f"{slug}.srt"), url(f"{slug}.html"))
        assert ep["chapters_json_url"] == url(f"{slug}.chapters.json")


def test_injection_title_is_escaped(show: Path) -> None:
    raw = (show / "episodes" / "feed.xml").read_text("utf-8")
    assert "<b>غامق</b>" not in raw
    assert "]]>" not in raw
    assert "&lt;b&gt;غامق&lt;/b&gt; &amp;" in raw
    chapters = json.loads((show / "episodes" / "nasty.chapters.json").read_text("utf-8"))
    assert chapters["chapters"][0]["title"] == NASTY_TITLE


def test_json_chapters_match_the_id3_chapters(
    show: Path, records: dict[str, dict[str, Any]]
) -> None:
    from mutagen.id3 import ID3

    for slug, record in records.items():
        data = json.loads((show / "episodes" / f"{slug}.chapters.json").read_text("utf-8"))
        assert data["version"] == "1.2.0"
        tags = ID3(show / "episodes" / f"{slug}.mp3")  # type: ignore[no-untyped-call]
        id3 = sorted((c.start_time, str(c.sub_frames["TIT2"])) for c in tags.getall("CHAP"))  # type: ignore[no-untyped-call]
        assert [(round(c["startTime"] * 1000), c["title"]) for c in data["chapters"]] == id3
        assert len(data["chapters"]) == len(record["chapters"]) >= 2

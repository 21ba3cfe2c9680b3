"""The feed carries the article: full text, link, the article's date, its picture (issue 10)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from mutagen.id3 import ID3

from sawt.publishing.catalog import read_record
from tests.showkit import new_show, run_sawt, write_png

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

SECTIONS = """---
title: "مقال بأقسام"
date: 2020-01-15
image: pics/photo.png
image_alt: "ملعب كبير"
---

مقدمة فيها [رابط الاتحاد](https://www.fifa.com/ar) ونص.

## القسم الأول

جملة أولى في القسم. وجملة ثانية.
"""

NO_SOURCE = """---
title: "بلا مصدر"
---

نص قصير بلا رابط للمصدر.
"""


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = new_show(tmp_path_factory.mktemp("feedtext"))
    (folder / "pics").mkdir()
    write_png(folder / "pics" / "photo.png", 600, 400)
    (folder / "sections.md").write_text(SECTIONS, "utf-8")
    (folder / "nosource.md").write_text(NO_SOURCE, "utf-8")
    proc = run_sawt("render", "sections.md", "nosource.md", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return folder


def _entries(show: Path) -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse(str(show / "episodes" / "feed.xml"))
    assert not parsed.bozo, parsed.bozo_exception
    return {e.title: e for e in parsed.entries}


def test_content_encoded_is_the_full_text_as_html(show: Path) -> None:
    entry = _entries(show)["مقال بأقسام"]
    html = entry.content[0].value
    assert "<h2>القسم الأول</h2>" in html
    assert '<a href="https://www.fifa.com/ar">رابط الاتحاد</a>' in html
    assert "جملة أولى في القسم. وجملة ثانية." in html
    assert "اصطناعي" in html  # the note that the voice is synthetic
    raw = (show / "episodes" / "feed.xml").read_text("utf-8")
    root = ET.fromstring(raw.encode())
    encoded = [el.text or "" for el in root.iter(f"{{{CONTENT_NS}}}encoded")]
    assert len(encoded) == 2 and all("<p>" in text for text in encoded)


def test_pub_date_is_the_articles_own_date(show: Path) -> None:
    entry = _entries(show)["مقال بأقسام"]
    assert tuple(entry.published_parsed[:3]) == (2020, 1, 15)


def test_link_falls_back_to_the_episode_page(show: Path) -> None:
    entry = _entries(show)["بلا مصدر"]
    assert entry.link.endswith("/nosource.html")


def test_the_episode_picture_is_everywhere(show: Path) -> None:
    episodes = show / "episodes"
    record = read_record(episodes / "sections.json")
    assert record.image == "sections.png" and record.image_alt == "ملعب كبير"
    assert (episodes / "sections.png").read_bytes() == (show / "pics" / "photo.png").read_bytes()
    entry = _entries(show)["مقال بأقسام"]
    assert entry.image["href"].endswith("/sections.png")
    apic = ID3(episodes / "sections.mp3").getall("APIC")  # type: ignore[no-untyped-call]
    assert apic and apic[0].data == (show / "pics" / "photo.png").read_bytes()
    page = (episodes / "sections.html").read_text("utf-8")
    assert 'src="sections.png"' in page and 'alt="ملعب كبير"' in page


def test_descriptions_say_the_voice_is_synthetic(show: Path) -> None:
    parsed = feedparser.parse(str(show / "episodes" / "feed.xml"))
    assert "اصطناعي" in parsed.feed.subtitle
    assert all("اصطناعي" in e.summary for e in parsed.entries)


def test_a_missing_picture_is_a_clear_error(tmp_path: Path) -> None:
    folder = new_show(tmp_path / "show")
    (folder / "a.md").write_text("---\ntitle: ت\nimage: nowhere.png\n---\n\nنص.\n", "utf-8")
    proc = run_sawt("render", "a.md", cwd=folder)
    assert proc.returncode == 2
    assert "a.md:3:" in proc.stderr and "nowhere.png" in proc.stderr
    assert "Traceback" not in proc.stderr and not (folder / "episodes" / "a.mp3").exists()


def test_check_reports_an_empty_feed_and_a_placeholder_email(tmp_path: Path) -> None:
    folder = new_show(tmp_path / "show")
    text = (
        (folder / "podcast.yaml")
        .read_text("utf-8")
        .replace("owner@newsroom.ma", "podcast@example.org")
    )
    (folder / "podcast.yaml").write_text(text, "utf-8")
    assert run_sawt("feed", cwd=folder).returncode == 0
    proc = run_sawt("check", cwd=folder)
    assert proc.returncode == 1
    assert "no episodes" in proc.stdout and "podcast@example.org is a placeholder" in proc.stdout


def test_check_reports_a_missing_page(show: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(show, copy)
    (copy / "episodes" / "nosource.html").unlink()
    proc = run_sawt("check", cwd=copy)
    assert proc.returncode == 1 and "nosource.html" in proc.stdout

"""The web edition's pages, parsed as HTML: structure, escaping, links, side files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import html

from sawt.models import Image, Link, parse_record
from sawt.read.article import parse_markdown
from sawt.web import (
    ASSETS,
    EpisodeFiles,
    PageBlock,
    PageChapter,
    PageEpisode,
    PageImage,
    PageLink,
    PageSentence,
    PageShow,
    build_episode_page,
    build_index_page,
    chapters_vtt,
    episode_from_record,
    transcript_txt,
    write_assets,
)
from sawt.web.pages import asset_text, podcast_link
from sawt.web.words import count_words, duration_words, language_runs, place_links, safe_href
from tests.webedition import HOSTILE_TITLE, Edition, shared_edition

SHOW = PageShow(
    title="صوت & <تجربة>",
    description="مقالات مقروءة",
    feed_url="https://example.org/بودكاست صوت/episodes/feed.xml",
    base_url="https://example.org/بودكاست صوت/episodes/",
    language="ar",
    cover=PageImage("cover.png", "غلاف البودكاست"),
)


def episode(title: str = "كأس العالم FIFA 2030", **extra: object) -> PageEpisode:
    """A small hand-made episode with two sections, a link and an image."""
    blocks = (
        PageBlock(
            "paragraph",
            (
                PageSentence("مقدمة قصيرة عن FIFA.", 3000, 6000),
                PageSentence("وفيها الملف المشترك للبلدان.", 6000, 9000),
            ),
            (PageLink("الملف المشترك", "https://example.org/bid"),),
            (PageImage("https://example.org/a.jpg", "ملعب كبير"),),
        ),
        PageBlock("heading", (PageSentence("الملاعب", 10000, 11000),)),
        PageBlock("paragraph", (PageSentence("تعمل شركة OCP على المشاريع.", 12000, 15000),)),
        PageBlock("heading", (PageSentence("التمويل", 16000, 17000),)),
        PageBlock(
            "paragraph",
            (PageSentence("قالت Céline Berton إن التعاون مستمر.", 18000, 21000),),
            (PageLink("خطر", "javascript:alert(1)"), PageLink("رابط آخر", "https://e.org/x")),
        ),
    )
    fields: dict[str, object] = {
        "slug": "ep",
        "title": title,
        "author": "كاتب",
        "source_url": "https://example.org/news/1",
        "article_date": "2020-01-15",
        "audio_date": "2026-03-02T10:00:00+00:00",
        "duration_ms": 200_000,
        "engine": "espeak",
        "engine_label": "eSpeak NG",
        "language": "ar",
        "files": EpisodeFiles.for_slug("ep"),
        "chapters": (
            PageChapter(title, 0, 10000),
            PageChapter("الملاعب", 10000, 16000),
            PageChapter("التمويل", 16000, 200_000),
        ),
        "blocks": blocks,
        "summary": "مقدمة قصيرة.",
        "mp3_bytes": 1_600_000,
    }
    fields.update(extra)
    return PageEpisode(**fields)  # type: ignore[arg-type]


def parse(page: str) -> html.HtmlElement:
    return html.document_fromstring(page)


def test_page_language_direction_and_latin_words() -> None:
    doc = parse(build_episode_page(SHOW, episode()))
    assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
    marked = {
        (s.text_content(), s.get("lang"), s.get("dir"))
        for s in doc.iter("span")
        if s.get("lang") in ("en", "fr")
    }
    assert ("FIFA", "en", "ltr") in marked
    assert ("OCP", "en", "ltr") in marked
    assert ("Céline Berton", "fr", "ltr") in marked


def test_headings_are_h2_and_match_the_chapters() -> None:
    ep = episode()
    doc = parse(build_episode_page(SHOW, ep))
    article_headings = [h.text_content() for h in doc.cssselect("#transcript .text h2")]
    assert article_headings == [c.title for c in ep.chapters[1:]]
    assert [h.text_content() for h in doc.iter("h1")] == [ep.title]


def test_audio_tracks_and_no_autoplay() -> None:
    doc = parse(build_episode_page(SHOW, episode()))
    (audio,) = doc.iter("audio")
    assert audio.get("controls") is not None and audio.get("preload") == "metadata"
    assert audio.get("autoplay") is None and audio.get("src") == "ep.mp3"
    tracks = {t.get("kind"): t for t in audio.iter("track")}
    assert (
        tracks["captions"].get("src") == "ep.vtt" and tracks["captions"].get("default") is not None
    )
    assert tracks["captions"].get("srclang") == "ar" and tracks["captions"].get("label")
    assert tracks["chapters"].get("src") == "ep.chapters.vtt"


def test_chapter_links_are_media_fragments() -> None:
    doc = parse(build_episode_page(SHOW, episode()))
    links = doc.cssselect("#chapters a")
    assert [a.get("href") for a in links] == ["ep.mp3#t=0", "ep.mp3#t=10", "ep.mp3#t=16"]
    assert [a.get("data-t") for a in links] == ["0", "10000", "16000"]
    assert links[1].text_content() == "0:10 الملاعب"


def test_transcript_sentences_links_and_images() -> None:
    doc = parse(build_episode_page(SHOW, episode()))
    sentences = doc.cssselect("#transcript .s")
    assert [s.get("data-t") for s in sentences] == [
        "3000",
        "6000",
        "10000",
        "12000",
        "16000",
        "18000",
    ]
    (inline,) = sentences[1].iter("a")
    assert (
        inline.text_content() == "الملف المشترك" and inline.get("href") == "https://example.org/bid"
    )
    # A link whose text is not in the sentences is listed after its paragraph;
    # a javascript: link is dropped.
    hrefs = [a.get("href") for a in doc.cssselect("#transcript a")]
    assert "https://e.org/x" in hrefs and not any("javascript" in h for h in hrefs)
    # A remote image becomes a link with its alt text: the page makes no request elsewhere.
    assert not doc.cssselect("#transcript img")
    assert any(a.text_content() == "صورة: ملعب كبير" for a in doc.cssselect("#transcript a"))


def test_page_facts_downloads_and_subscribe_links() -> None:
    page = build_episode_page(SHOW, episode())
    doc = parse(page)
    text = doc.text_content()
    assert "15 يناير 2020" in text and "2 مارس 2026" in text
    assert "ثلاث دقائق و20 ثانية" in text
    assert doc.cssselect('time[datetime="PT3M20S"]')
    assert "اصطناعي" in text and "eSpeak NG" in text
    hrefs = {a.get("href") for a in doc.iter("a")}
    assert {"ep.mp3", "ep.vtt", "ep.srt", "ep.txt", "https://example.org/news/1"} <= hrefs
    feed = "https://example.org/%D8%A8%D9%88%D8%AF%D9%83%D8%A7%D8%B3%D8%AA%20%D8%B5%D9%88%D8%AA/episodes/feed.xml"
    assert feed in hrefs and "podcast://" + feed.removeprefix("https://") in hrefs
    skip = doc.cssselect("a.skip")[0]
    assert skip.get("href") == "#transcript" and doc.get_element_by_id("transcript") is not None


def test_no_external_resources() -> None:
    for page in (build_episode_page(SHOW, episode()), build_index_page(SHOW, [episode()])):
        doc = parse(page)
        for el in doc.xpath("//script|//img|//audio|//track|//link[@rel='stylesheet']|//source"):
            url = el.get("src") or el.get("href") or ""
            assert url and not re.match(r"^[a-z]+:|^//", url), url


def test_hostile_title_is_text() -> None:
    page = build_episode_page(SHOW, episode(title=HOSTILE_TITLE))
    doc = parse(page)
    assert doc.find(".//h1").text_content() == HOSTILE_TITLE
    assert doc.find(".//title").text_content().startswith(HOSTILE_TITLE)
    assert [s.get("src") for s in doc.iter("script")] == ["sawt-web.js"]
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_index_newest_first_with_cover_and_subscribe() -> None:
    old = episode(
        title="قديم", slug="old", article_date="2020-01-15", files=EpisodeFiles.for_slug("old")
    )
    new = episode(title="جديد", slug="new", article_date=None, files=EpisodeFiles.for_slug("new"))
    doc = parse(build_index_page(SHOW, [old, new]))
    assert [a.get("href") for a in doc.cssselect(".episodes h3 a")] == ["new.html", "old.html"]
    (cover,) = doc.iter("img")
    assert cover.get("src") == "cover.png" and cover.get("alt") == "غلاف البودكاست"
    assert any((a.get("href") or "").startswith("podcast://") for a in doc.iter("a"))
    assert "اصطناعي" in doc.text_content()


def test_assets_written_once(tmp_path: Path) -> None:
    assert sorted(p.name for p in write_assets(tmp_path)) == sorted(ASSETS)
    assert write_assets(tmp_path) == []
    assert (tmp_path / "sawt-web.css").read_text("utf-8") == asset_text("sawt-web.css")


def test_chapters_vtt_and_transcript_txt() -> None:
    ep = episode(title="عنوان <مهم> & -->")
    vtt = chapters_vtt(ep.chapters)
    cues = re.findall(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.*)", vtt)
    assert vtt.startswith("WEBVTT\n\n")
    assert cues[0] == ("00:00:00.000", "00:00:10.000", "عنوان &lt;مهم&gt; &amp; --&gt;")
    assert [c[0] for c in cues] == ["00:00:00.000", "00:00:10.000", "00:00:16.000"]
    text = transcript_txt(ep)
    assert text.startswith("عنوان <مهم> & -->\nكاتب\n")
    assert "## الملاعب" in text and "قالت Céline Berton إن التعاون مستمر." in text


def test_words() -> None:
    assert [count_words(n, "minute") for n in (1, 2, 3, 10, 11, 25, 103)] == [
        "دقيقة واحدة",
        "دقيقتان",
        "ثلاث دقائق",
        "عشر دقائق",
        "11 دقيقة",
        "25 دقيقة",
        "103 دقائق",
    ]
    assert duration_words(42_400) == "42 ثانية"
    assert duration_words(120_000) == "دقيقتان"
    assert duration_words(61_000) == "دقيقة واحدة وثانية واحدة"
    assert duration_words(3_900_000) == "ساعة واحدة وخمس دقائق"
    assert [(r.text, r.lang) for r in language_runs("قال FIFA، و OCP")] == [
        ("قال ", None),
        ("FIFA", "en"),
        ("، و ", None),
        ("OCP", "en"),
    ]
    assert safe_href("javascript:alert(1)") is None and safe_href(" JavaScript:x") is None
    assert safe_href("https://e.org") == "https://e.org" and safe_href("pic.png") == "pic.png"
    placed, rest = place_links(
        ["أ ب ج.", "د ب."], [PageLink("ب", "u1"), PageLink("ب", "u2"), PageLink("س", "u3")]
    )
    assert [p.href for p in placed[0]] == [None, "u1", None]
    assert [p.href for p in placed[1]] == [None, "u2", None]  # the same text, the next sentence
    assert [link.href for link in rest] == ["u3"]


def test_podcast_link() -> None:
    assert podcast_link("https://e.org/feed.xml") == "podcast://e.org/feed.xml"
    assert podcast_link("http://localhost:8000/feed.xml") == "podcast://localhost:8000/feed.xml"


def test_markdown_keeps_links_and_images() -> None:
    article = parse_markdown(
        "# T\n\n![صورة أولى](a.png)\n\nنص فيه [رابط **مهم**](https://e.org/x) هنا.\n\n"
        "## عنوان [ب](https://e.org/b)\n\n- بند [ج](https://e.org/c)\n- بند\n\n![أخيرة](c.png)\n",
        Path("x.md"),
    )
    para, heading, items = article.blocks
    assert para.links == (Link("رابط مهم", "https://e.org/x"),)
    assert para.images == (Image("a.png", "صورة أولى"),)
    assert heading.links == (Link("ب", "https://e.org/b"),) and heading.text == "عنوان ب"
    assert items.links == (Link("ج", "https://e.org/c"),) and items.images == (
        Image("c.png", "أخيرة"),
    )


def test_record_adapter_joins_pieces_of_one_sentence() -> None:
    def entry(
        i: int, role: str, block: int, sentence: int, start: int, text: str
    ) -> dict[str, object]:
        return {
            "index": i,
            "role": role,
            "block": block,
            "sentence": sentence,
            "start_ms": start,
            "end_ms": start + 900,
            "original": text,
            "spoken": text,
        }

    record = {
        "slug": "r",
        "title": "ع",
        "author": None,
        "date": "2021-05-01",
        "source_url": None,
        "language": "ar",
        "engine": "gtts",
        "rendered_at": "2026-01-01T00:00:00+00:00",
        "pub_date": "2025-12-31T00:00:00+00:00",
        "duration_ms": 9000,
        "summary": "م",
        "audio": {"file": "r.mp3", "bytes": 1234},
        "chapters": [{"title": "ع", "start_ms": 0, "end_ms": 9000}],
        "timeline": [
            entry(0, "title", -1, 0, 0, "ع"),
            entry(1, "body", 0, 0, 1000, "جزء أول،"),
            entry(2, "body", 0, 0, 2000, "جزء ثان."),
            entry(3, "body", 0, 1, 3000, "جملة أخرى."),
            entry(4, "heading", 1, 0, 4000, "قسم"),
        ],
        "blocks": [{"links": [{"text": "أخرى", "href": "https://e.org"}], "images": []}, {}],
    }
    ep = episode_from_record(parse_record(json.dumps(record), Path("r.json")))
    assert ep.engine_label == "Google Translate (gTTS)" and ep.mp3_bytes == 1234
    assert ep.audio_date.startswith("2025-12-31") and ep.article_date == "2021-05-01"
    first, second = ep.blocks
    assert [(s.text, s.start_ms, s.end_ms) for s in first.sentences] == [
        ("جزء أول، جزء ثان.", 1000, 2900),
        ("جملة أخرى.", 3000, 3900),
    ]
    assert first.links == (PageLink("أخرى", "https://e.org"),)
    assert second.kind == "heading" and second.text == "قسم"


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Edition:
    return shared_edition(tmp_path_factory)


@pytest.mark.slow
def test_sample_page_weight_and_sections(edition: Edition) -> None:
    sample = edition.pages["000_f15fce85f70c3c01"]
    page = edition.episodes / sample.files.page
    weight = page.stat().st_size + sum((edition.episodes / a).stat().st_size for a in ASSETS)
    assert weight <= 100_000, weight
    doc = parse(page.read_text("utf-8"))
    spoken = " ".join(s.text_content() for s in doc.cssselect("#transcript .s"))
    assert "سيلين بيرتون" in spoken and len(doc.cssselect("#chapters a")) == len(sample.chapters)
    sections = parse((edition.episodes / "sections.html").read_text("utf-8"))
    assert [h.text_content() for h in sections.cssselect(".text h2")] == [
        "الملاعب والبنية التحتية",
        "التمويل والشراكات",
    ]
    assert [c.title for c in edition.pages["sections"].chapters[1:]] == [
        "الملاعب والبنية التحتية",
        "التمويل والشراكات",
    ]
    (link,) = sections.cssselect(".text a[href='https://example.org/bid']")
    assert link.text_content() == "الملف المشترك"
    assert sections.cssselect(".text span[lang=en]")[0].text_content() == "FIFA"

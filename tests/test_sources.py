"""`sources:` in podcast.yaml, feed items, URL slugs, the state file, and `sawt render URL`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from sawt.config import load_settings
from sawt.config.sources import Source
from sawt.errors import ConfigError
from sawt.read.fetch import FetchError
from sawt.read.newsfeed import parse_feed
from sawt.sources.state import ArticleState, State, load_state, save_state
from sawt.speech.engines import check_engine_names
from sawt.text.slugs import slug_from_url
from tests.conftest import run_sawt
from tests.fakesite import ARTICLES, LEGACY_SLUG, TRACKED_SLUG, FakeSite


def write_config(folder: Path, text: str) -> Path:
    path = folder / "podcast.yaml"
    path.write_text(text, "utf-8")
    return path


def test_sources_are_typed_and_validated(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "title: راديو\n"
        "expire_days: 30\n"
        "sources:\n"
        "  - feed: https://news.example/rss\n"
        "    include: ['*/news/*', 're:/economy/\\d+']\n"
        "    exclude: ['*/sport/*']\n"
        "    max_age_days: 2\n"
        "    language: ar\n"
        "    limit: 5\n"
        "    engine: espeak\n"
        "    lexicon: [{match: حموشي, say: حَمُّوشِي}]\n",
    )
    settings = load_settings(config)
    [source] = settings.sources
    assert settings.expire_days == 30 and not settings.allow_private_addresses
    assert source.limit == 5 and source.engine == "espeak" and source.lexicon[0].say == "حَمُّوشِي"
    assert source.wants("https://news.example/news/1")
    assert source.wants("https://news.example/economy/42")
    assert not source.wants("https://news.example/sport/news/3")  # excluded
    assert not source.wants("https://news.example/about")  # not included


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (
            "sources:\n  - feed: https://a.example/rss\n  - feed: file:///etc/passwd\n",
            3,
            "sources.1.feed",
        ),
        ("sources:\n  - feed: https://a.example/rss\n    limt: 3\n", 3, "sources.0.limt"),
        (
            "sources:\n  - feed: https://a.example/rss\n    include: ['re:(']\n",
            3,
            "not a valid regex",
        ),
        ("sources:\n  - feed: https://a.example/rss\n    engine: nope\n", 3, "unknown engine"),
        ("sources:\n  - feed: https://a.example/rss\n    max_age_days: -1\n", 3, "max_age_days"),
        ("expire_days: 0\n", 1, "expire_days"),
    ],
)
def test_bad_source_names_the_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    config = write_config(tmp_path, "title: راديو\n" + body)
    with pytest.raises(ConfigError) as caught:
        check_engine_names(load_settings(config))  # engine names: against the registry
    assert f"podcast.yaml:{line + 1}:" in str(caught.value)
    assert words in str(caught.value)


def test_update_with_bad_config_exits_2_and_names_the_line(tmp_path: Path) -> None:
    write_config(tmp_path, "sources:\n  - feed: ftp://a.example/rss\n")
    proc = run_sawt("update", cwd=tmp_path)
    assert proc.returncode == 2
    assert "podcast.yaml:2:" in proc.stderr and "sources.0.feed" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_sawt("update", cwd=empty)
    assert proc.returncode == 2 and "no sources to follow" in proc.stderr
    assert not (empty / "episodes" / "sources.json").exists()


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://x.ma/economie/budget-2026.html", "budget-2026"),
        (
            "https://x.net/news/2024/5/12/%D8%A3%D8%B3%D8%B9%D8%A7%D8%B1-%D8%A7%D9%84%D9%86%D9%81%D8%B7",
            "asar-alnft",
        ),
        ("https://x.ma/economie/12345", "economie-12345"),
        ("https://x.ma/news/sources", "sources-page"),  # sources.json is sawt's own
        ("https://x.ma/Été/Noël", "noel"),
    ],
)
def test_slug_from_url(url: str, slug: str) -> None:
    assert slug_from_url(url) == slug


def test_slug_from_url_without_a_path_is_stable_and_safe() -> None:
    slug = slug_from_url("https://x.ma/")
    assert slug == slug_from_url("https://x.ma/") and slug.startswith("page-")
    assert slug != slug_from_url("https://y.ma/")


def test_feed_items_rss_and_atom() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b'<item><title>a</title><link>/news/a</link><guid isPermaLink="false">g-a</guid>'
        b"<pubDate>Sun, 29 Nov 2026 10:00:00 GMT</pubDate></item>"
        b"<item><title>b</title><link>file:///etc/passwd</link></item>"
        b"</channel></rss>"
    )
    items = parse_feed(rss, "https://news.example/feed.xml", "application/rss+xml")
    assert items[0].link == "https://news.example/news/a"  # relative links resolve
    assert items[1].link.startswith("file:")  # kept as given: the pass refuses it
    assert items[0].guid == "g-a" and items[0].published is not None
    assert items[0].published.isoformat() == "2026-11-29T10:00:00+00:00"
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><title>x</title><id>urn:x</id><link rel="alternate" href="https://n.example/x"/>'
        b"<updated>2026-11-28T08:00:00Z</updated></entry></feed>"
    )
    [entry] = parse_feed(atom, "https://n.example/atom", "application/atom+xml")
    assert entry.link == "https://n.example/x" and entry.guid == "urn:x"


def test_not_a_feed() -> None:
    with pytest.raises(FetchError, match="not an RSS or Atom feed"):
        parse_feed(b"%PDF-1.4 binary", "https://n.example/feed", "application/pdf")


def test_state_round_trip_and_damage(tmp_path: Path) -> None:
    state = State()
    state.articles["https://n.example/a"] = ArticleState(
        source="https://n.example/rss", url="https://n.example/a", slug="a", status="done"
    )
    save_state(tmp_path, state)
    assert load_state(tmp_path) == state
    assert not list(tmp_path.glob(".*.part"))  # written through a temp file, moved into place
    (tmp_path / "sources.json").write_text('{"version": 1, "articles": {"x": {}}}', "utf-8")
    with pytest.raises(ConfigError, match="sources state is damaged"):
        load_state(tmp_path)


def test_source_defaults() -> None:
    source = Source(feed="https://n.example/rss")
    assert source.wants("https://anything.example/")
    assert source.limit is None and source.max_age_days is None


# ------------------------------------------------------------ sawt render URL


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


@pytest.fixture()
def show(tmp_path: Path) -> Path:
    write_config(
        tmp_path, "engine: espeak\nallow_private_addresses: true\nlink: https://radio.example/\n"
    )
    return tmp_path


def test_render_url_like_a_saved_page(site: FakeSite, show: Path) -> None:
    mark = site.mark()
    url = site.article_url(TRACKED_SLUG) + "?utm_source=rss"
    proc = run_sawt("render", url, cwd=show)
    assert proc.returncode == 0, proc.stderr
    record = json.loads((show / "episodes" / f"{TRACKED_SLUG}.json").read_text("utf-8"))
    assert record["source_url"] == site.article_url(TRACKED_SLUG)  # the canonical link
    assert record["title"] == ARTICLES[TRACKED_SLUG][0]
    spoken = [e["original"] for e in record["timeline"]]
    assert ARTICLES[TRACKED_SLUG][1][-1] in spoken
    assert not any("اقرأ أيضا" in t or "مقال مفيد" in t for t in spoken)
    feed = feedparser.parse((show / "episodes" / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 1
    agents = {r.user_agent for r in site.requests_since(mark)}
    assert agents == {"sawt/0.1.0 (+https://radio.example/)"}


def test_render_url_windows_1256(site: FakeSite, show: Path) -> None:
    proc = run_sawt("render", site.article_url(LEGACY_SLUG), "--dry-run", "--json", cwd=show)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["title"] == ARTICLES[LEGACY_SLUG][0] and data["slug"] == LEGACY_SLUG
    assert not (show / "episodes").exists()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/news/nothing-here", "page not found (404)"),
        ("/files/report.pdf", "not an HTML page but application/pdf"),
        ("/empty", "no article to read"),
        ("/loop/a", "redirect loop"),
        ("/private/markets", "robots.txt disallows"),
    ],
)
def test_render_url_errors_exit_2(site: FakeSite, show: Path, path: str, words: str) -> None:
    proc = run_sawt("render", site.url(path), cwd=show)
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr
    assert not list((show / "episodes").glob("*.mp3")) if (show / "episodes").exists() else True


def test_render_url_refuses_loopback_by_default(site: FakeSite, tmp_path: Path) -> None:
    write_config(tmp_path, "engine: espeak\n")
    mark = site.mark()
    proc = run_sawt("render", site.article_url("markets"), cwd=tmp_path)
    assert proc.returncode == 2 and "private or loopback address" in proc.stderr
    assert site.requests_since(mark) == []


def test_render_url_refuses_file_urls(tmp_path: Path) -> None:
    write_config(tmp_path, "engine: espeak\nallow_private_addresses: true\n")
    proc = run_sawt("render", "file:///etc/passwd", cwd=tmp_path)
    assert proc.returncode == 2 and "not an http:// or https:// address" in proc.stderr

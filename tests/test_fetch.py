"""Fetching pages and feeds: safety, politeness, charsets, and clear errors (a real local site)."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sawt.config.sources import FetchSettings
from sawt.errors import InputError
from sawt.read.fetch import (
    HTML_TYPES,
    Fetcher,
    FetchError,
    decode_page,
    retry_after_s,
    user_agent,
)
from sawt.read.pages import read_page
from tests.fakegoogle.server import server_ssl_context
from tests.fakesite import ARTICLES, LEGACY_SLUG, TRACKED_SLUG, FakeSite

FAST = FetchSettings(timeout=1.0, backoff=0.01, retries=2, max_retry_after=5)


class Sleeps:
    """Records the waits a Fetcher asks for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture()
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


@pytest.fixture()
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture()
def fetcher(sleeps: Sleeps) -> Iterator[Fetcher]:
    agent = user_agent("https://radio.example/")
    with Fetcher(FAST, agent=agent, allow_private=True, sleep=sleeps) as client:
        yield client


def test_page_is_read_like_a_saved_page(site: FakeSite, fetcher: Fetcher) -> None:
    page = read_page(fetcher, site.article_url("markets"))
    assert page is not None
    title, paragraphs = ARTICLES["markets"]
    assert page.article.title == title
    texts = [b.text for b in page.article.blocks]
    assert texts[-3:] == paragraphs  # menus, share bar, «اقرأ أيضا» and comments are left out
    assert not any("اقرأ أيضا" in t or "شارك" in t or "مقال مفيد" in t for t in texts)
    assert page.source_url == site.article_url("markets")
    assert page.html.startswith(f"<!-- saved from url=(00{len(page.source_url)}){page.source_url}")
    [request] = [r for r in site.requests_since() if r.path == "/news/markets"]
    assert request.user_agent == "sawt/0.1.0 (+https://radio.example/)"


def test_canonical_link_wins_over_the_tracking_url(site: FakeSite, fetcher: Fetcher) -> None:
    page = read_page(fetcher, site.article_url(TRACKED_SLUG) + "?utm_source=rss")
    assert page is not None
    assert page.url.endswith("?utm_source=rss")
    assert page.source_url == site.article_url(TRACKED_SLUG)


def test_windows_1256_declared_only_in_meta(site: FakeSite, fetcher: Fetcher) -> None:
    response = fetcher.get(site.article_url(LEGACY_SLUG))
    assert response.charset is None and b"windows-1256" in response.body
    page = read_page(fetcher, site.article_url(LEGACY_SLUG))
    assert page is not None and page.article.title == ARTICLES[LEGACY_SLUG][0]


def test_charset_order_header_then_meta_then_detection() -> None:
    text = "<html><body><p>مرحبا بكم في الموقع الإخباري</p></body></html>"
    legacy = text.encode("cp1256")
    assert decode_page(legacy, "windows-1256", "http://x/a") == text  # the header
    meta = b'<meta charset="windows-1256">' + legacy
    assert "مرحبا" in decode_page(meta, None, "http://x/a")  # <meta>
    assert decode_page(legacy, None, "http://x/a") == text  # detection
    assert decode_page(text.encode(), "windows-1256", "http://x/a") != text  # header wins
    assert decode_page(text.encode(), "no-such-charset", "http://x/a") == text  # bad label


def test_conditional_get_answers_304(site: FakeSite, fetcher: Fetcher) -> None:
    first = fetcher.get(site.feed_url)
    assert first.status == 200 and first.etag
    again = fetcher.get(site.feed_url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    site.add_article("later")
    changed = fetcher.get(site.feed_url, etag=first.etag, last_modified=first.last_modified)
    assert changed.status == 200 and b"later" in changed.body


@pytest.mark.parametrize(("status", "word"), [(404, "not found"), (410, "gone")])
def test_404_and_410_are_clear_input_errors(
    site: FakeSite, fetcher: Fetcher, status: int, word: str
) -> None:
    site.set_status("sport", status)
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.article_url("sport"))
    assert caught.value.gone and caught.value.exit_code == 2
    assert isinstance(caught.value, InputError)
    assert word in str(caught.value) and site.article_url("sport") in str(caught.value)


def test_pdf_is_not_a_web_page(site: FakeSite, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="not an HTML page but application/pdf"):
        read_page(fetcher, site.url("/files/report.pdf"))


def test_page_without_an_article(site: FakeSite, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="no article to read"):
        read_page(fetcher, site.url("/empty"))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)"]
)
def test_only_http_and_https(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError, match=r"not an http:// or https:// address"):
        fetcher.get(url)


def test_redirects_followed_and_loops_refused(site: FakeSite, fetcher: Fetcher) -> None:
    moved = fetcher.get(site.url("/moved/markets"))
    assert moved.url == site.article_url("markets") and moved.status == 200
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.get(site.url("/loop/a"))
    assert len([r for r in site.requests_since() if r.path.startswith("/loop/")]) == 2


def test_too_many_redirects(site: FakeSite, sleeps: Sleeps) -> None:
    strict = FAST.model_copy(update={"max_redirects": 0})
    with (
        Fetcher(strict, agent="t", allow_private=True, sleep=sleeps) as client,
        pytest.raises(FetchError, match="more than 0 redirects"),
    ):
        client.get(site.url("/moved/markets"))


@pytest.mark.parametrize("path", ["/big", "/big-declared"])
def test_50_mb_response_is_refused(site: FakeSite, fetcher: Fetcher, path: str) -> None:
    with pytest.raises(FetchError, match="too large"):
        fetcher.get(site.url(path))


def test_slow_response_times_out(site: FakeSite, fetcher: Fetcher) -> None:
    site.delay("/news/sport", 3.0)
    with pytest.raises(FetchError, match="timed out") as caught:
        fetcher.get(site.article_url("sport"))
    assert caught.value.transient


def test_500s_then_success(site: FakeSite, fetcher: Fetcher, sleeps: Sleeps) -> None:
    site.fail("/news/markets", 500, times=2)
    response = fetcher.get(site.article_url("markets"))
    assert response.status == 200
    statuses = [r.status for r in site.requests_since() if r.path == "/news/markets"]
    assert statuses == [500, 500, 200]
    assert len(sleeps.calls) == 2 and sleeps.calls[1] > sleeps.calls[0]  # backoff doubles


def test_500s_beyond_the_retries_fail(site: FakeSite, fetcher: Fetcher) -> None:
    site.fail("/news/markets", 500, times=5)
    with pytest.raises(FetchError, match="server answered 500") as caught:
        fetcher.get(site.article_url("markets"))
    assert caught.value.transient


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(
    site: FakeSite, fetcher: Fetcher, sleeps: Sleeps, status: int
) -> None:
    site.fail("/news/weather", status, times=1, retry_after=3)
    response = fetcher.get(site.article_url("weather"))
    assert response.status == 200
    assert sleeps.calls and sleeps.calls[0] == pytest.approx(3.0, abs=0.5)


def test_retry_after_beyond_the_bound_fails_without_waiting(
    site: FakeSite, fetcher: Fetcher, sleeps: Sleeps
) -> None:
    site.fail("/news/weather", 429, times=1, retry_after=3600)
    with pytest.raises(FetchError, match="asks to wait 3600 s"):
        fetcher.get(site.article_url("weather"))
    assert sleeps.calls == []
    assert len([r for r in site.requests_since() if r.path == "/news/weather"]) == 1


def test_retry_after_forms() -> None:
    assert retry_after_s("7") == 7
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 10) == pytest.approx(10)
    assert retry_after_s("soon") is None


def test_robots_txt_disallow_is_honoured_and_read_once(site: FakeSite, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"robots\.txt disallows"):
        fetcher.get(site.url("/private/markets"))
    fetcher.get(site.article_url("markets"))
    fetcher.get(site.article_url("sport"))
    paths = [r.path for r in site.requests_since()]
    assert "/private/markets" not in paths
    assert paths.count("/robots.txt") == 1


def test_robots_txt_crawl_delay_spaces_the_requests(site: FakeSite, sleeps: Sleeps) -> None:
    """Crawl-delay: 3 → each page request starts 3 s after the previous one's start.

    The Fetcher's sleep is recorded, not slept, so its clock hardly moves: the
    second page waits about 3 s, the third about 6 s (its reserved slot).
    """
    site.robots_txt = "User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n"
    with Fetcher(FAST, agent="t", allow_private=True, sleep=sleeps) as client:
        for name in ("markets", "sport", "markets"):
            client.get(site.article_url(name))
    assert [round(s) for s in sleeps.calls] == [3, 6]


def test_a_huge_crawl_delay_is_capped(site: FakeSite, sleeps: Sleeps) -> None:
    site.robots_txt = "User-agent: sawt\nCrawl-delay: 86400\n"
    capped = FAST.model_copy(update={"max_crawl_delay": 10.0})
    with Fetcher(capped, agent="t", allow_private=True, sleep=sleeps) as client:
        client.get(site.article_url("markets"))
        client.get(site.article_url("sport"))
    assert [round(s) for s in sleeps.calls] == [10]


def test_no_crawl_delay_no_wait(site: FakeSite, fetcher: Fetcher, sleeps: Sleeps) -> None:
    fetcher.get(site.article_url("markets"))
    fetcher.get(site.article_url("sport"))
    assert sleeps.calls == []


def test_robots_txt_that_fails_means_disallowed(site: FakeSite, fetcher: Fetcher) -> None:
    site.fail("/robots.txt", 500, times=10)
    with pytest.raises(FetchError, match=r"robots\.txt disallows"):
        fetcher.get(site.article_url("markets"))


def test_private_and_loopback_addresses_refused_by_default(site: FakeSite) -> None:
    with Fetcher(FAST, agent="t") as client:
        for url in (
            site.article_url("markets"),
            site.article_url("markets").replace("127.0.0.1", "localhost"),
        ):
            with pytest.raises(FetchError, match="private or loopback address") as caught:
                client.get(url)
            assert "allow_private_addresses" in str(caught.value)
    assert site.requests_since() == []


def test_at_most_two_requests_at_once_per_host(site: FakeSite, fetcher: Fetcher) -> None:
    fetcher.get(site.url("/robots.txt"))
    for slug in ARTICLES:
        site.delay(f"/news/{slug}", 0.3)
    with ThreadPoolExecutor(6) as pool:
        list(
            pool.map(
                lambda s: fetcher.get(site.article_url(s), accept=HTML_TYPES),
                [*ARTICLES, *ARTICLES],
            )
        )
    assert site.max_active == 2


@pytest.fixture()
def tls_site(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server whose certificate nobody trusts."""
    context, _ = server_ssl_context()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_tls_error_is_clear(tls_site: str, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="TLS error") as caught:
        fetcher.get(tls_site + "robots.txt")
    assert not caught.value.transient and caught.value.exit_code == 2
    assert isinstance(ssl.SSLError, type)

"""A web page fetched by URL → a local ``.html`` copy that renders like a saved page.

The copy is the decoded page as UTF-8, headed by the browsers' "saved from"
comment naming the source URL (the canonical link when the page has one), so
the ordinary ``.html`` reader (trafilatura, ``sawt.webpage``) reads it exactly
as it reads a page saved by hand, and the episode keeps its ``source_url``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from sawt.config import Settings
from sawt.errors import InputError
from sawt.files import temp_dir, write_atomic
from sawt.read.document import Article
from sawt.read.fetch import HTML_TYPES, Fetcher, FetchError, decode_page, user_agent
from sawt.text.normalize import Boilerplate
from sawt.text.slugs import slug_from_url

_CANONICAL = re.compile(
    r"""<link\b(?=[^>]*\brel\s*=\s*["']?canonical\b)[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""",
    re.IGNORECASE,
)
_HTML_OPEN = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_LANG_ATTR = re.compile(r"""\s\blang\s*=\s*(["'][^"']*["']|\S+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    """A fetched article page, read and fingerprinted, ready to be saved for rendering."""

    url: str  # where it was fetched from, after redirects
    source_url: str  # canonical link, else ``url``
    html: str  # the copy's text (with the "saved from" comment)
    article: Article
    fingerprint: str  # of the extracted text: what the listener hears
    etag: str | None
    last_modified: str | None


def canonical_link(html: str, base: str) -> str | None:
    """The absolute ``<link rel="canonical">`` URL of a page, if it has an http(s) one."""
    m = _CANONICAL.search(html[:200_000])
    if not m:
        return None
    url = urljoin(base, m.group(1).strip())
    return url if url.startswith(("http://", "https://")) else None


def text_fingerprint(article: Article) -> str:
    """A hash of what is read aloud: title, byline, headings and paragraphs.

    Dates and everything trafilatura leaves out (menus, share bars, comments)
    are not in it, so a page that is only re-dated keeps its fingerprint.
    """
    digest = hashlib.sha256()
    for part in (
        article.title,
        article.author or "",
        *(f"{b.kind}:{b.text}" for b in article.blocks),
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _with_language(html: str, language: str | None) -> str:
    if not language:
        return html
    m = _HTML_OPEN.search(html)
    if not m:
        return f'<html lang="{language}">' + html
    attrs = _LANG_ATTR.sub("", m.group(1))
    return html[: m.start()] + f'<html lang="{language}"{attrs}>' + html[m.end() :]


def _copy_text(html: str, source_url: str, language: str | None) -> str:
    comment = f"<!-- saved from url=({len(source_url):04d}){source_url} -->\n"
    return comment + _with_language(html, language)


def read_page(
    fetcher: Fetcher,
    url: str,
    *,
    boilerplate: Boilerplate | None = None,
    language: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Page | None:
    """Fetch and read one article page; None when the server answers 304 Not Modified.

    Raises FetchError (or InputError for a page with no article) saying why not.
    """
    from sawt.read.webpage import parse_html  # trafilatura: imported only when a page is read

    response = fetcher.get(url, etag=etag, last_modified=last_modified, accept=HTML_TYPES)
    if response.not_modified:
        return None
    text = decode_page(response.body, response.charset, response.url)
    source = canonical_link(text, response.url) or response.url
    html = _copy_text(text.replace("\r\n", "\n").replace("\r", "\n"), source, language)
    try:
        article = parse_html(html, Path(slug_from_url(source) + ".html"), boilerplate)
    except InputError as exc:
        raise FetchError(f"no article to read: {exc.message}", url=response.url) from exc
    return Page(
        url=response.url,
        source_url=article.source_url or source,
        html=html,
        article=article,
        fingerprint=text_fingerprint(article),
        etag=response.etag,
        last_modified=response.last_modified,
    )


def save_copy(page: Page, folder: Path, slug: str) -> Path:
    """Write the page's copy as ``folder/<slug>.html`` (atomically); return its path."""
    path = folder / f"{slug}.html"
    write_atomic(path, page.html)
    return path


@contextlib.contextmanager
def fetched_pages(urls: list[str], settings: Settings) -> Iterator[list[Path]]:
    """`sawt render URL`: fetch each page into a temporary folder of ``<slug>.html`` copies.

    The slug comes from the URL path (the canonical one when the page has it);
    the folder and its copies are removed afterwards.
    """
    if not urls:
        yield []
        return
    boilerplate = Boilerplate.build(settings.boilerplate)
    agent = user_agent(settings.link or settings.base_url)
    with (
        temp_dir() as tmp,  # named for this process: swept after a kill -9
        Fetcher(
            settings.fetch, agent=agent, allow_private=settings.allow_private_addresses
        ) as fetcher,
    ):
        paths: list[Path] = []
        for url in urls:
            page = read_page(fetcher, url, boilerplate=boilerplate)
            if page is None:  # only a conditional GET answers 304, and none was sent
                raise InputError("the server answered 304 Not Modified to a plain GET", path=url)
            slug = base = slug_from_url(page.source_url)
            n = 1
            while (Path(tmp) / f"{slug}.html") in paths:
                n += 1
                slug = f"{base}-{n}"
            paths.append(save_copy(page, Path(tmp), slug))
        yield paths

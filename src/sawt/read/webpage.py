"""A saved web page → an Article; trafilatura keeps navigation and comments out."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from sawt.errors import InputError
from sawt.read.document import Article, Block
from sawt.text.normalize import Boilerplate
from sawt.text.tidy import tidy


def _extract_xml(html: str) -> str | None:
    import trafilatura

    # favor_precision: menus, share bars and "read also" lists are worse than a
    # missed paragraph; XML keeps subheadings as <head> elements.
    result: str | None = trafilatura.extract(
        html,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=True,
    )
    return result


# Browsers record where a saved page came from ("mark of the web"); sawt's own
# copies of fetched pages carry the same comment.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)


def saved_from(html: str) -> str | None:
    """The URL in a ``<!-- saved from url=(NNNN)… -->`` comment at the top of a page."""
    m = _SAVED_FROM.search(html[:4096])
    return m.group(1) if m and m.group(1).startswith(("http://", "https://")) else None


def page_language(html: str) -> str | None:
    """The primary language subtag of ``<html lang="…">``, lower case."""
    m = _HTML_LANG.search(html[:65536])
    return m.group(1).lower() if m else None


def _text(element: etree._Element) -> str:
    return tidy(" ".join(element.itertext()))


def _line_of(html: str, text: str) -> int:
    """Line of the page where ``text`` starts, for messages; 0 when it cannot be found."""
    probe = text[:24]
    pos = html.find(probe) if probe else -1
    return html.count("\n", 0, pos) + 1 if pos >= 0 else 0


def parse_html(html: str, path: Path, boilerplate: Boilerplate | None = None) -> Article:
    """Extract title, byline, date, paragraphs and subheadings from a web page."""
    xml = _extract_xml(html)
    if not xml:
        raise InputError("no article text found in the web page", path=path)
    try:
        doc = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:  # pragma: no cover - trafilatura writes valid XML
        raise InputError(f"could not read the extracted article: {exc}", path=path) from exc
    main = doc.find("main")
    title = tidy(doc.get("title") or "")
    blocks: list[Block] = []
    for element in main.iter("head", "p", "item", "quote") if main is not None else ():
        if (
            element.tag in ("p", "item")
            and element.getparent() is not None
            and any(a.tag in ("quote", "item") for a in element.iterancestors())
        ):
            continue  # read once, as part of its quote or list item
        text = _text(element)
        if not text or (boilerplate is not None and boilerplate.matches(text)):
            continue
        if element.tag == "head":
            if not blocks and (not title or text == title):
                title = title or text  # the page's own headline, not a subheading
                continue
            blocks.append(Block("heading", text, _line_of(html, text)))
        else:
            blocks.append(Block("paragraph", text, _line_of(html, text)))
    if not any(b.kind == "paragraph" for b in blocks):
        raise InputError("no paragraphs to read in the web page", path=path)
    if not title:
        title = blocks[0].text[:160]
    author = tidy(doc.get("author") or "") or None
    language = doc.get("language") or page_language(html) or "ar"
    return Article(
        path=path,
        title=title,
        blocks=tuple(blocks),
        author=author,
        date=doc.get("date") or None,
        source_url=doc.get("url") or saved_from(html),
        language=language[:2].lower(),
    )

"""A fetched RSS or Atom feed → its items (link, id, date), with feedparser.

feedparser reads RSS 0.9x/1.0/2.0 and Atom, tolerates the malformed feeds real
newsrooms publish, and never fetches anything itself when given bytes (external
entities are off).
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass
from datetime import datetime, timezone

from sawt.read.fetch import FetchError


@dataclass(frozen=True)
class FeedItem:
    """One article announced by a feed."""

    link: str
    guid: str | None
    title: str
    published: datetime | None  # UTC


def _published(entry: object) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = getattr(entry, key, None)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc)
    return None


def _link(entry: object) -> str | None:
    link = getattr(entry, "link", None)
    if link:
        return str(link).strip()
    for candidate in getattr(entry, "links", None) or ():
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"]).strip()
    return None


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> list[FeedItem]:
    """The items of a feed document, in feed order; FetchError if it is not a feed."""
    import feedparser

    headers = {"content-type": content_type} if content_type else {}
    headers["content-location"] = url  # relative links resolve against the feed
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        why = f": {problem}" if problem else ""
        raise FetchError(f"not an RSS or Atom feed{why}", url=url)
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = _link(entry)
        if not link:
            continue
        guid = getattr(entry, "id", None)
        items.append(
            FeedItem(
                link=link,
                guid=str(guid) if guid else None,
                title=str(getattr(entry, "title", "") or ""),
                published=_published(entry),
            )
        )
    return items

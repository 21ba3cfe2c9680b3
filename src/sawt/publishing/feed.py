"""The podcast feed: RSS 2.0 + iTunes (feedgen) + Podcasting 2.0 (a small extension)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from sawt.config import Settings
from sawt.errors import SawtError
from sawt.models import EpisodeRecord
from sawt.publishing.outputs import get
from sawt.version import __version__

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
# The namespace the Podcasting 2.0 spec fixes for podcast:guid (UUIDv5).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_NAME = "feed.xml"
# feedgen's own name "podcast" is the iTunes extension; ours needs another.
EXT_NAME = "podcastindex"

# Characters XML 1.0 cannot carry at all (lxml refuses them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def xml_text(text: object) -> str:
    """Text made safe for XML 1.0 (escaping itself is lxml's job)."""
    return _NOT_XML.sub("", str(text))


def encode_url(url: str) -> str:
    """Percent-encode a URL's path, query and fragment (and IDNA its host), once."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username:  # pragma: no cover - credentials in a feed URL are unusual
        netloc = f"{parts.username}@{netloc}"

    def enc(text: str, safe: str) -> str:
        # "%XX" already there is kept; a lone "%" is encoded.
        return quote(_LONE_PERCENT.sub("%25", text), safe=safe + "%")

    sub = "!$&'()*+,;=:@"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            enc(parts.path, sub + "/"),
            enc(parts.query, sub + "/?"),
            enc(parts.fragment, sub + "/?"),
        )
    )


def file_url(settings: Settings, name: str) -> str:
    """The public URL of a file in episodes/."""
    return encode_url(settings.base_url + quote(name))


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


class PodcastIndexExtension(BaseExtension):  # type: ignore[misc]
    """Channel tags feedgen lacks: podcast:guid/locked, and Apple's current explicit/category."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.dated = True  # False: no episode gives a date, so no lastBuildDate

    def extend_ns(self) -> dict[str, str]:
        """Declare the Podcasting 2.0 namespace."""
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        """Add the channel-level tags to the built RSS tree."""
        s = self.settings
        if s is None:
            raise SawtError("the feed extension was not configured before building the feed")
        channel = rss_feed[0]
        stamp = channel.find("lastBuildDate")
        if not self.dated and stamp is not None:
            channel.remove(stamp)  # feedgen's default is "now": new bytes every build
        # feedgen only knows "yes/no/clean" and the pre-2019 category list.
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if s.explicit else "false"
        cat = xml_elem(f"{{{ITUNES_NS}}}category", channel)
        cat.attrib["text"] = s.category
        if s.subcategory:
            xml_elem(f"{{{ITUNES_NS}}}category", cat).attrib["text"] = s.subcategory
        locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
        locked.text = "yes" if s.locked else "no"
        if s.owner.email:
            locked.attrib["owner"] = s.owner.email
        xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = podcast_guid(s.feed_url())
        return rss_feed


class PodcastIndexEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item tags feedgen lacks: podcast:transcript and podcast:chapters."""

    def __init__(self) -> None:
        self.transcripts: list[dict[str, str]] = []
        self.chapters: dict[str, str] | None = None

    def extend_ns(self) -> dict[str, str]:
        """Declare the Podcasting 2.0 namespace."""
        return {"podcast": PODCAST_NS}

    def extend_rss(self, item: Any) -> Any:
        """Add the item-level tags to the built RSS item."""
        for attrs in self.transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", item).attrib.update(attrs)
        if self.chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", item).attrib.update(self.chapters)
        return item


def build_feed(settings: Settings, records: list[EpisodeRecord], cover: str | None) -> bytes:
    """The whole feed as UTF-8 XML bytes; ``cover`` is the artwork's name in episodes/."""
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension(EXT_NAME, PodcastIndexExtension, PodcastIndexEntryExtension)
    ext = getattr(fg, EXT_NAME)
    ext.settings = settings
    _channel(fg, settings, cover)
    # The feed changed when an episode was last rendered, not when it was
    # rebuilt: the same records give the same bytes, so nothing is rewritten.
    built = last_build(records)
    if built is not None:
        fg.lastBuildDate(built)
    ext.dated = built is not None
    try:
        for record in records:
            _item(fg, settings, record)
        data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except (ValueError, TypeError, KeyError) as exc:
        # feedgen and lxml reject odd values with bare ValueErrors; say where.
        raise SawtError(f"cannot build the feed: {exc}", path=settings.episodes_path()) from exc
    return data


def _channel(fg: Any, s: Settings, cover: str | None) -> None:
    feed_url = encode_url(s.feed_url())
    site = encode_url(s.link) if s.link else encode_url(s.base_url)
    # RSS <link> takes the last link() given: the self link has to come first.
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=site, rel="alternate")
    fg.title(xml_text(s.title))
    fg.description(xml_text(s.description))
    fg.language(xml_text(s.language))
    fg.generator(f"sawt {__version__}")
    if s.copyright:
        fg.copyright(xml_text(s.copyright))
    fg.podcast.itunes_summary(xml_text(s.description))
    fg.podcast.itunes_type(s.type)
    if s.author:
        fg.podcast.itunes_author(xml_text(s.author))
    if s.owner.name and s.owner.email:
        fg.podcast.itunes_owner(name=xml_text(s.owner.name), email=s.owner.email)
    if cover:
        image_url = file_url(s, cover)
        fg.podcast.itunes_image(image_url)
        fg.image(url=image_url, title=xml_text(s.title), link=site)


def _item(fg: Any, s: Settings, record: EpisodeRecord) -> None:
    slug = record.slug
    fe = fg.add_entry(order="append")  # records come newest first
    fe.title(xml_text(record.title))
    fe.guid(record.guid or slug, permalink=False)
    fe.enclosure(file_url(s, record.audio.file), str(record.audio.bytes), record.audio.type)
    fe.pubDate(_when(record))
    fe.description(xml_text(record.summary or record.title))
    if record.source_url:
        fe.link(href=encode_url(record.source_url))
    fe.podcast.itunes_duration(max(1, round(record.duration_ms / 1000)))
    if record.author:
        fe.podcast.itunes_author(xml_text(record.author))
    ext = getattr(fe, EXT_NAME)
    lang = record.language or s.language
    ext.transcripts = [
        {
            "url": _output_url(s, "vtt", slug),
            "type": "text/vtt",
            "language": lang,
            "rel": "captions",
        },
        {"url": _output_url(s, "srt", slug), "type": "application/x-subrip", "language": lang},
    ]
    ext.chapters = {"url": _output_url(s, "chapters", slug), "type": "application/json+chapters"}


def _output_url(s: Settings, name: str, slug: str) -> str:
    return file_url(s, get(name).relpath(slug))


def _when(record: EpisodeRecord) -> datetime:
    for value in (record.pub_date, record.rendered_at):
        when = _parse_time(value)
        if when is not None:
            return when
    return datetime.now(timezone.utc)


def last_build(records: list[EpisodeRecord]) -> datetime | None:
    """The feed's lastBuildDate: the newest render or publication date among ``records``."""
    times = [
        when
        for r in records
        for when in (_parse_time(r.rendered_at), _parse_time(r.pub_date))
        if when is not None
    ]
    return max(times, default=None)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)

"""The podcast feed: RSS 2.0 + iTunes (feedgen) + Podcasting 2.0 (a small extension)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from sawt import web
from sawt.config import Settings
from sawt.errors import SawtError
from sawt.models import EpisodeRecord
from sawt.publishing.outputs import get
from sawt.text.web import encode_url, parse_date
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


def xml_text(text: object) -> str:
    """Text made safe for XML 1.0 (escaping itself is lxml's job)."""
    return _NOT_XML.sub("", str(text))


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
    fg.description(xml_text(f"{s.description} {synthetic_note(s.language, show=True)}"))
    fg.language(xml_text(s.language))
    fg.generator(f"sawt {__version__}")
    if s.copyright:
        fg.copyright(xml_text(s.copyright))
    fg.podcast.itunes_summary(xml_text(f"{s.description} {synthetic_note(s.language, show=True)}"))
    fg.podcast.itunes_type(s.type)
    if s.author:
        fg.podcast.itunes_author(xml_text(s.author))
    if s.owner.name and s.owner.email:
        fg.podcast.itunes_owner(name=xml_text(s.owner.name), email=s.owner.email)
    if cover:
        image_url = file_url(s, cover)
        fg.podcast.itunes_image(image_url)
        fg.image(url=image_url, title=xml_text(s.title), link=site)


def synthetic_note(language: str, *, show: bool = False) -> str:
    """One sentence saying the audio is synthetic speech (the show's or one episode's)."""
    if language.lower().startswith("ar"):
        if show:
            return "الصوت في هذه الحلقات اصطناعي: ولّده حاسوب من نصوص المقالات."
        return "الصوت في هذه الحلقة اصطناعي: ولّده حاسوب من نص المقال."
    if show:
        return "The audio of these episodes is synthetic speech, made by a computer from the text."
    return "The audio is synthetic speech, made by a computer from the article's text."


def _item(fg: Any, s: Settings, record: EpisodeRecord) -> None:
    slug = record.slug
    lang = record.language or s.language
    note = synthetic_note(lang)
    fe = fg.add_entry(order="append")  # records come newest first
    fe.title(xml_text(record.title))
    fe.guid(record.guid or slug, permalink=False)
    fe.enclosure(file_url(s, record.audio.file), str(_audio_bytes(s, record)), record.audio.type)
    fe.pubDate(episode_date(record))
    fe.description(xml_text(f"{record.summary or record.title} {note}"))
    fe.content(xml_text(web.article_html(web.page_episode(record), note)))  # escaped, not CDATA
    # The article where it was published, else its page in the web edition.
    page = _output_url(s, "page", slug)
    link = encode_url(record.source_url) if record.source_url else page
    if link:
        fe.link(href=link)
    fe.podcast.itunes_duration(max(1, round(record.duration_ms / 1000)))
    if record.author:
        fe.podcast.itunes_author(xml_text(record.author))
    if record.image:
        fe.podcast.itunes_image(file_url(s, record.image))
    ext = getattr(fe, EXT_NAME)
    # Each registered output the feed can point to (a plug-in may have removed one).
    transcripts = [
        ("vtt", {"type": "text/vtt", "language": lang, "rel": "captions"}),
        ("srt", {"type": "application/x-subrip", "language": lang}),
        ("page", {"type": "text/html", "language": lang}),
    ]
    ext.transcripts = [
        {"url": url, **attrs}
        for name, attrs in transcripts
        if (url := _output_url(s, name, slug)) is not None
    ]
    chapters = _output_url(s, "chapters", slug)
    if chapters:
        ext.chapters = {"url": chapters, "type": "application/json+chapters"}


def _audio_bytes(s: Settings, record: EpisodeRecord) -> int:
    """The enclosure length: the file's real size (a render killed between its record
    and its audio must not leave a wrong length in the feed), else the record's."""
    try:
        return (s.episodes_path() / record.audio.file).stat().st_size
    except OSError:
        return record.audio.bytes


def _output_url(s: Settings, name: str, slug: str) -> str | None:
    try:
        return file_url(s, get(name).relpath(slug))
    except KeyError:
        return None


def episode_date(record: EpisodeRecord) -> datetime:
    """pubDate: the article's own date when it has one, else the first render's (never moves)."""
    for value in (record.date, record.pub_date, record.rendered_at):
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
    return parse_date(value) if value else None

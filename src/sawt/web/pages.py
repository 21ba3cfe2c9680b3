"""The episode page and the index, from Jinja2 templates with autoescaping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sawt.files import write_atomic
from sawt.text.web import encode_url
from sawt.web.model import PageBlock, PageChapter, PageEpisode, PageImage, PageLink, PageShow
from sawt.web.words import (
    Part,
    ShownDate,
    clock,
    duration_words,
    iso_duration,
    language_runs,
    parse_day,
    place_links,
    safe_href,
    shown_date,
)

STYLESHEET = "sawt-web.css"
SCRIPT = "sawt-web.js"
ASSETS = (STYLESHEET, SCRIPT)
INDEX = "index.html"
RTL_LANGUAGES = ("ar", "fa", "ur", "he", "ps", "ckb", "yi", "dv", "ug")

ENGINE_LABELS = {
    "espeak": "eSpeak NG",
    "gtts": "Google Translate (gTTS)",
    "edge": "Microsoft Edge",
}


def engine_label(engine: str) -> str:
    """The name a reader is told for an engine."""
    return ENGINE_LABELS.get(engine, engine)


def text_direction(language: str) -> str:
    """``rtl`` for Arabic and the other right-to-left languages, else ``ltr``."""
    return "rtl" if language.lower().split("-")[0] in RTL_LANGUAGES else "ltr"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sawt.web", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["runs"] = language_runs
    env.filters["clock"] = clock
    env.filters["duration_words"] = duration_words
    env.filters["iso_duration"] = iso_duration
    env.filters["seconds"] = lambda ms: f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    env.filters["megabytes"] = lambda n: f"{n / 1_000_000:.1f}"
    return env


@dataclass(frozen=True)
class SentenceView:
    """A sentence of the transcript with its links in place."""

    start_ms: int
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class ImageView:
    """An image: shown when it is a local file, linked when it would be a request elsewhere."""

    src: str
    alt: str
    remote: bool


@dataclass(frozen=True)
class BlockView:
    """A heading or paragraph as the template shows it."""

    kind: str
    anchor: str
    sentences: tuple[SentenceView, ...]
    other_links: tuple[PageLink, ...]
    images: tuple[ImageView, ...]


@dataclass(frozen=True)
class EpisodeView:
    """One episode with everything worked out that the templates show."""

    ep: PageEpisode
    article_date: ShownDate | None
    audio_date: ShownDate | None
    source_url: str | None
    image: ImageView | None
    blocks: tuple[BlockView, ...]
    chapters: tuple[PageChapter, ...]


def _image(image: PageImage) -> ImageView:
    href = safe_href(image.src)
    remote = bool(urlsplit(image.src).scheme or image.src.startswith("//"))
    return ImageView(href or "", image.alt, remote)


def _block(block: PageBlock, n: int) -> BlockView:
    placed, others = place_links([s.text for s in block.sentences], block.links)
    sentences = tuple(
        SentenceView(s.start_ms, parts) for s, parts in zip(block.sentences, placed, strict=True)
    )
    images = tuple(_image(i) for i in block.images if safe_href(i.src))
    anchor = f"section-{n}" if block.kind == "heading" else f"p-{n}"
    return BlockView(block.kind, anchor, sentences, tuple(others), images)


def _view(ep: PageEpisode) -> EpisodeView:
    return EpisodeView(
        ep=ep,
        article_date=shown_date(ep.article_date),
        audio_date=shown_date(ep.audio_date),
        source_url=iri_to_uri(href) if (href := safe_href(ep.source_url or "")) else None,
        image=_image(ep.image) if ep.image and safe_href(ep.image.src) else None,
        blocks=tuple(_block(b, n) for n, b in enumerate(ep.blocks, 1)),
        chapters=tuple(sorted(ep.chapters, key=lambda c: c.start_ms)),
    )


def podcast_link(feed_url: str) -> str:
    """The ``podcast://`` form of a feed URL, which podcast apps open to subscribe."""
    parts = urlsplit(feed_url)
    if parts.scheme not in ("http", "https"):
        return feed_url
    return "podcast://" + urlunsplit(("", parts.netloc, parts.path, parts.query, "")).lstrip("/")


def iri_to_uri(url: str) -> str:
    """Percent-encode what a URL may not hold as is (Arabic, spaces), keeping its structure."""
    return encode_url(url)


def _show_context(show: PageShow) -> dict[str, object]:
    feed = iri_to_uri(show.feed_url)
    return {
        "show": show,
        "feed_url": feed,
        "feed_text": show.feed_url,
        "podcast_url": podcast_link(feed),
        "ui_lang": show.language or "ar",
        "ui_dir": text_direction(show.language or "ar"),
        "cover": _image(show.cover) if show.cover and safe_href(show.cover.src) else None,
        "stylesheet": STYLESHEET,
        "script": SCRIPT,
        "index": INDEX,
    }


def build_episode_page(show: PageShow, ep: PageEpisode) -> str:
    """The HTML page of one episode: text, player, chapters, transcript, downloads."""
    view = _view(ep)
    template = _environment().get_template("episode.html.j2")
    return template.render(
        **_show_context(show),
        view=view,
        ep=ep,
        article_lang=ep.language or show.language or "ar",
        article_dir=text_direction(ep.language or show.language or "ar"),
    )


def article_html(ep: PageEpisode, note: str) -> str:
    """The article's text as simple, escaped HTML (for a feed's content:encoded), then ``note``."""
    template = _environment().get_template("article.html.j2")
    return template.render(view=_view(ep), note=note).strip() + "\n"


def _newest_first_key(ep: PageEpisode) -> tuple[date, str, str]:
    day = parse_day(ep.article_date) or parse_day(ep.audio_date) or date.min
    return day, ep.audio_date, ep.slug


def build_index_page(show: PageShow, eps: Sequence[PageEpisode]) -> str:
    """The index of the show: cover, subscribe links, and the episodes newest first.

    An episode's date is its article's date when it has one, else its audio's.
    """
    ordered = sorted(eps, key=_newest_first_key, reverse=True)
    items = [
        (ep, shown_date(ep.article_date) or shown_date(ep.audio_date), ep.summary) for ep in ordered
    ]
    template = _environment().get_template("index.html.j2")
    return template.render(**_show_context(show), items=items)


def asset_text(name: str) -> str:
    """The text of one of the shared files (stylesheet, script)."""
    return resources.files("sawt.web").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def write_assets(folder: Path) -> list[Path]:
    """Write the stylesheet and script the pages share into ``folder``; atomic."""
    written = []
    for name in ASSETS:
        path = folder / name
        text = asset_text(name)
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except OSError:
            pass
        write_atomic(path, text)
        written.append(path)
    return written

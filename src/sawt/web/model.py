"""What the web edition is built from: typed, frozen, independent of the record format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PageBlockKind = Literal["heading", "paragraph"]


@dataclass(frozen=True)
class PageLink:
    """A link of the article: its visible text and its target."""

    text: str
    href: str


@dataclass(frozen=True)
class PageImage:
    """An image: a file (relative to the page) or URL, and its alt text."""

    src: str
    alt: str


@dataclass(frozen=True)
class PageSentence:
    """One sentence of the transcript, as written, and when it is spoken."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class PageBlock:
    """A heading or a paragraph: its sentences, plus the links and images it had."""

    kind: PageBlockKind
    sentences: tuple[PageSentence, ...]
    links: tuple[PageLink, ...] = ()
    images: tuple[PageImage, ...] = ()

    @property
    def start_ms(self) -> int:
        """When the block starts to be spoken."""
        return self.sentences[0].start_ms if self.sentences else 0

    @property
    def text(self) -> str:
        """The block's text, sentences joined."""
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class PageChapter:
    """A navigation point of the audio."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class EpisodeFiles:
    """The file names of one episode, relative to the folder of the pages."""

    page: str
    mp3: str
    vtt: str
    srt: str
    chapters_vtt: str
    transcript_txt: str

    @classmethod
    def for_slug(cls, slug: str) -> EpisodeFiles:
        """The flat layout of ``episodes/``: ``<slug>.html``, ``<slug>.mp3``…"""
        return cls(
            page=f"{slug}.html",
            mp3=f"{slug}.mp3",
            vtt=f"{slug}.vtt",
            srt=f"{slug}.srt",
            chapters_vtt=f"{slug}.chapters.vtt",
            transcript_txt=f"{slug}.txt",
        )


@dataclass(frozen=True)
class PageEpisode:
    """Everything one episode page (and its line in the index) shows."""

    slug: str
    title: str
    author: str | None
    source_url: str | None
    article_date: str | None  # as the article gives it (ISO date preferred)
    audio_date: str  # ISO date or datetime of the first render
    duration_ms: int
    engine: str  # the engine's name: espeak, gtts…
    engine_label: str  # what a reader is told spoke it
    language: str
    files: EpisodeFiles
    chapters: tuple[PageChapter, ...]
    blocks: tuple[PageBlock, ...]
    summary: str = ""
    image: PageImage | None = None
    mp3_bytes: int | None = None


@dataclass(frozen=True)
class PageShow:
    """The show around the episodes."""

    title: str
    description: str
    feed_url: str
    base_url: str
    language: str = "ar"
    cover: PageImage | None = None

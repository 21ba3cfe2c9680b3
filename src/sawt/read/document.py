"""What every reader produces: an Article of Blocks (the original text, before cleaning)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sawt.models import Image, LexiconEntry, Link

BlockKind = Literal["heading", "paragraph"]


@dataclass(frozen=True)
class Block:
    """One unit of the body: a section heading or a paragraph (original text).

    ``links`` and ``images`` are what the text alone loses, kept for the web
    edition; an image alone in its paragraph belongs to the next block.
    """

    kind: BlockKind
    text: str
    line: int
    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class Article:
    """What was read from a file, before cleaning."""

    path: Path
    title: str
    blocks: tuple[Block, ...]
    author: str | None = None
    date: str | None = None
    source_url: str | None = None
    slug: str | None = None
    image: str | None = None  # absolute path of the episode's picture
    image_alt: str | None = None
    engine: str | None = None  # front matter: this article's engine and voice
    voice: str | None = None
    language: str = "ar"
    notes: tuple[str, ...] = field(default=())
    lexicon: tuple[LexiconEntry, ...] = ()  # this article's own pronunciations

    def with_blocks(self, blocks: tuple[Block, ...], note: str | None = None) -> Article:
        """A copy with other blocks (and one more note)."""
        notes = (*self.notes, note) if note else self.notes
        return replace(self, blocks=blocks, notes=notes)

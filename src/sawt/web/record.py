"""Today's episode record (JSON) → PageEpisode; the one place that knows its keys."""

from __future__ import annotations

from collections.abc import Sequence

from sawt.models import BlockMedia, EpisodeRecord
from sawt.read.document import Block
from sawt.web.model import (
    EpisodeFiles,
    PageBlock,
    PageChapter,
    PageEpisode,
    PageImage,
    PageLink,
    PageSentence,
)
from sawt.web.pages import engine_label


def block_media(blocks: Sequence[Block]) -> tuple[BlockMedia, ...]:
    """Links and images of an article's blocks, for a record's ``blocks``."""
    return tuple(BlockMedia(b.links, b.images) for b in blocks)


def episode_from_record(
    record: EpisodeRecord,
    *,
    image: PageImage | None = None,
    files: EpisodeFiles | None = None,
) -> PageEpisode:
    """Build a PageEpisode from an episode record.

    The transcript comes from the timeline: pieces of one sentence (same
    role, block and sentence) join into one sentence; title and source
    (block -1) are the page's heading, not its text. The record's ``blocks``
    give each block's links and images.
    ``image`` is the episode's picture, already where the page can show it.
    """
    slug = record.slug
    media = record.blocks
    sentences: dict[int, list[PageSentence]] = {}
    kinds: dict[int, str] = {}
    last_key: tuple[str, int, int] | None = None
    for entry in sorted(record.timeline, key=lambda e: (e.start_ms, e.index)):
        block, text = entry.block, entry.original.strip()
        if block < 0 or not text:
            continue
        key = (entry.role, block, entry.sentence)
        group = sentences.setdefault(block, [])
        kinds[block] = "heading" if key[0] == "heading" else "paragraph"
        if key == last_key and group:  # a long sentence spoken in several pieces
            prev = group[-1]
            group[-1] = PageSentence(f"{prev.text} {text}", prev.start_ms, entry.end_ms)
        else:
            group.append(PageSentence(text, entry.start_ms, entry.end_ms))
        last_key = key
    blocks = []
    for n in sorted(sentences):
        extra = media[n] if n < len(media) else BlockMedia()
        blocks.append(
            PageBlock(
                "heading" if kinds[n] == "heading" else "paragraph",
                tuple(sentences[n]),
                tuple(PageLink(x.text, x.href) for x in extra.links),
                tuple(PageImage(x.src, x.alt) for x in extra.images),
            )
        )
    return PageEpisode(
        slug=slug,
        title=record.title,
        author=record.author,
        source_url=record.source_url,
        article_date=record.date,
        audio_date=record.pub_date or record.rendered_at or "",
        duration_ms=record.duration_ms,
        engine=record.engine,
        engine_label=engine_label(record.engine),
        language=record.language or "ar",
        files=files or EpisodeFiles.for_slug(slug),
        chapters=tuple(PageChapter(c.title, c.start_ms, c.end_ms) for c in record.chapters),
        blocks=tuple(blocks),
        summary=record.summary or "",
        image=image,
        mp3_bytes=record.audio.bytes,
    )


def page_episode(record: EpisodeRecord) -> PageEpisode:
    """The PageEpisode of a record, with the episode's own picture when it has one."""
    image = PageImage(record.image, record.image_alt or record.title) if record.image else None
    return episode_from_record(record, image=image)

"""Today's episode record (JSON) → PageEpisode; the one place that knows its keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from sawt.article import Block


def block_media(blocks: Sequence[Block]) -> list[dict[str, list[dict[str, str]]]]:
    """Links and images of an article's blocks, JSON-ready, for a record's ``blocks`` key."""
    return [
        {
            "links": [{"text": link.text, "href": link.href} for link in b.links],
            "images": [{"src": i.src, "alt": i.alt} for i in b.images],
        }
        for b in blocks
    ]


def episode_from_record(
    record: Mapping[str, Any],
    *,
    image: PageImage | None = None,
    files: EpisodeFiles | None = None,
) -> PageEpisode:
    """Build a PageEpisode from a record as ``sawt.render`` writes it.

    The transcript comes from the timeline: pieces of one sentence (same
    role, block and sentence) join into one sentence; title and source
    (block -1) are the page's heading, not its text. An optional ``blocks``
    key (see ``block_media``) gives each block's links and images.
    ``image`` is the episode's picture, already where the page can show it.
    """
    slug = str(record["slug"])
    media: list[Mapping[str, Any]] = list(record.get("blocks") or [])
    sentences: dict[int, list[PageSentence]] = {}
    kinds: dict[int, str] = {}
    last_key: tuple[str, int, int] | None = None
    for entry in sorted(record["timeline"], key=lambda e: (e["start_ms"], e["index"])):
        block, text = int(entry["block"]), str(entry["original"]).strip()
        if block < 0 or not text:
            continue
        key = (str(entry["role"]), block, int(entry["sentence"]))
        group = sentences.setdefault(block, [])
        kinds[block] = "heading" if key[0] == "heading" else "paragraph"
        if key == last_key and group:  # a long sentence spoken in several pieces
            prev = group[-1]
            group[-1] = PageSentence(f"{prev.text} {text}", prev.start_ms, int(entry["end_ms"]))
        else:
            group.append(PageSentence(text, int(entry["start_ms"]), int(entry["end_ms"])))
        last_key = key
    blocks = []
    for n in sorted(sentences):
        extra = media[n] if n < len(media) else {}
        blocks.append(
            PageBlock(
                "heading" if kinds[n] == "heading" else "paragraph",
                tuple(sentences[n]),
                tuple(PageLink(str(x["text"]), str(x["href"])) for x in extra.get("links", [])),
                tuple(PageImage(str(x["src"]), str(x["alt"])) for x in extra.get("images", [])),
            )
        )
    audio = record.get("audio") or {}
    engine = str(record.get("engine") or "")
    return PageEpisode(
        slug=slug,
        title=str(record["title"]),
        author=record.get("author"),
        source_url=record.get("source_url"),
        article_date=record.get("date"),
        audio_date=str(record.get("pub_date") or record.get("rendered_at") or ""),
        duration_ms=int(record["duration_ms"]),
        engine=engine,
        engine_label=engine_label(engine),
        language=str(record.get("language") or "ar"),
        files=files or EpisodeFiles.for_slug(slug),
        chapters=tuple(
            PageChapter(str(c["title"]), int(c["start_ms"]), int(c["end_ms"]))
            for c in record["chapters"]
        ),
        blocks=tuple(blocks),
        summary=str(record.get("summary") or ""),
        image=image,
        mp3_bytes=audio.get("bytes") if isinstance(audio.get("bytes"), int) else None,
    )

"""The timeline (who said what, when) and the chapters derived from it."""

from __future__ import annotations

from sawt.audio.assemble import Span
from sawt.models import Chapter, Entry
from sawt.speech.script import Piece
from sawt.text.tidy import first_words


def build_timeline(pieces: list[Piece], spans: list[Span]) -> list[Entry]:
    """Join the script with the spans the audio assembly measured."""
    by_index = {s.index: s for s in spans}
    return [
        Entry(
            p.index,
            p.role,
            p.block,
            p.sentence,
            by_index[p.index].start_ms,
            by_index[p.index].end_ms,
            p.original,
            p.spoken,
            by_index[p.index].words,
        )
        for p in pieces
    ]


# ffmpeg (and so every player built on it) reads the size of a frame nested in
# CHAP as a plain 32-bit integer, while ID3v2.4 stores it syncsafe: sizes from
# 128 bytes up are misread and the chapter vanishes. Short titles are also what
# players can show.
CHAPTER_TITLE_BYTES = 110


def chapter_title(text: str, limit: int = CHAPTER_TITLE_BYTES) -> str:
    """Shorten ``text`` at a word boundary to at most ``limit`` UTF-8 bytes."""
    if len(text.encode()) <= limit:
        return text
    out = ""
    for word in text.split():
        candidate = f"{out} {word}" if out else word
        if len((candidate + "…").encode()) > limit:
            break
        out = candidate
    if not out:  # one enormous word
        out = text.encode()[: limit - 3].decode("utf-8", "ignore")
    return out + "…"


def build_chapters(timeline: list[Entry], title: str, duration_ms: int) -> list[Chapter]:
    """One chapter per section when there are headings, else title + one per paragraph."""
    if not timeline:
        return []
    has_sections = any(e.role == "heading" for e in timeline)
    starts: list[tuple[str, int]] = [(title, 0)]
    seen_blocks: set[int] = set()
    for e in timeline:
        if e.block < 0 or e.block in seen_blocks:
            continue
        if has_sections and e.role != "heading":
            continue
        seen_blocks.add(e.block)
        name = e.original if e.role == "heading" else first_words(_block_text(timeline, e.block))
        starts.append((name, e.start_ms))
    chapters = []
    for i, (name, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else duration_ms
        chapters.append(Chapter(chapter_title(name), start, max(start, end)))
    return chapters


def _block_text(timeline: list[Entry], block: int) -> str:
    return " ".join(e.original for e in timeline if e.block == block)

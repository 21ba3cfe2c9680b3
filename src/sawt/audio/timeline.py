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


# ID3's table of contents (CTOC) counts its entries in one byte.
MAX_CHAPTERS = 255
# Without headings, paragraphs are grouped into chapters of at least
# MIN_CHAPTER_MS, and at least 1/PARAGRAPH_CHAPTERS of the episode.
MIN_CHAPTER_MS = 15_000
PARAGRAPH_CHAPTERS = 30


def build_chapters(timeline: list[Entry], title: str, duration_ms: int) -> list[Chapter]:
    """The episode's chapters: the title first, then sections, else groups of paragraphs.

    - With headings: one chapter per section (what comes before the first
      heading belongs to the title's chapter). Past MAX_CHAPTERS - 1 sections,
      neighbours are merged evenly, each group named after its first heading.
    - Without: paragraphs are grouped in reading order, a new chapter starting
      only once the current one lasts ``max(MIN_CHAPTER_MS, duration /
      PARAGRAPH_CHAPTERS)``; a shorter tail joins the chapter before it. So a
      short article whose paragraphs each last 15 s or more keeps one chapter
      per paragraph, and a 5-hour text gets about 30 chapters of 10 minutes,
      each named after the first words of its first paragraph.

    Either way there are at most MAX_CHAPTERS chapters, whatever the text.
    """
    if not timeline:
        return []
    texts: dict[int, list[str]] = {}
    starts: dict[int, Entry] = {}  # each block's first piece
    for e in timeline:
        if e.block >= 0:
            texts.setdefault(e.block, []).append(e.original)
            starts.setdefault(e.block, e)
    headings = [(e.original, e.start_ms) for e in starts.values() if e.role == "heading"]
    if headings:
        marks = headings
    else:
        paragraphs = [(b, e.start_ms) for b, e in starts.items()]
        marks = [
            (first_words(" ".join(texts[b])), at)
            for b, at in _group_paragraphs(paragraphs, duration_ms)
        ]
    marks = [(title, 0), *_merge_evenly(marks, MAX_CHAPTERS - 1)]
    chapters = []
    for i, (name, start) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else duration_ms
        chapters.append(Chapter(chapter_title(name), start, max(start, end)))
    return chapters


def _group_paragraphs(paragraphs: list[tuple[int, int]], duration_ms: int) -> list[tuple[int, int]]:
    """The (block, start) of the paragraphs that open a chapter; every chapter is long enough.

    Each chapter lasts at least ``shortest``, so there are at most
    ``duration_ms / shortest`` <= PARAGRAPH_CHAPTERS of them.
    """
    shortest = max(MIN_CHAPTER_MS, -(-duration_ms // PARAGRAPH_CHAPTERS))
    opening: list[tuple[int, int]] = []
    for block, start in paragraphs:
        if not opening or start - opening[-1][1] >= shortest:
            opening.append((block, start))
    if len(opening) > 1 and duration_ms - opening[-1][1] < shortest:
        opening.pop()  # a short tail joins the chapter before it
    return opening


def _merge_evenly(marks: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """At most ``limit`` marks: runs of neighbours merged into their first, evenly."""
    if len(marks) <= limit:
        return marks
    size = -(-len(marks) // limit)
    return marks[::size]

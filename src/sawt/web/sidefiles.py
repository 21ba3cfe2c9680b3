"""Side files of the web edition: WebVTT chapters and the plain-text transcript."""

from __future__ import annotations

from collections.abc import Sequence

from sawt.web.model import PageChapter, PageEpisode
from sawt.web.words import shown_date


def vtt_time(ms: int) -> str:
    """A WebVTT timestamp: 00:01:02.345."""
    hours, rest = divmod(max(0, ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_text(text: str) -> str:
    # "&" and "<" start markup in a cue; escaping ">" keeps "-->" out; a cue
    # ends at a blank line, so the title stays on one line.
    one_line = " ".join(text.split())
    return one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chapters_vtt(chapters: Sequence[PageChapter]) -> str:
    """A WebVTT file of ``kind="chapters"``: one cue per chapter, in time order."""
    blocks = ["WEBVTT"]
    ordered = sorted(chapters, key=lambda c: c.start_ms)
    for n, chapter in enumerate(ordered, 1):
        # A cue must last; a chapter of zero length gets one millisecond.
        end = max(chapter.end_ms, chapter.start_ms + 1)
        timing = f"{vtt_time(chapter.start_ms)} --> {vtt_time(end)}"
        blocks.append(f"chapter-{n}\n{timing}\n{_vtt_text(chapter.title)}")
    return "\n\n".join(blocks) + "\n"


def transcript_txt(ep: PageEpisode) -> str:
    """The article as plain text: title, byline, dates, source, then headings and paragraphs."""
    head = [ep.title]
    if ep.author:
        head.append(ep.author)
    article_date = shown_date(ep.article_date)
    if article_date:
        head.append(f"تاريخ المقال: {article_date.label}")
    if ep.source_url:
        head.append(f"المصدر: {ep.source_url}")
    head.append(f"صوت اصطناعي: {ep.engine_label}")
    parts = ["\n".join(head)]
    for block in ep.blocks:
        if block.kind == "heading":
            parts.append(f"## {block.text}")
        else:
            parts.append(block.text)
    return "\n\n".join(parts) + "\n"

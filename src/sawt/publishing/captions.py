"""Captions (WebVTT, SRT) and Podcasting 2.0 JSON chapters from an episode record."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sawt.models import Entry, EpisodeRecord

# Two lines of about 42 characters is the usual limit of what can be read while
# it is spoken (broadcast captioning guidelines); longer cues are split.
MAX_CUE_CHARS = 84
MAX_LINE_CHARS = 42
CHAPTERS_VERSION = "1.2.0"


@dataclass(frozen=True)
class Cue:
    """One caption: a time range in milliseconds and its text (original, not spoken)."""

    start_ms: int
    end_ms: int
    text: str


def build_cues(timeline: Sequence[Entry], max_chars: int = MAX_CUE_CHARS) -> list[Cue]:
    """One cue per spoken sentence, split where it is too long to read."""
    cues: list[Cue] = []
    for group in _sentences(timeline):
        cues.extend(_split_sentence(group, max_chars))
    return cues


def _sentences(timeline: Sequence[Entry]) -> list[list[Entry]]:
    # A long sentence reaches the engine as several pieces; they share role,
    # block and sentence number, and follow each other in the timeline.
    groups: list[list[Entry]] = []
    for entry in sorted(timeline, key=lambda e: e.start_ms):
        if not entry.original.strip():
            continue
        key = (entry.role, entry.block, entry.sentence)
        if groups and (groups[-1][0].role, groups[-1][0].block, groups[-1][0].sentence) == key:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _timed_words(group: Sequence[Entry]) -> list[tuple[str, int, int]]:
    words: list[tuple[str, int, int]] = []
    for entry in group:
        text = " ".join(entry.original.split())
        words.extend(_engine_timed(text, entry.words) or _estimated(text, entry))
    return words


def _engine_timed(
    text: str, timed: tuple[tuple[str, int, int], ...] | None
) -> list[tuple[str, int, int]] | None:
    """The written words with the times the engine reported, if they pair up one to one.

    The engine times what it heard (the spoken form, without punctuation); it
    pairs with what is written when both have as many words. Tokens without a
    letter (a dash) take the time of the word before them.
    """
    if not timed:
        return None
    tokens = text.split()
    spoken = [t for t in tokens if re.search(r"\w", t)]
    if len(spoken) != len(timed):
        return None
    out: list[tuple[str, int, int]] = []
    times = iter(timed)
    start = end = int(timed[0][1])
    for token in tokens:
        if re.search(r"\w", token):
            _word, start, end = next(times)
        out.append((token, int(start), int(end)))
    return out


def _estimated(text: str, entry: Entry) -> list[tuple[str, int, int]]:
    # Without engine timing, time within a piece is shared out in proportion to
    # characters: the only estimate available, and exact again at every piece boundary.
    start, end = entry.start_ms, entry.end_ms
    span = max(0, end - start)
    return [
        (m.group(), start + span * m.start() // len(text), start + span * m.end() // len(text))
        for m in re.finditer(r"\S+", text)
    ]


def _split_sentence(group: Sequence[Entry], max_chars: int) -> list[Cue]:
    start, end = group[0].start_ms, group[-1].end_ms
    text = " ".join(" ".join(e.original.split()) for e in group)
    if len(text) <= max_chars:
        return [Cue(start, end, text)]
    words = _timed_words(group)
    chunks: list[list[tuple[str, int, int]]] = [[]]
    for word in words:
        current = chunks[-1]
        length = sum(len(w[0]) + 1 for w in current) + len(word[0])
        if current and length > max_chars:
            chunks.append([word])
        else:
            current.append(word)
    cues = [Cue(c[0][1], c[-1][2], " ".join(w[0] for w in c)) for c in chunks]
    # The sentence's own bounds are exact; keep them exact at both ends.
    cues[0] = Cue(start, cues[0].end_ms, cues[0].text)
    cues[-1] = Cue(cues[-1].start_ms, end, cues[-1].text)
    return cues


def wrap_lines(text: str, width: int = MAX_LINE_CHARS) -> list[str]:
    """Break a cue's text into two lines at the space nearest the middle, if long."""
    if len(text) <= width or " " not in text:
        return [text]
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def _clock(ms: int, sep: str) -> str:
    hours, rest = divmod(max(0, ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def _vtt_escape(text: str) -> str:
    # In a WebVTT cue payload "&" and "<" start markup; escaping ">" also keeps
    # "-->" out of the text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: list[Cue]) -> str:
    """Render cues as a WebVTT file."""
    # The language goes in the feed's podcast:transcript, not in a "Language:"
    # header line, which the current WebVTT spec no longer defines.
    blocks = ["WEBVTT"]
    for n, cue in enumerate(cues, 1):
        lines = "\n".join(_vtt_escape(line) for line in wrap_lines(cue.text))
        blocks.append(f"{n}\n{_clock(cue.start_ms, '.')} --> {_clock(cue.end_ms, '.')}\n{lines}")
    return "\n\n".join(blocks) + "\n"


def to_srt(cues: list[Cue]) -> str:
    """Render cues as a SubRip (.srt) file."""
    blocks = []
    for n, cue in enumerate(cues, 1):
        # SRT has no escaping; an arrow in the text would read as a timing line.
        lines = "\n".join(line.replace("-->", "->") for line in wrap_lines(cue.text))
        blocks.append(f"{n}\n{_clock(cue.start_ms, ',')} --> {_clock(cue.end_ms, ',')}\n{lines}")
    return "\n\n".join(blocks) + "\n"


def json_chapters(record: EpisodeRecord) -> str:
    """The record's chapters (the same as the ID3 ones) as Podcasting 2.0 JSON chapters."""
    chapters = [
        {
            "startTime": c.start_ms / 1000,
            "endTime": c.end_ms / 1000,
            "title": c.title,
        }
        for c in record.chapters
    ]
    data = {"version": CHAPTERS_VERSION, "chapters": chapters}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

"""Pure text helpers shared by the reading, cleaning and script stages."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters, bidi marks/embeddings/isolates, BOM and soft hyphen:
# invisible in print, but they confuse sentence splitting and engines.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Terminal escapes (ANSI CSI and OSC sequences) and C0/C1 controls other than
# tab and newline: never part of an article, and harmful in a terminal or a feed.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TATWEEL = "\u0640"
_SPACES = re.compile(r"[^\S\n]+")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_WORD = re.compile(r"\w+")


def strip_controls(text: str) -> str:
    """``text`` without terminal escapes and control characters (tab and newline kept)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r", "")))


def tidy(text: str) -> str:
    """Return text as a reader should see it: NFC, no invisible controls, tidy spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub(" ", _ESCAPES.sub("", text))
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def speakable(text: str) -> str:
    """Return the form an engine hears: compatibility-folded, no tatweel."""
    text = unicodedata.normalize("NFKC", tidy(text))
    return text.replace(_TATWEEL, "")


def words(text: str) -> list[str]:
    """Comparison words: folded, without diacritics, tatweel or punctuation."""
    text = _ARABIC_MARKS.sub("", speakable(text)).casefold()
    return _WORD.findall(text)


def first_words(text: str, count: int = 6) -> str:
    """The first ``count`` words of ``text`` with an ellipsis when cut."""
    parts = text.split()
    head = " ".join(parts[:count])
    return head + ("…" if len(parts) > count else "")

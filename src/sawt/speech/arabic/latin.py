"""Latin script inside Arabic text: acronyms spelled in Arabic letter names, words passed on.

espeak-ng switches to its English voice by itself for Latin words inside
Arabic text (its phoneme output shows "(en)…(ar)"), so "native" leaves them as
they are. An engine with SSML gets an explicit ``<voice xml:lang="en">``; an
engine that can read no Latin at all gets every Latin word spelled out.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from sawt.models import LatinMode

# English letter names as Arabic newsreaders say them (دي جي إس آي for DGSI).
LETTER_NAMES = {
    "A": "إيه",
    "B": "بي",
    "C": "سي",
    "D": "دي",
    "E": "إي",
    "F": "إف",
    "G": "جي",
    "H": "إتش",
    "I": "آي",
    "J": "جيه",
    "K": "كيه",
    "L": "إل",
    "M": "إم",
    "N": "إن",
    "O": "أو",
    "P": "بي",
    "Q": "كيو",
    "R": "آر",
    "S": "إس",
    "T": "تي",
    "U": "يو",
    "V": "في",
    "W": "دبليو",
    "X": "إكس",
    "Y": "واي",
    "Z": "زد",
}

# Two to six capitals (or dotted U.N.), optionally followed by digits as in COP28.
ACRONYM = re.compile(r"(?<![A-Za-z])(?:(?:[A-Z]\.){2,}|[A-Z]{2,6}(?![A-Za-z]))(?P<num>\d+)?")
_LATIN_RUN = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\-]*(?:\s+[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\-]*)*")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")


def spell(letters: str) -> str:
    """Arabic letter names for each Latin letter ("UN" → "يو إن")."""
    return " ".join(LETTER_NAMES[c] for c in letters.upper() if c in LETTER_NAMES)


def spell_acronyms(text: str) -> str:
    """Replace Latin acronyms with their letters' Arabic names."""

    def one(m: re.Match[str]) -> str:
        letters = m[0][: len(m[0]) - len(m["num"] or "")]
        # A space keeps a following number a separate word for the number rules.
        return spell(letters) + (f" {m['num']}" if m["num"] else "")

    return ACRONYM.sub(one, text)


def prepare_latin(text: str, mode: LatinMode) -> str:
    """Acronyms spelled in Arabic; other Latin words left, wrapped in SSML, or spelled."""
    text = spell_acronyms(text)
    if mode == "letters":
        return _LATIN_WORD.sub(lambda m: spell(m[0]), text)
    if mode == "ssml":
        parts: list[str] = []
        pos = 0
        for m in _LATIN_RUN.finditer(text):
            parts.append(escape(text[pos : m.start()]))
            parts.append(f'<voice xml:lang="en">{escape(m[0])}</voice>')
            pos = m.end()
        parts.append(escape(text[pos:]))
        return "".join(parts)
    return text

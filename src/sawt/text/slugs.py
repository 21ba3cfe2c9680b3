"""A readable ASCII slug from an article's URL path (Arabic paths transliterated)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

# A plain, reversible-enough romanisation for file names (not for reading aloud).
_ARABIC = {
    "ء": "", "آ": "a", "أ": "a", "ؤ": "w", "إ": "i", "ئ": "y", "ا": "a", "ب": "b",
    "ة": "a", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "و": "w", "ى": "a", "ي": "y", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g",
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7",
    "٨": "8", "٩": "9",
}  # fmt: skip
_UNSAFE = re.compile(r"[^a-z0-9]+")
_NOISE = {"index", "html", "htm", "php", "aspx", "amp", "article", "news", "story", "ar"}
MAX_LEN = 60
RESERVED = frozenset({"sources", "feed", "cover"})  # names sawt uses in episodes/


def romanise(text: str) -> str:
    """Arabic letters to Latin, then any other letter to its ASCII base; lower case."""
    out = "".join(_ARABIC.get(c, c) for c in text)
    return unicodedata.normalize("NFKD", out).encode("ascii", "ignore").decode().lower()


def _words(segment: str) -> str:
    segment = re.sub(r"\.(html?|php|aspx?)$", "", segment, flags=re.IGNORECASE)
    return _UNSAFE.sub("-", romanise(segment)).strip("-")


def slug_from_url(url: str) -> str:
    """``https://x.net/news/2024/5/12/أسعار-النفط`` → ``asaar-alnft``; never empty.

    The last meaningful path segment wins; a bare number (an article id) keeps
    the word before it. A URL with no usable path gets a short hash.
    """
    parts = urlsplit(url)
    segments = [_words(unquote(s)) for s in parts.path.split("/") if s]
    segments = [s for s in segments if s and s not in _NOISE]
    words = ""
    while segments and not words:
        last = segments.pop()
        if re.fullmatch(r"[0-9-]+", last):
            # An id or a date: keep it, with the segment before it when that is a word.
            before = segments[-1] if segments and not re.fullmatch(r"[0-9-]+", segments[-1]) else ""
            words = f"{before}-{last}" if before else f"item-{last}"
        else:
            words = last
    if not words:
        words = "page-" + hashlib.sha1(url.encode()).hexdigest()[:8]
    words = words[:MAX_LEN].strip("-")
    return words + "-page" if words in RESERVED else words

"""Pure text helpers of the web edition: Latin runs, links in sentences, durations, dates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from sawt.web.model import PageLink

_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_WORD = f"[{_LATIN}](?:[{_LATIN}0-9'’.&-]*[{_LATIN}0-9])?"
# Latin words, with the spaces, digits and ASCII punctuation between them
# ("Coupe du Monde 2030", "U.S.-Morocco"), form one foreign-language span.
_LATIN_RUN = re.compile(f"{_WORD}(?:[ \u00a0!-@\\[-`{{-~]+{_WORD})*")
_FRENCH = re.compile("[àâçéèêëîïôœùûüÿ]", re.IGNORECASE)
SAFE_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Run:
    """A stretch of text and the language to mark it with (None: the page's own)."""

    text: str
    lang: str | None = None


@dataclass(frozen=True)
class Part:
    """Runs of text, linked to ``href`` when it is set."""

    runs: tuple[Run, ...]
    href: str | None = None


def latin_language(word: str) -> str:
    """The language to mark a Latin-script run with: French if it has French letters."""
    return "fr" if _FRENCH.search(word) else "en"


def language_runs(text: str) -> tuple[Run, ...]:
    """Split text into runs, marking Latin-script words (FIFA, OCP) with their language."""
    runs: list[Run] = []
    pos = 0
    for m in _LATIN_RUN.finditer(text):
        if m.start() > pos:
            runs.append(Run(text[pos : m.start()]))
        runs.append(Run(m.group(), latin_language(m.group())))
        pos = m.end()
    if pos < len(text):
        runs.append(Run(text[pos:]))
    return tuple(runs)


def safe_href(href: str) -> str | None:
    """``href`` if a reader may follow it (web, mail, relative), else None."""
    href = href.strip()
    if not href:
        return None
    scheme = urlsplit(href).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    return href


def place_links(
    sentences: Sequence[str], links: Sequence[PageLink]
) -> tuple[list[tuple[Part, ...]], list[PageLink]]:
    """Each sentence as parts with its links in place; and the links found in none.

    A link is placed at the first occurrence of its text, in order, never
    overlapping another; one whose text spans two sentences cannot be placed.
    """
    waiting = [link for link in links if safe_href(link.href)]
    out: list[tuple[Part, ...]] = []
    for sentence in sentences:
        found: list[tuple[int, int, str]] = []
        for link in list(waiting):
            start = sentence.find(link.text)
            while start >= 0 and any(s < start + len(link.text) and start < e for s, e, _ in found):
                start = sentence.find(link.text, start + 1)
            if start >= 0:
                found.append((start, start + len(link.text), link.href.strip()))
                waiting.remove(link)
        parts: list[Part] = []
        pos = 0
        for start, end, href in sorted(found):
            if start > pos:
                parts.append(Part(language_runs(sentence[pos:start])))
            parts.append(Part(language_runs(sentence[start:end]), href))
            pos = end
        if pos < len(sentence) or not parts:
            parts.append(Part(language_runs(sentence[pos:])))
        out.append(tuple(parts))
    return out, waiting


# ---------------------------------------------------------------- durations

# Minute, second and hour are feminine in Arabic, so 3-10 take the masculine form.
_UNITS = {
    "hour": ("ساعة", "ساعتان", "ساعات"),
    "minute": ("دقيقة", "دقيقتان", "دقائق"),
    "second": ("ثانية", "ثانيتان", "ثوانٍ"),
}
_THREE_TO_TEN = ("ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر")


def count_words(n: int, unit: str) -> str:
    """``n`` of a unit in Arabic: ساعة واحدة، دقيقتان، خمس دقائق، 25 ثانية."""
    one, two, plural = _UNITS[unit]
    if n == 1:
        return f"{one} واحدة"
    if n == 2:
        return two
    if 3 <= n <= 10:
        return f"{_THREE_TO_TEN[n - 3]} {plural}"
    # From 11 on the counted noun is singular (but 103-110 take the plural again).
    return f"{n} {plural if 3 <= n % 100 <= 10 else one}"


def duration_words(ms: int) -> str:
    """A duration as a listener says it: seconds under a minute, no seconds from 10 minutes."""
    seconds = max(0, round(ms / 1000))
    if seconds < 60:
        return count_words(max(1, seconds), "second")
    if seconds >= 600:
        minutes_total = round(seconds / 60)
        hours, minutes = divmod(minutes_total, 60)
        parts = [count_words(hours, "hour")] if hours else []
        parts += [count_words(minutes, "minute")] if minutes else []
        return " و".join(parts)
    minutes, rest = divmod(seconds, 60)
    parts = [count_words(minutes, "minute")]
    parts += [count_words(rest, "second")] if rest else []
    return " و".join(parts)


def iso_duration(ms: int) -> str:
    """An ISO 8601 duration for ``<time datetime>``: PT3M48S."""
    seconds = max(0, round(ms / 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def clock(ms: int) -> str:
    """A time in the episode as players show it: 3:05, or 1:02:05."""
    seconds = max(0, ms // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# -------------------------------------------------------------------- dates

MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)


@dataclass(frozen=True)
class ShownDate:
    """A date for ``<time>``: the machine value (None when unknown) and the words shown."""

    value: str | None
    label: str


def parse_day(text: str | None) -> date | None:
    """The calendar day of an ISO date or datetime text, or None."""
    if not text:
        return None
    raw = text.strip()
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def shown_date(text: str | None) -> ShownDate | None:
    """``2020-01-15`` → 15 يناير 2020; text that is no ISO date is shown as it is."""
    if not text or not text.strip():
        return None
    day = parse_day(text)
    if day is None:
        return ShownDate(None, text.strip())
    return ShownDate(day.isoformat(), f"{day.day} {MONTHS[day.month - 1]} {day.year}")

"""A pronunciation lexicon: words, phrases or regexes and what the voice should say instead."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import regex

from sawt.errors import ConfigError
from sawt.models import LexiconEntry
from sawt.text.normalize import fold
from sawt.text.tidy import strip_controls

# Proclitics a name may carry in running text: "وحموشي", "لحموشي", "بحموشي".
_PROCLITIC = "(?P<pre>[وف]?[بل]?)"
_PLACEHOLDER = 0xF0000  # a private-use plane: never in real text


# Acronyms said as words, not letter by letter; a newsroom's own entries come first.
BUILTIN: tuple[LexiconEntry, ...] = tuple(
    LexiconEntry(match=m, say=s)
    for m, s in (
        ("FIFA", "فيفا"),
        ("UNESCO", "يونسكو"),
        ("UNICEF", "يونيسف"),
        ("NATO", "ناتو"),
        ("OPEC", "أوبك"),
        ("NASA", "ناسا"),
        ("CAF", "كاف"),
        ("COVID", "كوفيد"),
    )
)


@dataclass(frozen=True)
class Lexicon:
    """Compiled entries, tried in order; earlier entries win over later ones."""

    rules: tuple[tuple[Pattern, str, bool], ...]  # pattern, say, say uses \\1 groups

    @classmethod
    def build(cls, *groups: Iterable[LexiconEntry], builtin: bool = True) -> Lexicon:
        """Compile entry groups in priority order: article, podcast.yaml, then built-in."""
        rules: list[tuple[Pattern, str, bool]] = []
        for group in (*groups, BUILTIN if builtin else ()):
            for entry in group:
                # A spoken form never carries terminal escapes or controls to the engine,
                # the record or `--dry-run`.
                rules.append((_compile(entry), strip_controls(fold(entry.say)), entry.regex))
        return cls(tuple(rules))

    def protect(self, text: str) -> tuple[str, list[str]]:
        """Replace matches by placeholders, so later stages (numbers, Latin) leave them alone."""
        said: list[str] = []

        def hold(say: str) -> str:
            said.append(say)
            return chr(_PLACEHOLDER + len(said) - 1)

        for pattern, say, is_regex in self.rules:

            def sub(
                m: re.Match[str] | regex.Match[str], say: str = say, is_regex: bool = is_regex
            ) -> str:
                if is_regex:
                    return hold(strip_controls(m.expand(say)))
                return (m.groupdict().get("pre") or "") + hold(say)

            text = _substitute(pattern, sub, text)
        return text, said

    @staticmethod
    def restore(text: str, said: list[str]) -> str:
        """Put the spoken forms back in place of their placeholders."""
        if not said:
            return text
        return re.sub(
            f"[{chr(_PLACEHOLDER)}-{chr(_PLACEHOLDER + len(said) - 1)}]",
            lambda m: said[ord(m[0]) - _PLACEHOLDER],
            text,
        )

    def apply(self, text: str) -> str:
        """The text with every entry applied (for engines and tests alike)."""
        held, said = self.protect(text)
        return self.restore(held, said)


# A newsroom's own regex runs on every piece of text: one that backtracks
# catastrophically must stop with an error, not hang the render (the regex
# module can time a match out; the standard re module cannot).
REGEX_TIMEOUT_S = 2.0

Pattern = re.Pattern[str] | regex.Pattern[str]


def _substitute(pattern: Pattern, repl: Callable[..., str], text: str) -> str:
    if isinstance(pattern, re.Pattern):
        return pattern.sub(repl, text)
    try:
        return pattern.sub(repl, text, timeout=REGEX_TIMEOUT_S)
    except TimeoutError as exc:
        raise ConfigError(
            f"lexicon regex {pattern.pattern!r} took over {REGEX_TIMEOUT_S:.0f} s on one piece "
            "of text (it backtracks without end)",
            hint="simplify the pattern: avoid nested repeats like (a+)+",
        ) from exc


def _compile(entry: LexiconEntry) -> Pattern:
    if entry.regex:
        return regex.compile(entry.match)
    phrase = re.escape(fold(entry.match).strip())
    phrase = re.sub(r"(\\ )+", r"\\s+", phrase)  # any run of spaces between the words
    arabic = bool(re.match("[\u0600-\u06ff]", fold(entry.match).strip()))
    prefix = _PROCLITIC if arabic else ""
    return re.compile(rf"(?<!\w){prefix}{phrase}(?!\w)", re.IGNORECASE)

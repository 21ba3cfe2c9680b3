"""A pronunciation lexicon: words, phrases or regexes and what the voice should say instead."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sawt.models import LexiconEntry
from sawt.text.normalize import fold

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

    rules: tuple[tuple[re.Pattern[str], str, bool], ...]  # pattern, say, say uses \\1 groups

    @classmethod
    def build(cls, *groups: Iterable[LexiconEntry], builtin: bool = True) -> Lexicon:
        """Compile entry groups in priority order: article, podcast.yaml, then built-in."""
        rules: list[tuple[re.Pattern[str], str, bool]] = []
        for group in (*groups, BUILTIN if builtin else ()):
            for entry in group:
                rules.append((_compile(entry), fold(entry.say), entry.regex))
        return cls(tuple(rules))

    def protect(self, text: str) -> tuple[str, list[str]]:
        """Replace matches by placeholders, so later stages (numbers, Latin) leave them alone."""
        said: list[str] = []

        def hold(say: str) -> str:
            said.append(say)
            return chr(_PLACEHOLDER + len(said) - 1)

        for pattern, say, is_regex in self.rules:

            def sub(m: re.Match[str], say: str = say, is_regex: bool = is_regex) -> str:
                if is_regex:
                    return hold(m.expand(say))
                return (m.groupdict().get("pre") or "") + hold(say)

            text = pattern.sub(sub, text)
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


def _compile(entry: LexiconEntry) -> re.Pattern[str]:
    if entry.regex:
        return re.compile(entry.match)
    phrase = re.escape(fold(entry.match).strip())
    phrase = re.sub(r"(\\ )+", r"\\s+", phrase)  # any run of spaces between the words
    arabic = bool(re.match("[\u0600-\u06ff]", fold(entry.match).strip()))
    prefix = _PROCLITIC if arabic else ""
    return re.compile(rf"(?<!\w){prefix}{phrase}(?!\w)", re.IGNORECASE)

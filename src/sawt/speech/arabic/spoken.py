"""The spoken form of a piece of text: what one engine should hear for what was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from sawt.models import TextCaps
from sawt.speech.arabic.diacritics import diacritize_selectively
from sawt.speech.arabic.latin import prepare_latin, spell_acronyms
from sawt.speech.arabic.lexicon import Lexicon
from sawt.speech.arabic.number_marks import mark_numbers
from sawt.speech.arabic.quantities import verbalize
from sawt.text.normalize import fold
from sawt.text.tidy import tidy


def spoken_form(
    original: str, caps: TextCaps, lexicon: Lexicon | None = None, language: str = "ar"
) -> str:
    """Fold, apply the lexicon, then numbers, Latin and diacritics as ``caps`` ask."""
    text = fold(tidy(original))
    lexicon = lexicon or Lexicon.build()
    if not language.lower().startswith("ar"):
        # The number, Latin and diacritic rules are Arabic; other articles get the lexicon only.
        return lexicon.apply(text)
    # Lexicon entries win over every rule after them: their output is held aside
    # until the number and Latin rules have run.
    text, said = lexicon.protect(text)
    # Acronyms first: "COP28" becomes "سي أو بي 28", so its number stands apart.
    text = spell_acronyms(text)
    if caps.verbalize_numbers:
        text = verbalize(text)
    text = prepare_latin(text, caps.latin)
    text = Lexicon.restore(text, said)
    if caps.diacritize:
        # Last: nothing after this may normalize, or shadda would move back after the vowel.
        # Number words first, from a table: espeak misreads some that look possible (ألف).
        text = diacritize_selectively(mark_numbers(text))
    return text


@dataclass(frozen=True)
class FrontEnd:
    """``spoken_form`` bound to one engine's caps and one article's lexicon."""

    caps: TextCaps = field(default_factory=TextCaps)
    lexicon: Lexicon = field(default_factory=Lexicon.build)
    language: str = "ar"  # the article's language

    def __call__(self, original: str) -> str:
        """The spoken form of ``original``."""
        return spoken_form(original, self.caps, self.lexicon, self.language)

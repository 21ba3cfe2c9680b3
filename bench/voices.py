"""The offline voices the intelligibility benchmark compares: a text front end + espeak settings.

``frontend`` is sawt's espeak voice as the checkout builds it; ``raw`` hands
espeak the text as written. The others are the experiments of issue 14:
marking every word, other espeak settings and voice variants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from unittest import mock

from diacritizers import DIACRITIZERS, model

from sawt.config import EspeakSettings
from sawt.speech.arabic.diacritics import diacritize_selectively
from sawt.speech.arabic.lexicon import Lexicon
from sawt.speech.arabic.spoken import spoken_form
from sawt.speech.engines.espeak import EspeakEngine
from sawt.text.tidy import tidy


@dataclass(frozen=True)
class Context:
    """What the front end knows about the article a piece comes from."""

    lexicon: Lexicon
    language: str


TextFn = Callable[[str, Context], str]


@dataclass(frozen=True)
class Voice:
    """One way of turning a written piece into espeak audio."""

    name: str
    about: str
    text: TextFn
    espeak: EspeakSettings = field(default_factory=EspeakSettings)

    def spoken(self, original: str, context: Context) -> str:
        """What espeak hears for ``original``."""
        return self.text(original, context)


def _raw(original: str, _context: Context) -> str:
    return tidy(original)


def _frontend(original: str, context: Context) -> str:
    return spoken_form(original, EspeakEngine.caps, context.lexicon, context.language)


def _numbers_only(original: str, context: Context) -> str:
    caps = replace(EspeakEngine.caps, diacritize=False)
    return spoken_form(original, caps, context.lexicon, context.language)


def _diacritize_all(original: str, context: Context) -> str:
    """The front end, but every Arabic word gets the model's marks, not only misread ones."""
    caps = replace(EspeakEngine.caps, diacritize=False)
    text = spoken_form(original, caps, context.lexicon, context.language)
    return diacritize_selectively(text, is_bad=lambda _w: True)


# Issue 14's fixes, each switchable off for an ablation (patched, not re-implemented).
_FIXES = {
    "number-marks": ("sawt.speech.arabic.spoken.mark_numbers", lambda text: text),
    "sukun-fix": ("sawt.speech.arabic.diacritics._split_double_sukun", lambda units: None),
    "pausal": ("sawt.speech.arabic.diacritics.pausal", lambda word: word),
    "glides": ("sawt.speech.arabic.diacritics._separate_glides", lambda units: units),
    "bare-glides": ("sawt.speech.arabic.diacritics.glide_reading", lambda token, marked: None),
    "nisba": ("sawt.speech.arabic.diacritics._NISBA_ENDING", re.compile("(a)^b")),  # never
}


@contextmanager
def _without(*fixes: str) -> Iterator[None]:
    with ExitStack() as stack:
        for name in fixes:
            target, stand_in = _FIXES[name]
            stack.enter_context(mock.patch(target, stand_in))
        yield


def _frontend_without(*fixes: str) -> TextFn:
    def text(original: str, context: Context) -> str:
        with _without(*fixes):
            return _frontend(original, context)

    return text


def _frontend_with(diacritizer: str) -> TextFn:
    """The front end with another diacritiser: same words marked, same adaptation."""
    swapped = partial(diacritize_selectively, model=model(diacritizer))

    def text(original: str, context: Context) -> str:
        with mock.patch("sawt.speech.arabic.spoken.diacritize_selectively", swapped):
            return _frontend(original, context)

    return text


# Not run: rawi-v2-int8+rawi-v3-int8 gives rawi-ensemble's marks on every word of the corpus.
_SAME_MARKS = ("rawi-ensemble", "rawi-v2-int8-rawi-v3-int8")
_OTHER_DIACRITIZERS = [n for n in DIACRITIZERS if n not in _SAME_MARKS]


def speak(voice: Voice, text: str) -> tuple[bytes, int]:
    """espeak's PCM for ``text`` in ``voice``, through sawt's engine.

    espeak-ng's audio is not bit-identical from call to call (noise in its wave
    generator; re-seeding its generator and libc's does not fix it): the same
    piece's score moves by a median 0.04 nats. Averaged over ~80 pieces, that is
    about ±0.01, and it is inside the bootstrap intervals.
    """
    engine = EspeakEngine(voice.espeak)
    return engine.fetch(text), engine.sample_rate


# espeak as it was before issue 14 (voice "ar", 150 wpm, pitch 50, no word gap): raw and baseline
# keep it, so they stay what they measured then; the settings experiments of
# issue 14 are variations of it. "frontend" uses sawt's current defaults.
OLD = EspeakSettings(voice="ar", rate=150, pitch=50, word_gap=0)


def _old(**update: object) -> EspeakSettings:
    return OLD.model_copy(update=update)


_TODAY = _frontend_without(*_FIXES)

VOICES: dict[str, Voice] = {
    v.name: v
    for v in (
        Voice("raw", "espeak (ar, 150 wpm) on the text as written: front end off", _raw, OLD),
        Voice("baseline", "the front end and espeak settings before issue 14", _TODAY, OLD),
        Voice(
            "frontend", "sawt's espeak front end and espeak defaults in this checkout", _frontend
        ),
        Voice("frontend-old-voice", "this checkout's front end, espeak as before", _frontend, OLD),
        Voice(
            "frontend-no-gap",
            "this checkout's front end and voice without the word gap",
            _frontend,
            EspeakSettings(word_gap=0),
        ),
        Voice(
            "no-number-marks",
            "frontend without the number-word table",
            _frontend_without("number-marks"),
        ),
        Voice(
            "no-sukun-fix", "frontend without the double-sukun fix", _frontend_without("sukun-fix")
        ),
        Voice(
            "no-pausal", "frontend with the model's case endings kept", _frontend_without("pausal")
        ),
        Voice(
            "no-glide-fix",
            "frontend with vowelled و/ي after a vowel left to espeak (it merges them)",
            _frontend_without("glides", "bare-glides", "nisba"),
        ),
        Voice(
            "no-bare-glides",
            "frontend with glides kept apart in marked words only, bare words left bare",
            _frontend_without("bare-glides"),
        ),
        Voice(
            "no-nisba",
            "frontend with the nisba ending -ِيّ keeping its shadda and case vowel",
            _frontend_without("nisba"),
        ),
        # Experiments against the baseline (before issue 14's text fixes: pausal etc.
        # came later; see BENCHMARKS.md for which run used which text).
        Voice("numbers-only", "numbers, Latin and lexicon; no diacritics", _numbers_only, OLD),
        Voice("diacritize-all", "the front end, marking every Arabic word", _diacritize_all, OLD),
        Voice("rate-130", "espeak rate 130 wpm", _frontend, _old(rate=130)),
        Voice("rate-175", "espeak rate 175 wpm", _frontend, _old(rate=175)),
        Voice("pitch-35", "pitch 35", _frontend, _old(pitch=35)),
        Voice("pitch-65", "pitch 65", _frontend, _old(pitch=65)),
        Voice("gap-2", "20 ms more between words", _frontend, _old(word_gap=20)),
        Voice("gap-5", "50 ms more between words", _frontend, _old(word_gap=50)),
        Voice("ar+m3", "espeak variant m3", _frontend, _old(voice="ar+m3")),
        Voice("ar+f2", "espeak variant f2", _frontend, _old(voice="ar+f2")),
        Voice("ar+klatt", "espeak Klatt variant", _frontend, _old(voice="ar+klatt")),
        # Other diacritisers from PyPI in the front end (bench/diacritizers.py; not installed
        # by the bench extra: a voice whose package is missing fails when it runs).
        *(
            Voice(
                f"frontend-{name}",
                f"frontend with {DIACRITIZERS[name].about}",
                _frontend_with(name),
            )
            for name in _OTHER_DIACRITIZERS
        ),
    )
}


def resolve(name: str) -> Voice:
    """A named voice, or ``TEXT@key=value;...`` with keys voice, rate, pitch and gap.

    ``frontend@voice=ar+klatt;rate=130;gap=50`` is the front end's text spoken by the
    Klatt variant at 130 words per minute with 50 ms more between words (gap is
    espeak.word_gap, in ms; runs before this commit counted it in 10 ms steps).
    """
    if name in VOICES:
        return VOICES[name]
    base, _, spec = name.partition("@")
    if base not in VOICES or not spec:
        raise KeyError(name)
    voice = VOICES[base]
    settings = voice.espeak.model_dump()
    for pair in spec.split(";"):
        key, _, value = pair.partition("=")
        if key == "voice":
            settings["voice"] = value
        elif key in ("rate", "pitch"):
            settings[key] = int(value)
        elif key == "gap":
            settings["word_gap"] = int(value)
        else:
            raise KeyError(name)
    return Voice(name, f"{voice.about}; {spec}", voice.text, EspeakSettings(**settings))

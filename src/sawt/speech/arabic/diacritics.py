"""Add vowel marks where espeak would otherwise read an impossible word, in the form espeak reads.

The model (text2tashkeel, ONNX, shipped in its wheel) runs offline. Marking only
the words whose plain reading is impossible measured best: espeak's own rules
read most plain words well, and every added mark is a chance for a model error.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise
from typing import Any

from sawt.speech.arabic.phonemes import is_arabic_word, to_ipa, word_is_bad

SHADDA = "\u0651"
SUKUN = "\u0652"
FATHA = "\u064e"
TATWEEL = "\u0640"
_SHORT_VOWELS = "\u064e\u064f\u0650"
_MARK = "\u064b-\u0652\u0670"  # tanween, short vowels, shadda, sukun, dagger alif
_MARKS = re.compile(f"[{_MARK}]")
_VOWEL_THEN_SHADDA = re.compile(f"([\u064b-\u0650\u0652\u0670]+){SHADDA}")
_SUN = frozenset("تثدذرزسشصضطظلن")
_PROCLITICS = frozenset("وفبك")
_TOKEN = re.compile(r"\S+")
MODEL = "rawi-ensemble"  # the wheel's bundled flagship; no download

Tashkeel = Callable[[str], str]


def strip_marks(text: str) -> str:
    """Text without Arabic vowel marks."""
    return _MARKS.sub("", text)


def mark_count(word: str) -> int:
    """How many vowel marks a word carries."""
    return len(_MARKS.findall(word))


def _units(word: str) -> list[list[str]]:
    """[letter, marks] pairs; marks before any letter stay with an empty letter."""
    units: list[list[str]] = []
    for ch in word:
        if _MARKS.match(ch) and units:
            units[-1][1] += ch
        else:
            units.append([ch, ""])
    return units


def adapt_for_espeak(word: str) -> str:
    """Rewrite a diacritized word the way espeak-ng reads marks.

    Shadda goes before the vowel (Unicode order puts it after); the article's
    alif and lam lose their marks, and a sun letter after it its shadda (espeak
    doubles it itself); a proclitic before the article loses its vowel.
    """
    units = _units(word)
    letters = "".join(u[0] for u in units)
    start = 0
    if len(letters) > 4 and letters[0] in _PROCLITICS and letters[1:3] == "ال":
        units[0][1] = ""  # بِال → بال: espeak links the proclitic to the article itself
        start = 1
    elif len(letters) > 5 and letters[0] in "وف" and letters[1] in "بك" and letters[2:4] == "ال":
        units[1][1] = ""
        start = 2
    if letters[start : start + 2] == "ال" and len(letters) > start + 2:
        units[start][1] = ""
        units[start + 1][1] = ""
        sun = units[start + 2]
        if sun[0] in _SUN:
            sun[1] = sun[1].replace(SHADDA, "")
    elif letters[:2] == "لل" and len(letters) > 3:
        units[1][1] = units[1][1].replace("\u0652", "")
        if units[2][0] in _SUN:
            units[2][1] = units[2][1].replace(SHADDA, "")
    for unit in units:
        if unit[0] == "إ" and not unit[1]:
            unit[1] = "\u0650"  # hamza below is always i; unmarked, espeak gives it no vowel
    _split_double_sukun(units)
    units = _separate_glides(units)
    out = "".join(letter + marks for letter, marks in units)
    return _VOWEL_THEN_SHADDA.sub(lambda m: SHADDA + m[1], out)


def _split_double_sukun(units: list[list[str]]) -> None:
    """Never two sukuns on adjacent letters inside a word: the second becomes a fatha.

    The model writes رَقْمْنَةُ now and then; espeak then reads raqmnatu, and
    dropping the second sukun does not help (a bare letter after a sukun gets
    no vowel either). A fatha there gives the فَعْلَلَة pattern (رَقْمَنَةُ).
    A sukun on the last letter is left alone: a final pair is Arabic.
    """
    letters = [i for i, u in enumerate(units) if u[0] and not _MARKS.match(u[0])]
    for a, b in pairwise(letters[:-1]):
        if SUKUN in units[a][1] and SUKUN in units[b][1]:
            units[b][1] = units[b][1].replace(SUKUN, FATHA)


def _separate_glides(units: list[list[str]]) -> list[list[str]]:
    """Keep a vowelled و/ي after a short vowel a consonant, as espeak otherwise merges them.

    espeak reads حَيَاة as ħaiaːt and تَوَقَّفَ as tauaqːafa: after a short vowel
    it turns the glide into a diphthong or a long vowel. A tatweel before the
    glide (حَـيَاة) keeps it a consonant (ħajaːt, tawaqːafa). A doubled glide is
    also written twice, the first with sukun (سَيَّارَة → سَـيْيَارَة, sajjaːrat;
    the nisba ending الفَرَنْسِيَّة, read ʔalfaransiːt, becomes ʔalfaransijjat).
    """
    out: list[list[str]] = []
    for letter, marks in units:
        previous = out[-1] if out else None
        if (
            letter in "وي"
            and _has_short_vowel(marks)
            and previous is not None
            and previous[0] not in ("", TATWEEL)
            and _has_short_vowel(previous[1])
        ):
            out.append([TATWEEL, ""])
            if SHADDA in marks:
                out.append([letter, SUKUN])
                marks = marks.replace(SHADDA, "")
        out.append([letter, marks])
    return out


def _has_short_vowel(marks: str) -> bool:
    return any(vowel in marks for vowel in _SHORT_VOWELS)


class _Model:
    """The diacritizer, loaded on first use (about 0.1 s) and shared by the process."""

    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def diacritize(cls, text: str) -> str:
        with cls._lock:
            if cls._model is None:
                # One onnxruntime thread: sentences are short LSTM runs, and renders
                # run side by side in processes; more threads only fought for the
                # 2 cores (measured: 0.27 s cold with 1, 0.43 s with 2, under load).
                os.environ.setdefault("TT_ORT_THREADS", "1")
                from text2tashkeel import Diacritizer

                cls._model = Diacritizer(MODEL)
            return str(cls._model.diacritize(text))


@lru_cache(maxsize=4096)
def tashkeel(sentence: str) -> str:
    """The model's full diacritization of one sentence (cached: pieces repeat)."""
    return _Model.diacritize(sentence)


_FOLD = str.maketrans("أإآٱ", "اااا")


def transfer_marks(token: str, marked: str) -> str | None:
    """``token``'s own letters with ``marked``'s vowel marks; None if the letters differ.

    The model rewrites hamza seats now and then (إفريقيا → أفريقيا): the writer's
    letters are kept and only the marks are taken.
    """
    mine = [u[0] for u in _units(strip_marks(token))]
    theirs = _units(marked)
    if len(mine) != len(theirs):
        return None
    if "".join(mine).translate(_FOLD) != "".join(u[0] for u in theirs).translate(_FOLD):
        return None
    return "".join(letter + unit[1] for letter, unit in zip(mine, theirs, strict=True))


def align_marks(plain: str, marked: str) -> list[str | None] | None:
    """Per-token diacritized forms of ``plain``'s tokens (None where the model changed one)."""
    tokens = _TOKEN.findall(plain)
    marked_tokens = _TOKEN.findall(marked)
    if len(tokens) != len(marked_tokens):
        return None
    return [transfer_marks(a, b) for a, b in zip(tokens, marked_tokens, strict=True)]


def diacritize_selectively(
    text: str,
    is_bad: Callable[[str], bool] = word_is_bad,
    model: Tashkeel = tashkeel,
) -> str:
    """Mark only the Arabic words espeak would read with an impossible syllable."""
    tokens = _TOKEN.findall(text)
    bare = [i for i, tok in enumerate(tokens) if is_arabic_word(tok) and mark_count(tok) < 2]
    bad = {i for i in bare if is_bad(_core(tokens[i]))}
    glides = [i for i in bare if i not in bad and _GLIDE.search(_core(tokens[i]))]
    marked = align_marks(text, model(strip_marks(text))) if bad or glides else None
    out = list(tokens)
    for i, token in enumerate(tokens):
        if i in bad and marked is not None and marked[i] is not None:
            out[i] = _best_reading(str(marked[i]), is_bad)
        elif mark_count(token):  # the writer's (or the lexicon's) own marks
            out[i] = _adapt_token(token)
    if marked is not None:
        for i in glides:
            if (reading := marked[i]) is not None and (better := glide_reading(tokens[i], reading)):
                out[i] = better
    return _respace(text, out)


_GLIDE = re.compile("[^\\s][وي]")  # a و or ي that is not the first letter


def glide_reading(token: str, marked: str) -> str | None:
    """The model's reading of a bare word whose و/ي espeak would turn into a vowel, or None.

    espeak reads a plain word well enough, except where a و or ي is a consonant
    after a short vowel: بوفد (bi-wafd) comes out buːfd, طويلة tuːilt. When the
    model's marks, glides kept apart, give espeak more w/j consonants than the
    bare word does, the marked word is used (بِـوَفْد, biwafd); otherwise the
    bare word stays.
    """
    reading = _adapt_token(marked)
    if TATWEEL not in reading:  # _separate_glides found no glide to keep apart
        return None
    before, after = to_ipa(_core(token)), to_ipa(_core(reading))
    return reading if _glide_count(after) > _glide_count(before) else None


def _glide_count(ipa: str) -> int:
    return ipa.count("w") + ipa.count("j")


_CASE_ENDING = re.compile("[\u064b-\u0650]+$")


def pausal(word: str) -> str:
    """A marked word without its case ending: no short vowel or tanween on the last letter.

    espeak says every case vowel it is given (الفَائِدَةِ → ʔalfaːʔidati); read
    in pause form (الفَائِدَة) the words scored 0.10 nats/token better with
    Whisper (BENCHMARKS.md, issue 14). Sukun stays, and so does the vowel of a
    last letter with shadda (NFC puts the shadda last: أَنَّ keeps ʔanna) and the
    tanween of -ًا, which is not last (its alif is). The nisba ending -ِيّ loses
    its shadda too (المَغْرِبِيُّ → المَغْرِبِي, ʔalmaɣribiː).
    """
    if mark_count(word) < 2:
        return word
    return _CASE_ENDING.sub("", _NISBA_ENDING.sub("\\1ي", word))


# The nisba ending -iyy with its case vowel (المَغْرِبِيُّ): paused it is -ī, which is
# what espeak says for a bare ي after kasra; marked, it said ʔalmaɣribijjiː.
_NISBA_ENDING = re.compile("(\u0650)ي[\u064b-\u0651]+$")


def _adapt_token(token: str) -> str:
    """adapt_for_espeak on the pausal word inside its punctuation ("«بِالرِّبَاطِ،")."""
    core = _core(token)
    if not core:
        return token
    start = token.index(core)
    return token[:start] + adapt_for_espeak(pausal(core)) + token[start + len(core) :]


def _best_reading(marked: str, is_bad: Callable[[str], bool]) -> str:
    """The model's marks adapted for espeak; without its sukuns if that reads better.

    The model errs most on foreign names (الأنفلونزا with sukun on three letters
    in a row); letting espeak choose the vowels there gives a possible word.
    """
    adapted = _adapt_token(marked)
    if not is_bad(_core(adapted)):
        return adapted
    softer = adapted.replace("\u0652", "")
    return softer if not is_bad(_core(softer)) else adapted


def _core(token: str) -> str:
    return token.strip(".,،؛;:!?؟«»\"'()[]{}-–—…")


def _respace(text: str, tokens: list[str]) -> str:
    """Put new tokens back where the old ones were, keeping the original spacing."""
    parts = _TOKEN.split(text)
    out = [parts[0]]
    for token, gap in zip(tokens, parts[1:], strict=True):
        out.extend((token, gap))
    return "".join(out)

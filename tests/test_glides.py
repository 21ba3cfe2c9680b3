"""و and ي as consonants after a short vowel, in the form espeak reads right (issue 14).

espeak turns a vowelled و/ي after a short vowel into a diphthong or a long
vowel (حَيَاة → ħaiaːt, «بوفد» → buːfd, «الفَرَنْسِيَّة» → ʔalfaransiːt). Each case
is checked on the spoken form sawt builds and on espeak-ng's own phonemes.
"""

from __future__ import annotations

import unicodedata

import pytest

from sawt.speech.arabic.diacritics import (
    adapt_for_espeak,
    diacritize_selectively,
    glide_reading,
    pausal,
)
from sawt.speech.arabic.phonemes import to_ipa
from sawt.speech.arabic.spoken import spoken_form
from sawt.speech.engines.espeak import EspeakEngine


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _ipa(text: str) -> str:
    return to_ipa(text).replace("ˈ", "").replace("ˌ", "").replace(".", "")


@pytest.mark.parametrize(
    ("marked", "written", "right", "wrong"),
    [
        # a vowelled glide after a short vowel gets a tatweel before it
        ("حَيَاةٍ", "حَـيَاة", "ħajaːt", "ħaiaːt"),
        ("تَوَقَّفَ", "تَـوَقَّف", "tawaqːaf", "tauaq"),
        ("مُوَاطِنُونَ", "مُـوَاطِنُون", "muwaːt", "muːaːt"),
        ("وَيَقُولُ", "وَـيَقُول", "wajaquːl", "waiaq"),
        ("لِيَكُونَ", "لِـيَكُون", "lijakuːn", "liːak"),
        ("فَوَجَدَ", "فَـوَجَد", "fawadʒad", "fauadʒ"),
        # a doubled glide is written twice, the first with sukun, after a tatweel
        ("سَيَّارَةٌ", "سَـيْيَارَة", "sajjaːrat", "saiːaːr"),
        ("الفَرَنْسِيَّةُ", "الفَرَنْسِـيْيَة", "faransijjat", "faransiːt"),
        ("الأَوَّلُ", "الأَـوْوَل", "ʔawwal", "ʔauːl"),
        ("قُوَّةٌ", "قُـوْوَة", "quwwat", "quːt"),
    ],
)
def test_glides_after_a_short_vowel_stay_consonants(
    marked: str, written: str, right: str, wrong: str
) -> None:
    said = adapt_for_espeak(pausal(marked))
    assert _nfc(said) == _nfc(written)
    assert right in _ipa(said)
    assert wrong not in _ipa(said)
    # and the fault is real: espeak merges the glide in the model's own marks
    assert wrong in _ipa(pausal(marked))


@pytest.mark.parametrize(
    ("marked", "same"),
    [
        ("كَيْفَ", "كَيْف"),  # a glide with sukun is a diphthong: nothing to separate
        ("الوَزِيرُ", "الوَزِير"),  # after the article's bare lam
        ("يَوْمٌ", "يَوْم"),  # first letter
    ],
)
def test_glides_without_a_vowel_before_are_left_alone(marked: str, same: str) -> None:
    assert adapt_for_espeak(pausal(marked)) == same


@pytest.mark.parametrize(
    ("marked", "paused", "ipa"),
    [
        ("المَغْرِبِيُّ", "المَغْرِبِي", "ʔalmaɣribiː"),  # marked, espeak said ʔalmaɣribijjiː
        ("عَرَبِيٌّ", "عَرَبِي", "ʕarabiː"),
    ],
)
def test_nisba_ending_is_said_in_pause_form(marked: str, paused: str, ipa: str) -> None:
    assert pausal(marked) == paused
    assert _ipa(adapt_for_espeak(pausal(marked))) == ipa


def test_bare_word_is_marked_when_espeak_would_drop_its_glide() -> None:
    """«بوفد» is a possible word bare (buːfd), so only the glide rule catches it."""
    reading = glide_reading("بوفد", "بِوَفْدٍ")
    assert reading == "بِـوَفْد"
    assert "biwafd" in _ipa(reading)
    assert "buːfd" in _ipa("بوفد")


@pytest.mark.parametrize(
    ("bare", "marked"),
    [
        ("الدولية", "الدَّوْلِيَّةِ"),  # espeak reads the bare nisba ending well (ijjah)
        ("بيت", "بَيْتٌ"),  # diphthong, no vowelled glide
        ("يوم", "يَوْمٌ"),
    ],
)
def test_bare_word_stays_bare_when_espeak_reads_it_well(bare: str, marked: str) -> None:
    assert glide_reading(bare, marked) is None


def test_running_text_reads_every_glide() -> None:
    """The whole front end, the model included, on a sentence full of glides."""
    text = "استقبل الملك بوفد رسمي، ويمكن أن تكون الرحلة طويلة."
    said = spoken_form(text, EspeakEngine.caps)
    ipa = _ipa(said)
    assert "بِـوَفْد" in said
    assert "biwafd" in ipa and "buːfd" not in ipa
    assert "wajumkin" in ipa  # ويمكن, bare: wimkunna
    assert "tawiːlat" in ipa or "ṯawiːlat" in ipa.replace("t̪", "ṯ")  # طويلة, bare: tuːilt


def test_no_model_call_when_no_word_can_be_misread() -> None:
    calls: list[str] = []

    def model(text: str) -> str:
        calls.append(text)
        return text

    text = "من هنا إلى هناك"  # no bad word, no و/ي inside a word
    assert diacritize_selectively(text, is_bad=lambda _w: False, model=model) == text
    assert calls == []
    assert diacritize_selectively("من هو", is_bad=lambda _w: False, model=model) == "من هو"
    assert calls == ["من هو"]  # هو could hide a glide: the model is asked, espeak keeps it

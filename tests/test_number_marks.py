"""Number words and model marks in the form espeak reads right (issue 14).

Each class is checked twice: on the spoken form sawt builds, and on the
phonemes espeak makes of it (espeak-ng's own phonemizer).
"""

from __future__ import annotations

import pytest

from sawt.models import TextCaps
from sawt.speech.arabic.diacritics import adapt_for_espeak, diacritize_selectively, pausal
from sawt.speech.arabic.number_marks import NUMBER_MARKS, mark_numbers
from sawt.speech.arabic.numbers import NUMBER_WORDS
from sawt.speech.arabic.phonemes import impossible, to_ipa
from sawt.speech.arabic.spoken import spoken_form
from sawt.speech.engines.espeak import EspeakEngine

SUKUN = "\u0652"


def _ipa(text: str) -> str:
    return to_ipa(text).replace("ˈ", "").replace("ˌ", "")


@pytest.mark.parametrize(
    ("written", "spoken", "ipa"),
    [
        # bare ألف is read ʔallaf; marked, ʔalf
        ("1000 درهم", "أَلْف درهم", "ʔalf"),
        ("1200 خبير", "أَلْف وَمِئَتَان", "ʔalf wamiʔataːn"),
        # the silent alif of مائة is not voiced: مئة
        ("100 كتاب", "مِئَة كتاب", "miʔat"),
        ("600 خدمة", "سِتُّمِئَة خدمة", "sitːumiʔat"),
        ("بنسبة 84%", "أَرْبَعَة وَثَمَانِين في المِئَة", "ʔalmiʔat"),
        # teens: عشر after a unit is ʕaʃar(a), not ʕaʃr
        ("في 14 أكتوبر", "الرابع عَشَر", "ʕaʃar"),
        ("13 امرأة", "ثَلَاث عَشْرَة امرأة", "θalaːθ ʕaʃrat"),
        # wa + hamzat al-wasl: waθnaː, not waːiθnaː
        ("12 ألفا و12 يوما", "وَثْنَا عَشَر", "waθnaː ʕaʃar"),
        ("5 ملايين", "خَمْسَة مَلاييِن", "χamsat"),
    ],
)
def test_number_words_are_marked_for_espeak(written: str, spoken: str, ipa: str) -> None:
    said = spoken_form(written, EspeakEngine.caps)
    assert adapt_for_espeak(spoken) in said  # shadda goes before the vowel for espeak
    assert ipa in _ipa(said)
    assert "ʔallaf" not in _ipa(said) and "aːʔt" not in _ipa(said)


def test_every_number_word_reads_as_possible_arabic() -> None:
    """Every word a cardinal is made of has a marked form espeak can say."""
    missing = sorted(
        w for w in NUMBER_WORDS if w not in NUMBER_MARKS and w not in ("احد", "احدة", "عشر", "عشرة")
    )
    assert missing == []
    for bare, marked in NUMBER_MARKS.items():
        said = adapt_for_espeak(marked)
        assert not any(impossible(w) for w in to_ipa(said).split()), (bare, to_ipa(said))


def test_marks_only_bare_words_and_keep_punctuation() -> None:
    assert mark_numbers("«ألف»، وأَلِف") == "«أَلْف»، وأَلِف"
    assert mark_numbers("عشر سنوات") == "عَشْر سنوات"
    assert mark_numbers("أحد عشر") == "أَحَد عَشَرَ"
    assert mark_numbers("وثلاثون") == "وَثَلَاثُون"


def test_engines_that_read_digits_get_no_marks() -> None:
    assert spoken_form("1000 درهم", TextCaps()) == "1000 درهم"
    numbers_only = TextCaps(verbalize_numbers=True)
    assert spoken_form("1000 درهم", numbers_only) == "ألف درهم"


def test_two_sukuns_on_adjacent_letters_become_sukun_fatha() -> None:
    out = adapt_for_espeak("رَقْمْنَةُ")
    assert out == "رَقْمَنَةُ"
    assert _ipa(out) == "raqmanatu"
    assert _ipa("رَقْمْنَةُ") == "raqmnatu"  # what espeak says without the fix
    # a final pair keeps its sukuns
    assert adapt_for_espeak("بِنْتْ") == "بِنْتْ"


def test_double_sukun_from_the_model_is_fixed_in_running_text() -> None:
    out = diacritize_selectively(
        "رقمنة الإدارة", is_bad=lambda w: w == "رقمنة", model=lambda _t: "رَقْمْنَةُ الْإِدَارَةِ"
    )
    assert out.split()[0] == "رَقْمَنَة"  # and in pause form
    assert SUKUN + "ن" not in out.replace("\u064e", "")


@pytest.mark.parametrize(
    ("marked", "paused", "ipa"),
    [
        ("الْفَائِدَةِ", "الْفَائِدَة", "ʔalfaːʔida"),  # espeak says the case vowel when given
        ("بِوَفْدٍ", "بِوَفْد", "biwafd"),  # tanween dropped
        ("أَنَّ", "أَنَّ", "ʔanna"),  # a final shadda keeps its vowel (NFC puts it last)
        ("مُلَائِمًا", "مُلَائِمًا", "mulaːʔiman"),  # -ًا: the alif is last, the tanween stays
        ("رَجُلْ", "رَجُلْ", "radʒul"),  # sukun stays
        ("كتب", "كتب", None),  # a bare word is left alone
    ],
)
def test_marked_words_are_said_in_pause_form(marked: str, paused: str, ipa: str | None) -> None:
    assert pausal(marked) == paused
    if ipa is not None:
        assert _ipa(adapt_for_espeak(paused)).startswith(ipa)
        assert _ipa(adapt_for_espeak(paused)) != _ipa(adapt_for_espeak(marked)) or marked == paused


def test_model_marks_reach_espeak_in_pause_form() -> None:
    out = diacritize_selectively(
        "سعر الفائدة", is_bad=lambda w: w == "الفائدة", model=lambda _t: "سِعْرُ الْفَائِدَةِ"
    )
    assert out == "سعر الفَائِدَة"
    assert _ipa(out).endswith("ʔalfaːʔidat")  # no case vowel after it (was ʔalfaːʔidati)

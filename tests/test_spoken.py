"""The spoken form: folding, Latin, diacritics for espeak, per-engine caps; originals untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.config import Settings
from sawt.models import TextCaps
from sawt.pipeline import prepare
from sawt.speech.arabic.diacritics import (
    SHADDA,
    adapt_for_espeak,
    diacritize_selectively,
    transfer_marks,
)
from sawt.speech.arabic.latin import prepare_latin, spell
from sawt.speech.arabic.phonemes import impossible, segments
from sawt.speech.arabic.spoken import spoken_form
from sawt.speech.engines.base import Engine
from sawt.speech.engines.espeak import EspeakEngine
from sawt.text.normalize import fold

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "000_f15fce85f70c3c01.txt"
FATHA, DAMMA, KASRA, SUKUN = "\u064e", "\u064f", "\u0650", "\u0652"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("\ufefb", "لا"),  # lam-alef presentation form
        ("\ufe8d\ufee0\ufedb\ufe98\ufe8e\ufe8f", "الكتاب"),  # isolated/initial/medial forms
        ("كتابی", "كتابي"),  # Persian yeh typed in Arabic
        ("کتاب", "كتاب"),  # Persian keheh
        ("٢٠٢٤ و۱۵", "2024 و15"),  # Arabic-Indic and Persian digits
        ("٣٫٥", "3.5"),  # Arabic decimal separator
        ("العـــربية", "العربية"),  # tatweel
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_arabic_indic_digits_are_verbalized() -> None:
    caps = TextCaps(verbalize_numbers=True)
    assert spoken_form("عام ٢٠٢٤", caps) == "عام ألفين وأربعة وعشرين"


def test_ordinal_survives_tatweel_folding() -> None:
    caps = TextCaps(verbalize_numbers=True)
    assert spoken_form("في المركز الـ12 عالميا", caps) == "في المركز الثاني عشر عالميا"


@pytest.mark.parametrize(
    ("text", "mode", "spoken"),
    [
        ("مديرة DGSI", "native", "مديرة دي جي إس آي"),
        ("قرار UN", "native", "قرار يو إن"),
        ("قرار U.N. الأخير", "native", "قرار يو إن الأخير"),
        ("مؤتمر COP28", "native", "مؤتمر سي أو بي 28"),
        ("قال Macron", "native", "قال Macron"),
        ("قال Macron", "ssml", 'قال <voice xml:lang="en">Macron</voice>'),
        ("قال Macron", "letters", "قال إم إيه سي آر أو إن"),
        (
            "a < b & UN",
            "ssml",
            '<voice xml:lang="en">a</voice> &lt; <voice xml:lang="en">b</voice> &amp; يو إن',
        ),
    ],
)
def test_latin(text: str, mode: str, spoken: str) -> None:
    assert prepare_latin(text, mode) == spoken  # type: ignore[arg-type]


def test_acronym_with_digits_keeps_words_apart() -> None:
    caps = TextCaps(verbalize_numbers=True)
    assert spoken_form("مؤتمر COP28", caps) == "مؤتمر سي أو بي ثمانية وعشرون"
    assert spoken_form("DGSI2", caps) == "دي جي إس آي اثنان"


def test_spell_every_letter() -> None:
    assert len(spell("ABCDEFGHIJKLMNOPQRSTUVWXYZ").split()) == 26


@pytest.mark.parametrize(
    ("marked", "adapted"),
    [
        # shadda moves before the vowel
        ("مِمَّا", "مِمّ" + FATHA + "ا"),
        # article: bare alif and lam; sun letter loses its shadda
        ("الشَّمْسُ", "الشَمْسُ"),
        ("الْمُدِيرُ", "المُدِيرُ"),
        # proclitic before the article loses its vowel
        ("بِالرِّبَاطِ", "بالرِبَاطِ"),
        ("وَالْأَنْشِطَةِ", "والأَنْشِطَةِ"),
        # li + article keeps its kasra
        ("لِلْأَمْنِ", "لِلأَمْنِ"),
        # hamza below always carries kasra
        ("إنشاء", "إِنشاء"),
    ],
)
def test_adapt_for_espeak(marked: str, adapted: str) -> None:
    assert adapt_for_espeak(marked) == adapted


def test_shadda_order_survives() -> None:
    out = adapt_for_espeak("المُعَلِّمُ")
    assert out.index(SHADDA) < out.index(KASRA)


def test_transfer_marks_keeps_the_writers_letters() -> None:
    assert transfer_marks("إفريقيا", "أَفْرِيقِيَا") == "إ" + FATHA + "ف" + SUKUN + "رِيقِيَا"
    assert transfer_marks("مصر", "تُونِسُ") is None


@pytest.mark.parametrize(
    ("ipa", "bad"),
    [
        ("ʔalmudˈiːr", False),
        ("ħmˈuːʃiː", True),  # initial cluster
        ("ʔasssˈiːdu", True),  # three in a row
        ("ˈistaqbˌal", False),
        ("ʕˈabd", False),  # a final pair is fine
        ("dʒˈiː", False),  # an affricate is one consonant
        ("t̪ˈaːbiʕ", False),  # a dental diacritic stays on its consonant
    ],
)
def test_impossible(ipa: str, bad: bool) -> None:
    assert impossible(ipa) is bad
    assert segments("dʒaː") == ["dʒ", "aː"]


def test_selective_diacritics_touch_only_bad_words() -> None:
    calls: list[str] = []

    def model(text: str) -> str:
        calls.append(text)
        return "كَتَبَ الْوَلَدُ"

    out = diacritize_selectively("كتب الولد", is_bad=lambda w: w == "كتب", model=model)
    assert out == "كَتَب الولد"  # in pause form: no case vowel on the last letter
    assert calls == ["كتب الولد"]  # the model sees the whole sentence for context
    assert diacritize_selectively("كتب", is_bad=lambda w: False, model=model) == "كتب"
    assert len(calls) == 1  # no bad word (and no و/ي that may be a glide): no model call


def test_engines_declare_caps() -> None:
    assert isinstance(EspeakEngine.caps, TextCaps)
    assert EspeakEngine.caps.verbalize_numbers and EspeakEngine.caps.diacritize
    assert "caps" in Engine.__annotations__
    plain = TextCaps()  # an engine that reads digits itself (gTTS)
    assert spoken_form("عام 2024", plain) == "عام 2024"


def test_other_languages_get_only_the_lexicon() -> None:
    caps = EspeakEngine.caps
    assert spoken_form("In 2024, UN met", caps, language="en") == "In 2024, UN met"
    english = Path(__file__).resolve().parent / "data" / "english.md"
    prepared = prepare(english, Settings(root=english.parent), 600, caps)
    assert [p.spoken for p in prepared.pieces] == [p.original for p in prepared.pieces]


def test_originals_keep_digits_spoken_forms_do_not() -> None:
    prepared = prepare(SAMPLE, Settings(root=SAMPLE.parent), 600, EspeakEngine.caps)
    with_year = [p for p in prepared.pieces if "2024" in p.original]
    assert with_year, "the sample mentions 2024"
    for piece in with_year:
        assert "2024" not in piece.spoken
        assert any(year in piece.spoken for year in ("أَلْفِين", "ألفين"))
    text = SAMPLE.read_text(encoding="utf-8")
    for piece in prepared.pieces:
        assert " ".join(piece.original.split()) in " ".join(text.split())
        assert len(piece.spoken) <= 600


def test_long_spoken_forms_are_cut_to_the_engine_limit() -> None:
    prepared = prepare(SAMPLE, Settings(root=SAMPLE.parent), 100, EspeakEngine.caps)
    assert all(len(p.spoken) <= 100 for p in prepared.pieces)
    text = " ".join(SAMPLE.read_text(encoding="utf-8").split())
    assert all(" ".join(p.original.split()) in text for p in prepared.pieces)


def test_espeak_switches_to_english_for_latin_words_itself() -> None:
    """Why espeak's caps say latin="native": its phonemizer shows the switch."""
    from sawt.speech.arabic.phonemes import to_ipa

    ipa = to_ipa("قال Macron")
    assert "(en)" in ipa and "(ar)" in ipa
    assert EspeakEngine.caps.latin == "native"


def test_adaptation_sees_through_punctuation() -> None:
    out = diacritize_selectively(
        "«بالرباط،", is_bad=lambda w: w == "بالرباط", model=lambda t: "«بِالرِّبَاطِ،"
    )
    assert out == "«بالرِبَاط،"

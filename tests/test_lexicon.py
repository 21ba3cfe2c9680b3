"""Pronunciation lexicon (podcast.yaml and front matter) and boilerplate lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.config import load_settings
from sawt.errors import ConfigError
from sawt.models import LexiconEntry, TextCaps
from sawt.pipeline import prepare
from sawt.read.article import read_article
from sawt.speech.arabic.lexicon import Lexicon
from sawt.text.normalize import Boilerplate

ENTRIES = [
    LexiconEntry(match="حموشي", say="حَمُّوشِي"),
    LexiconEntry(match="سيلين بيرتون", say="سيلين بيرطون"),
    LexiconEntry(match=r"\bDGSI\b", say="المديرية العامة للأمن الداخلي", regex=True),
    LexiconEntry(match=r"رقم (\d+)", say=r"الرقم \1", regex=True),
]


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("استقبل حموشي الوفد", "استقبل حَمُّوشِي الوفد"),
        ("وحموشي ولحموشي", "وحَمُّوشِي ولحَمُّوشِي"),
        ("الحموشية", "الحموشية"),  # part of another word: untouched
        ("السيدة سيلين  بيرتون", "السيدة سيلين بيرطون"),
        ("مديرة DGSI الفرنسية", "مديرة المديرية العامة للأمن الداخلي الفرنسية"),
        ("رقم 7", "الرقم 7"),
        ("FIFA و fifa", "فيفا و فيفا"),  # built-in: said as a word
    ],
)
def test_entries_apply(text: str, spoken: str) -> None:
    assert Lexicon.build(ENTRIES).apply(text) == spoken


def test_earlier_groups_win() -> None:
    article = [LexiconEntry(match="FIFA", say="الفيفا")]
    assert Lexicon.build(article, ENTRIES).apply("FIFA") == "الفيفا"


def test_lexicon_output_is_not_renumbered_or_spelled() -> None:
    lexicon = Lexicon.build([LexiconEntry(match="G7", say="مجموعة السبع")])
    from sawt.speech.arabic.spoken import spoken_form

    caps = TextCaps(verbalize_numbers=True)
    assert spoken_form("قمة G7 في 2026", caps, lexicon) == "قمة مجموعة السبع في ألفين وستة وعشرين"


def test_bad_regex_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "podcast.yaml"
    config.write_text("lexicon:\n  - {match: '(oops', say: x, regex: true}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="regex"):
        load_settings(config)


def _article(tmp_path: Path) -> Path:
    article = tmp_path / "a.md"
    article.write_text(
        "---\n"
        "title: زيارة عمل\n"
        "lexicon:\n"
        "  - {match: بيرتون, say: بِيرْطُون}\n"
        "---\n\n"
        "استقبل حموشي السيدة بيرتون عام 2024 بمقر DGSI.\n\n"
        "اقرأ أيضا: خبر آخر لا علاقة له\n\n"
        "إعلان ممول\n\n"
        "شارك\n",
        encoding="utf-8",
    )
    return article


def test_podcast_yaml_and_front_matter_lexicons_reach_the_spoken_form(tmp_path: Path) -> None:
    config = tmp_path / "podcast.yaml"
    config.write_text(
        "lexicon:\n"
        "  - {match: حموشي, say: حَمُّوشِي}\n"
        "  - {match: بيرتون, say: بيرتون-من-الإعدادات}\n"
        "boilerplate:\n"
        "  - إعلان ممول\n",
        encoding="utf-8",
    )
    settings = load_settings(config)
    prepared = prepare(_article(tmp_path), settings, 600, TextCaps(verbalize_numbers=True))
    body = [p for p in prepared.pieces if p.role == "body"]
    assert len(body) == 1  # the "read also", sponsored and share lines are gone
    piece = body[0]
    assert piece.original == "استقبل حموشي السيدة بيرتون عام 2024 بمقر DGSI."
    assert "حَمُّوشِي" in piece.spoken
    assert "بِيرْطُون" in piece.spoken  # the article's entry beats podcast.yaml's
    assert "ألفين وأربعة وعشرين" in piece.spoken
    assert "دي جي إس آي" in piece.spoken


def test_front_matter_lexicon_is_validated(tmp_path: Path) -> None:
    article = tmp_path / "bad.md"
    article.write_text("---\nlexicon:\n  - {say: x}\n---\n\nنص.\n", encoding="utf-8")
    with pytest.raises(Exception, match="match"):
        read_article(article)


BOILERPLATE = [
    "اقرأ أيضا: المغرب يفوز على غانا",
    "اقرأ أيضاً",
    "إقرأ ايضا ارتفاع الأسعار",
    "مواضيع ذات صلة",
    "شارك",
    "شارك المقال",
    "شارك الخبر على فيسبوك",
    "تابعونا على فيسبوك وتويتر",
    "صورة أرشيفية",
    "(صورة: أ ف ب)",
    "الصورة: رويترز",
    "مصدر الصورة، Getty Images",
    "تصوير: محمد العلوي",
    "AFP",
    "© جميع الحقوق محفوظة 2026",
    "إعلان",
    "أضف تعليقا",
    "اضغط هنا للاشتراك",
]
KEPT = [
    "شارك الوزير في الاجتماع الذي عقد بالرباط يوم الخميس.",
    "وتابعونا الحاضرون باهتمام كبير طيلة اللقاء الذي دام ساعتين وأكثر من ذلك بكثير جدا.",
    "صورة المغرب في الخارج تحسنت كثيرا خلال السنوات الأخيرة بفضل الدبلوماسية النشيطة.",
    "استقبل السيد عبد اللطيف حموشي الوفد.",
]


@pytest.mark.parametrize("line", BOILERPLATE)
def test_boilerplate_lines_match(line: str) -> None:
    assert Boilerplate.build().matches(line)


@pytest.mark.parametrize("line", KEPT)
def test_news_lines_are_kept(line: str) -> None:
    assert not Boilerplate.build().matches(line)


def test_boilerplate_dropped_from_a_text_article(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "عنوان الخبر\n\nالفقرة الأولى من الخبر.\nاقرأ أيضا: خبر آخر\n\nالفقرة الثانية.\n\nشارك\n",
        encoding="utf-8",
    )
    article = read_article(path, Boilerplate.build())
    assert [b.text for b in article.blocks] == ["الفقرة الأولى من الخبر.", "الفقرة الثانية."]
    assert article.blocks[1].line == 6  # line numbers still point into the file


def test_extra_phrases_and_regexes() -> None:
    rules = Boilerplate.build(["برعاية شركائنا", "re:نشر في \\d+.*"])
    assert rules.matches("برعاية شركائنا")
    assert rules.matches("برعاية شركائنا: بنك المغرب")
    assert rules.matches("نشر في 12/11/2026")
    assert not rules.matches("نشر الموقع في 2026 خبرا")

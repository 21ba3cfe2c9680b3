"""Cleaning: the three kinds of repeats scraped articles carry, and the sample."""

from __future__ import annotations

from pathlib import Path

from sawt.read.article import read_article
from sawt.read.clean import dedupe
from sawt.read.document import Article, Block
from sawt.text.tidy import speakable, tidy, words
from tests.conftest import SAMPLE

P1 = "استقبل المدير العام للأمن الوطني يوم الخميس بالرباط المديرة العامة للأمن الداخلي الفرنسي."
P2 = "وجرى خلال هذا اللقاء بحث سبل تطوير آليات التعاون الثنائي بين البلدين في المجال الأمني."
P3 = "وشملت المباحثات أيضا تعزيز التعاون لمواجهة الأعمال العدائية التي تهدد أمن البلدين معا."


def article(*paras: str) -> Article:
    blocks = tuple(Block("paragraph", p, i + 1) for i, p in enumerate(paras))
    return Article(path=Path("x.txt"), title="t", blocks=blocks)


def texts(a: Article) -> list[str]:
    return [b.text for b in a.blocks]


def test_exact_copy_dropped() -> None:
    cleaned, report = dedupe(article(P1, P2, P1))
    assert texts(cleaned) == [P1, P2]
    assert report.removed == 1
    assert cleaned.notes == ("dropped 1 repeated paragraph",)


def test_truncated_copy_dropped() -> None:
    cut = P3[:-9]  # ends mid-word, as scrapers cut
    cleaned, report = dedupe(article(P1, P3, cut))
    assert texts(cleaned) == [P1, P3]
    assert [b.text for b in report.dropped] == [cut]


def test_mostly_contained_paragraph_dropped() -> None:
    mostly = P2.rstrip(".") + " أيضا."  # one extra word
    cleaned, _ = dedupe(article(P2, P1, mostly))
    assert texts(cleaned) == [P2, P1]


def test_fuller_later_version_replaces_earlier_in_place() -> None:
    fuller = "في إطار تعزيز الشراكة الأمنية الاستراتيجية بين البلدين، " + P1
    cleaned, report = dedupe(article(P1, P2, fuller))
    assert texts(cleaned) == [fuller, P2]
    assert len(report.replaced) == 1


def test_distinct_and_short_paragraphs_kept() -> None:
    cleaned, report = dedupe(article(P1, "نعم.", P2, "لا.", P3, "نعم!"))
    assert texts(cleaned) == [P1, "نعم.", P2, "لا.", P3]  # "نعم!" is the same words
    assert report.removed == 1


def test_headings_are_never_dropped() -> None:
    blocks = (Block("heading", "قسم", 1), Block("paragraph", P1, 2), Block("heading", "قسم", 3))
    cleaned, _ = dedupe(Article(path=Path("x.md"), title="t", blocks=blocks))
    assert [b.kind for b in cleaned.blocks] == ["heading", "paragraph", "heading"]


def test_sample_body_read_once_and_nothing_lost() -> None:
    original = read_article(SAMPLE)
    cleaned, report = dedupe(original)
    assert len(cleaned.blocks) == 6
    assert report.removed == 6
    kept_words = [w for b in cleaned.blocks for w in words(b.text)]
    # Every paragraph of the first copy is read exactly once, as a contiguous run.
    for block in original.blocks[:6]:
        ws = words(block.text)
        hits = sum(kept_words[i : i + len(ws)] == ws for i in range(len(kept_words) - len(ws) + 1))
        assert hits == 1, block.text[:40]
    # Nothing from the body is lost: every word of every paragraph is still spoken.
    all_words = {w for b in original.blocks for w in words(b.text)}
    assert all_words - set(kept_words) == {"مواطنيهم"}  # only the truncated last word


def test_tidy_and_speakable() -> None:
    raw = "\ufeffكلمة\u200f  أخرى\u200b\r\nسطر ثانٍ\u202e"
    assert tidy(raw) == "كلمة أخرى\nسطر ثانٍ"
    assert speakable("العـــربية ﻻ") == "العربية لا"  # tatweel gone, presentation form folded

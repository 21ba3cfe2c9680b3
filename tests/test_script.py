"""The spoken script: sentences, pieces within the engine limit, pauses."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.config import Pauses
from sawt.read.document import Article, Block
from sawt.speech.script import build_script, split_sentences, split_to_limit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("جملة أولى. جملة ثانية", ["جملة أولى.", "جملة ثانية"]),
        ("هل أتيت؟ نعم أتيت! حسنا", ["هل أتيت؟", "نعم أتيت!", "حسنا"]),
        ("قال؛ ثم مضى: إلى البيت", ["قال؛", "ثم مضى:", "إلى البيت"]),
        ("Latin one. Two? Three!", ["Latin one.", "Two?", "Three!"]),
        ("سطر أول\nسطر ثان", ["سطر أول", "سطر ثان"]),
        ("العدد 3.5 مليون", ["العدد 3.5 مليون"]),  # no break inside a decimal
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_long_sentence_split_at_commas_within_limit() -> None:
    clauses = ["هذه عبارة أولى طويلة نسبيا", "وهذه عبارة ثانية أطول منها قليلا", "وثالثة"]
    sentence = "، ".join(clauses) + "."
    chunks = split_to_limit(sentence, 40)
    assert all(len(c) <= 40 for c, _ in chunks)
    assert " ".join(c for c, _ in chunks) == sentence
    assert chunks[0] == ("هذه عبارة أولى طويلة نسبيا،", True)


def test_long_unpunctuated_text_never_cut_mid_word() -> None:
    text = " ".join(f"كلمة{i}" for i in range(200))
    chunks = split_to_limit(text, 100)
    assert all(len(c) <= 100 for c, _ in chunks)
    assert " ".join(c for c, _ in chunks) == text
    assert all(c.split() for c, _ in chunks)
    assert [w for c, _ in chunks for w in c.split()] == text.split()


def test_single_overlong_word_is_the_only_cut() -> None:
    word = "ب" * 250
    chunks = split_to_limit(f"قبل {word} بعد", 100)
    assert [len(c) for c, _ in chunks] == [3, 100, 100, 54]
    assert "".join(c for c, _ in chunks[1:3]) + chunks[3][0][:50] == word


def test_script_order_roles_and_pauses() -> None:
    art = Article(
        path=Path("a.md"),
        title="العنوان",
        author="المصدر",
        blocks=(
            Block("paragraph", "جملة أولى. جملة ثانية.", 1),
            Block("heading", "قسم", 3),
            Block("paragraph", "فقرة القسم.", 5),
            Block("paragraph", "فقرة أخيرة.", 7),
        ),
    )
    p = Pauses()
    pieces = build_script(art, 100, p)
    assert [(x.role, x.original) for x in pieces] == [
        ("title", "العنوان"),
        ("source", "المصدر"),
        ("body", "جملة أولى."),
        ("body", "جملة ثانية."),
        ("heading", "قسم"),
        ("body", "فقرة القسم."),
        ("body", "فقرة أخيرة."),
    ]
    assert [x.pause_ms for x in pieces] == [1200, 1200, 350, 1500, 1500, 800, 1000]
    assert [x.index for x in pieces] == list(range(7))


def test_pauses_configurable() -> None:
    art = Article(path=Path("a.md"), title="ع", blocks=(Block("paragraph", "أ. ب.", 1),))
    pieces = build_script(art, 100, Pauses(sentence=0.5, title=2, end=0))
    assert [x.pause_ms for x in pieces] == [2000, 500, 0]


def test_spoken_is_normalised_original_is_kept() -> None:
    art = Article(path=Path("a.md"), title="العـــنوان", blocks=(Block("paragraph", "نص.", 1),))
    title = build_script(art, 100, Pauses())[0]
    assert (title.original, title.spoken) == ("العـــنوان", "العنوان")

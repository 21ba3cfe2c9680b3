"""A saved web page: only the article is read, not menus, share bars or comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sawt.config import Settings
from sawt.errors import InputError
from sawt.models import TextCaps
from sawt.pipeline import prepare
from sawt.read.article import read_article
from sawt.text.normalize import Boilerplate

PAGE = Path(__file__).resolve().parent / "data" / "article.html"
NOT_READ = [
    "الرئيسية",
    "اتصل بنا",
    "اشترك في النشرة",
    "فيسبوك",
    "واتساب",
    "اقرأ أيضا",
    "ارتفاع أسعار الخضر",
    "مشروع رائع",
    "الماء حق للجميع",
    "أضف تعليقا",
    "الأكثر قراءة",
    "المنتخب الوطني",
    "جميع الحقوق",
    "تابعونا",
    "صورة",
]


@pytest.fixture()
def page(tmp_path: Path) -> Path:
    dest = tmp_path / "desalination.html"
    shutil.copy(PAGE, dest)
    return dest


def test_only_the_article(page: Path) -> None:
    article = read_article(page, Boilerplate.build())
    assert article.title == "افتتاح محطة جديدة لتحلية مياه البحر في الدار البيضاء"
    assert article.author == "سلمى بنعلي"
    assert article.date == "2026-11-27"
    assert [b.kind for b in article.blocks] == [
        "paragraph",
        "paragraph",
        "heading",
        "paragraph",
        "paragraph",
    ]
    assert article.blocks[2].text == "تخفيف الضغط على السدود"
    assert article.blocks[0].text.startswith("افتتحت السلطات المحلية بالدار البيضاء")
    assert article.blocks[-1].text.endswith("800 مليون متر مكعب في السنة.")
    everything = "\n".join([article.title, *(b.text for b in article.blocks)])
    for text in NOT_READ:
        assert text not in everything, text


def test_script_of_a_page_keeps_digits_in_originals(page: Path) -> None:
    prepared = prepare(page, Settings(root=page.parent), 600, TextCaps(verbalize_numbers=True))
    body = [p for p in prepared.pieces if p.role == "body"]
    assert any("300 مليون" in p.original for p in body)
    assert any("ثلاثمائة مليون" in p.spoken for p in body)
    assert prepared.pieces[1].role == "source" and prepared.pieces[1].original == "سلمى بنعلي"


def test_a_page_without_an_article(tmp_path: Path) -> None:
    path = tmp_path / "menu.htm"
    path.write_text(
        "<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", encoding="utf-8"
    )
    with pytest.raises(InputError, match="web page") as info:
        read_article(path)
    assert info.value.path == path


def test_windows_1256_page(tmp_path: Path) -> None:
    path = tmp_path / "old.html"
    html = PAGE.read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="windows-1256"')
    path.write_bytes(html.replace("©", "").replace("—", "-").encode("cp1256"))
    assert read_article(path).title == "افتتاح محطة جديدة لتحلية مياه البحر في الدار البيضاء"

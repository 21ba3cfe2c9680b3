"""Reading articles: Markdown with front matter, scraped plain text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.errors import ConfigError, InputError
from sawt.read.article import read_article
from tests.conftest import SAMPLE


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MD = """---
title: عنوان المقدمة
author: كاتب المقال
date: 2026-11-29
source_url: https://example.com/a
slug: my-article
language: ar
tags: [ignored, keys]
---
# عنوان في النص

فقرة أولى فيها [رابط مهم](http://x.example) و![صورة](a.png) نص. <!-- تعليق خفي -->

<!-- تعليق كتلة -->

## القسم الأول

- بند أول
- بند ثان

> اقتباس مقروء.

```
print("لا يقرأ")
```

    indented code is not read

<div>html block</div>
"""


def test_markdown_front_matter_headings_links_and_skips(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.md", MD))
    assert article.title == "عنوان المقدمة"  # front matter wins over the # heading
    assert article.author == "كاتب المقال"
    assert article.date == "2026-11-29"
    assert article.source_url == "https://example.com/a"
    assert article.slug == "my-article"
    kinds = [(b.kind, b.text) for b in article.blocks]
    assert kinds[0] == ("paragraph", "فقرة أولى فيها رابط مهم و نص.")
    assert kinds[1] == ("heading", "القسم الأول")
    assert kinds[2] == ("paragraph", "بند أول\nبند ثان")
    assert kinds[3] == ("paragraph", "اقتباس مقروء.")
    everything = " ".join(t for _, t in kinds)
    for absent in ("http", "صورة", "تعليق", "print", "indented", "html block"):
        assert absent not in everything
    assert article.blocks[1].line == 16


def test_markdown_first_h1_is_title_without_front_matter(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "b.md", "# العنوان\n\nنص الفقرة.\n\n# عنوان آخر\n"))
    assert article.title == "العنوان"
    assert [b.kind for b in article.blocks] == ["paragraph", "heading"]


def test_sample_plain_text_title_is_headline_not_kicker() -> None:
    article = read_article(SAMPLE)
    assert (
        article.title == "تعزيز التعاون الأمني المغربي-الفرنسي لمواجهة التحديات الإقليمية والدولية"
    )
    assert article.author == "ميديا أونكيت 24"
    assert all(b.text != "جريدة" for b in article.blocks)
    assert len(article.blocks) == 12  # the body, twice, before cleaning


def test_plain_text_without_kicker(tmp_path: Path) -> None:
    text = "عنوان الخبر هنا\n\nالمصدر\n\nهذه فقرة طويلة من النص. وفيها جملتان.\n"
    article = read_article(write(tmp_path, "c.txt", text))
    assert (article.title, article.author) == ("عنوان الخبر هنا", "المصدر")
    assert [b.text for b in article.blocks] == ["هذه فقرة طويلة من النص. وفيها جملتان."]


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("empty.md", b"", "empty", None),
        ("blank.txt", b"  \n\n \t\n", "empty", None),
        (
            "binary.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00",
            "binary",
            3,
        ),  # the NUL byte follows the second newline
        ("latin.txt", "سطر\ncaf\xe9".encode("latin-1", "ignore").replace(b"?", b""), "UTF-8", 2),
        ("doc.pdf", b"%PDF-1.4", "unsupported", None),
        ("bad.md", b"---\ntitle: [unclosed\n---\n# x\n\ntext\n", "YAML", 2),
        ("badtype.md", b"---\ntitle: x\nauthor: {a: 1}\n---\n\ntext\n", "author", 3),
    ],
)
def test_bad_inputs_raise_with_file_and_line(
    tmp_path: Path, name: str, content: bytes, message: str, line: int | None
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises((InputError, ConfigError)) as info:
        read_article(path)
    assert message in str(info.value)
    assert info.value.path == path
    assert info.value.line == line


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_article(tmp_path / "nope.md")

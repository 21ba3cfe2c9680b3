"""Helpers shared by the publishing tests: a rendered show, images, the CLI in a subprocess."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE, run_sawt, sawt_env

__all__ = ["ROOT", "SAMPLE", "run_sawt", "sawt_env"]
BASE_URL = "https://example.org/بودكاست صوت/episodes/"
NASTY_TITLE = "عنوان <b>غامق</b> & \"اقتباس\" 'مفرد' ]]> نهاية"

LONG_SENTENCE = (
    "هذه جملة طويلة جدا تحتوي على الكثير من الكلمات لكي نختبر تقسيم السطور الطويلة"
    " في الترجمة النصية، وهي مستمرة بلا توقف حتى تصل إلى النهاية المطلوبة أخيرا."
)

NASTY_ARTICLE = f"""---
title: {json.dumps(NASTY_TITLE, ensure_ascii=False)}
author: كاتب التجربة
slug: nasty
---

في عام 2024 زار 15 ألف شخص المدينة القديمة.

## الجزء الثاني

{LONG_SENTENCE}

فقرة قصيرة أخيرة.
"""


def short_article(n: int) -> str:
    """A small Markdown article, different for each ``n``."""
    return (
        f"---\ntitle: المقال رقم {n}\nslug: art-{n}\n---\n\nهذه فقرة المقال رقم {n}. وهي قصيرة.\n"
    )


def show_yaml(**extra: str) -> str:
    """A valid podcast.yaml with a public base_url, an owner and a cover."""
    fields = {
        "title": '"صوت & <تجربة>"',
        "description": '"مقالات مقروءة"',
        "author": "sawt",
        "owner": "\n  name: Test Owner\n  email: owner@newsroom.ma",
        "base_url": f'"{BASE_URL}"',
        "image": "cover.png",
        "category": "News",
        "subcategory": "Daily News",
        "explicit": "false",
        # Always the offline voice: tests never depend on the network.
        "engine": "espeak",
    }
    fields.update(extra)
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def write_png(path: Path, width: int, height: int, color_type: int = 2) -> Path:
    """A real (tiny to compress) PNG of the given size and colour type."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\x00" + b"\x80" * (width * channels)
    data = zlib.compress(row * height)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def write_jpeg_header(path: Path, width: int, height: int, components: int = 3) -> Path:
    """A JPEG header (SOI, APP0, SOF0) enough for header checks; no image data."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = struct.pack(">BHHB", 8, height, width, components) + b"\x01\x11\x00" * components
    path.write_bytes(
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xc0"
        + struct.pack(">H", len(sof) + 2)
        + sof
        + b"\xff\xd9"
    )
    return path


def new_show(folder: Path, **extra: str) -> Path:
    """A folder with podcast.yaml, a valid cover and the test articles."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "podcast.yaml").write_text(show_yaml(**extra), "utf-8")
    write_png(folder / "cover.png", 1400, 1400)
    (folder / "nasty.md").write_text(NASTY_ARTICLE, "utf-8")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    return folder


_SHOW: list[Path] = []


def rendered_show(factory: pytest.TempPathFactory) -> Path:
    """A show with two rendered episodes (the nasty article and the sample), made once."""
    if not _SHOW:
        folder = new_show(factory.mktemp("show"))
        proc = run_sawt("render", "nasty.md", SAMPLE.name, cwd=folder)
        assert proc.returncode == 0, proc.stderr
        _SHOW.append(folder)
    return _SHOW[0]


def copy_show(factory: pytest.TempPathFactory, dest: Path) -> Path:
    """A private copy of the rendered show, for tests that change it."""
    shutil.copytree(rendered_show(factory), dest)
    return dest

"""Articles arrive in old encodings and with Windows line ends: the script must not change."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sawt.config import Settings
from sawt.errors import InputError
from sawt.models import TextCaps
from sawt.pipeline import prepare
from sawt.read.article import read_article

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "000_f15fce85f70c3c01.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")
CAPS = TextCaps(verbalize_numbers=True)  # numbers on, diacritics off: quick and still exercised


def _pieces(path: Path) -> list[tuple[str, str, str, int]]:
    prepared = prepare(path, Settings(root=path.parent), 600, CAPS)
    return [(p.role, p.original, p.spoken, p.pause_ms) for p in prepared.pieces]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str, int]]:
    path = tmp_path_factory.mktemp("utf8") / SAMPLE.name
    path.write_bytes(TEXT.encode("utf-8"))
    return _pieces(path)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(TEXT.encode("cp1256"), id="windows-1256"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-bom"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(TEXT.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(TEXT.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(TEXT.replace("\n", "\r\n").encode("cp1256"), id="windows-1256-crlf"),
        pytest.param(TEXT.encode("iso8859_6"), id="iso-8859-6"),
    ],
)
def test_same_script_as_utf8(
    raw: bytes, tmp_path: Path, reference: list[tuple[str, str, str, int]]
) -> None:
    path = tmp_path / SAMPLE.name
    path.write_bytes(raw)
    assert _pieces(path) == reference


def test_short_windows_1256_line(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("عنوان قصير\n\nنص عربي قصير جدا.".encode("cp1256"))
    article = read_article(path)
    assert article.title == "عنوان قصير"
    assert article.blocks[0].text == "نص عربي قصير جدا."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"title\n\ncaf\xe9 au lait \xff\xfe\xfa", "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (codecs.BOM_UTF8 + b"\xff\xfe bad", "UTF-8"),
    ],
)
def test_undecodable_bytes_name_the_file(tmp_path: Path, raw: bytes, message: str) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=message) as info:
        read_article(path)
    assert info.value.path == path
    assert str(path) in str(info.value)

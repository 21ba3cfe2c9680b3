"""Bytes of an article file → text: UTF-8 (BOM or not), UTF-16/32 with a BOM, Windows-1256.

Arabic archives and older sites still serve Windows-1256. Almost any byte
string decodes as cp1256, so a legacy guess is accepted only when the result
is mostly Arabic letters; valid UTF-8 always wins.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from sawt.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
ARABIC_SHARE = 0.6  # of the letters, for a legacy decoding to count as Arabic text
_LEGACY = ("cp1256", "iso8859_6")


def arabic_share(text: str) -> float:
    """Share of the letters in ``text`` that are Arabic."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufefc")
    return arabic / len(letters)


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _legacy_candidates(raw: bytes) -> list[str]:
    """The Arabic code pages, the one charset-normalizer finds more coherent first.

    Only Arabic code pages are considered: DOS and Mac Arabic pages also turn
    cp1256 bytes into Arabic letters, but the wrong ones.
    """
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000], cp_isolation=list(_LEGACY)).best()
    except Exception:  # a detector failure must not hide the real error message
        best = None
    first = [best.encoding] if best is not None and best.encoding in _LEGACY else []
    return [*first, *(e for e in _LEGACY if e not in first)]


def _mostly_utf8(raw: bytes) -> bool:
    """Whether valid multi-byte UTF-8 sequences far outnumber the invalid bytes.

    Legacy Arabic code pages put lead bytes next to each other, so their text
    holds almost no valid UTF-8 sequences; a damaged UTF-8 file holds many.
    """
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    return good >= 8 and bad * 20 <= good


def decode_text(raw: bytes, path: Path) -> str:
    """Decode an article file's bytes, or raise InputError saying why not."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text = _strict(raw[len(bom) :], encoding)
            if text is None:
                message = f"invalid {encoding.upper()} despite its byte-order mark"
                raise InputError(message, path=path)
            return text
    if b"\x00" in raw:
        # UTF-16 without a BOM still reads as Arabic; anything else with NULs is binary.
        for encoding in ("utf-16-le", "utf-16-be"):
            text = _strict(raw, encoding) if len(raw) % 2 == 0 else None
            if text and arabic_share(text) >= ARABIC_SHARE and "\x00" not in text:
                return text
        offset = raw.index(b"\x00")
        raise InputError(
            f"looks like a binary file, not text (a NUL byte at offset {offset})",
            path=path,
            line=raw[:offset].count(b"\n") + 1,
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = exc
    if _mostly_utf8(raw):
        # One bad byte in a UTF-8 file is damage, not a sign of another encoding:
        # read as Windows-1256 it would publish gibberish.
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"damaged UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start} is not valid "
            "UTF-8, though the rest of the file is",
            path=path,
            line=line,
            hint="fix or remove that byte (the file is otherwise UTF-8)",
        )
    for encoding in _legacy_candidates(raw):
        text = _strict(raw, encoding)
        if text is not None and arabic_share(text) >= ARABIC_SHARE:
            return text
    line = raw[: error.start].count(b"\n") + 1
    raise InputError(
        f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}), "
        "nor Arabic in Windows-1256 or ISO-8859-6",
        path=path,
        line=line,
        hint="save the file as UTF-8",
    )

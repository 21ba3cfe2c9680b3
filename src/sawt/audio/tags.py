"""ID3v2.4 tags (UTF-8) and chapters written with mutagen."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPUB,
    USLT,
    WOAS,
    CTOCFlags,
    Encoding,
)
from mutagen.id3._tags import save_frame

from sawt.errors import AudioError
from sawt.models import Chapter
from sawt.text.web import encode_url

UTF8 = Encoding.UTF8


class _TimeOrderedID3(ID3):
    """mutagen sorts frames by size; keep CHAP frames in time order after the rest.

    ffmpeg and some players list chapters in file order, not by start time.
    """

    def _write(self, config: Any) -> bytearray:
        chaps = self.getall("CHAP")
        self.delall("CHAP")
        try:
            data = bytearray(super()._write(config))
        finally:
            for chap in chaps:
                self.add(chap)
        for chap in sorted(chaps, key=lambda c: c.start_time):
            data += save_frame(chap, config=config)
        return data


@dataclass(frozen=True)
class TagInfo:
    """Everything written into the MP3's tags."""

    title: str
    author: str | None
    album: str
    date: str | None
    language: str  # ISO 639-2, e.g. "ara"
    summary: str
    source_url: str | None
    full_text: str
    chapters: tuple[Chapter, ...]
    cover: Path | None = None


def write_tags(mp3: Path, info: TagInfo) -> None:
    """Write ID3v2.4 tags and CTOC/CHAP chapters into ``mp3``."""
    tags = _TimeOrderedID3()
    tags.add(TIT2(encoding=UTF8, text=info.title))
    if info.author:
        tags.add(TPE1(encoding=UTF8, text=info.author))
        tags.add(TPUB(encoding=UTF8, text=info.author))
    tags.add(TALB(encoding=UTF8, text=info.album))
    if info.date:
        tags.add(TDRC(encoding=UTF8, text=info.date))
    tags.add(TLAN(encoding=UTF8, text=info.language))
    tags.add(TCON(encoding=UTF8, text="Podcast"))
    tags.add(COMM(encoding=UTF8, lang=info.language, desc="", text=info.summary))
    if info.source_url:
        tags.add(WOAS(url=encode_url(info.source_url)))  # URL frames are Latin-1
    tags.add(USLT(encoding=UTF8, lang=info.language, desc="", text=info.full_text))
    if info.cover:
        tags.add(_cover_frame(info.cover))
    ids = [f"chp{i}" for i in range(len(info.chapters))]
    if info.chapters:
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=UTF8, text=info.title)],
            )
        )
        for cid, ch in zip(ids, info.chapters, strict=True):
            tags.add(
                CHAP(
                    element_id=cid,
                    start_time=ch.start_ms,
                    end_time=ch.end_ms,
                    start_offset=0xFFFFFFFF,
                    end_offset=0xFFFFFFFF,
                    sub_frames=[TIT2(encoding=UTF8, text=ch.title)],
                )
            )
    try:
        tags.save(mp3, v2_version=4)
    except Exception as exc:  # mutagen raises several types; keep the file in the message
        raise AudioError(f"cannot write tags: {exc}", path=mp3) from exc


def _cover_frame(cover: Path) -> APIC:
    mime = mimetypes.guess_type(cover.name)[0] or "image/jpeg"
    try:
        data = cover.read_bytes()
    except OSError as exc:
        raise AudioError(f"cannot read cover image: {exc.strerror}", path=cover) from exc
    return APIC(encoding=UTF8, mime=mime, type=3, desc="Cover", data=data)

"""Cover art: read PNG/JPEG headers (no imaging library) and check Apple's rules."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MIN_PX = 1400
MAX_PX = 3000

# PNG colour types that are RGB: truecolour, truecolour+alpha, and palette
# (palette entries are RGB triples). 0 and 4 are greyscale.
_PNG_RGB_TYPES = {2, 3, 6}
# JPEG start-of-frame markers (baseline, progressive, …); C4, C8 and CC are not frames.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class ImageInfo:
    """What the header of a cover image says."""

    format: str  # "png" or "jpeg"
    width: int
    height: int
    rgb: bool
    mode: str  # human-readable colour model, for messages


def read_image_info(path: Path) -> ImageInfo | None:
    """Read format, size and colour model from a PNG or JPEG header; None if neither."""
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        width, height, _depth, ctype = struct.unpack(">IIBB", head[16:26])
        mode = {0: "greyscale", 2: "RGB", 3: "palette", 4: "greyscale+alpha", 6: "RGBA"}
        return ImageInfo("png", width, height, ctype in _PNG_RGB_TYPES, mode.get(ctype, "?"))
    if head.startswith(b"\xff\xd8"):
        return _jpeg_info(path)
    return None


def _jpeg_info(path: Path) -> ImageInfo | None:
    # Walk the marker segments until the frame header; it may sit after large
    # EXIF/ICC segments, so read segment by segment rather than a fixed prefix.
    with open(path, "rb") as fh:
        fh.read(2)
        while True:
            byte = fh.read(1)
            if not byte:
                return None
            if byte != b"\xff":
                continue
            marker = fh.read(1)
            while marker == b"\xff":  # fill bytes
                marker = fh.read(1)
            if not marker or marker[0] in (0xD9, 0xDA):  # end of image / start of scan
                return None
            if 0xD0 <= marker[0] <= 0xD7 or marker[0] == 0x01:  # no length field
                continue
            raw = fh.read(2)
            if len(raw) < 2:
                return None
            (length,) = struct.unpack(">H", raw)
            if marker[0] in _SOF:
                body = fh.read(6)
                if len(body) < 6:
                    return None
                _prec, height, width, comps = struct.unpack(">BHHB", body)
                mode = {1: "greyscale", 3: "RGB", 4: "CMYK"}.get(comps, f"{comps} components")
                return ImageInfo("jpeg", width, height, comps == 3, mode)
            fh.seek(length - 2, 1)


def artwork_problems(path: Path) -> list[str]:
    """Everything Apple would reject about a cover image (empty list: fine)."""
    try:
        info = read_image_info(path)
    except OSError as exc:
        return [f"cannot read cover image: {exc.strerror or exc}"]
    if info is None:
        return ["cover image is neither PNG nor JPEG"]
    problems = []
    if not info.rgb:
        problems.append(f"cover image must be RGB, not {info.mode}")
    if info.width != info.height:
        problems.append(f"cover image must be square, not {info.width}×{info.height} px")
    if min(info.width, info.height) < MIN_PX or max(info.width, info.height) > MAX_PX:
        problems.append(
            f"cover image must be {MIN_PX}–{MAX_PX} px a side, not {info.width}×{info.height}"
        )
    return problems

"""Edge read-aloud protocol pieces: WebSocket framing, the handshake, the messages.

What edge-tts 7.x sends (read from its ``communicate.py``, ``constants.py`` and
``drm.py``) and what the service answers:

* ``GET wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1
  ?TrustedClientToken=…&ConnectionId=<32 hex>&Sec-MS-GEC=<token>&Sec-MS-GEC-Version=2-<chromium>``
  with Edge's Origin, User-Agent and a ``muid`` cookie;
* text ``Path:speech.config`` (JSON: boundary options, output format), then
  text ``Path:ssml`` (``<speak><voice name=…><prosody pitch rate volume>text``);
* answers: text ``turn.start``, text ``response``, then ``audio.metadata``
  (one boundary event per message, offsets in 100-ns ticks) interleaved with
  binary audio frames, an empty binary ``Path:audio`` frame, text ``turn.end``.

A binary frame is a 2-byte big-endian header length, the header lines (each
ending in CRLF), then the audio. edge-tts reads the headers from
``data[:length]`` and the audio from ``data[length + 2:]``, which is right
exactly when the length counts the header text.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from .audio import Boundary

HOST = "speech.platform.bing.com"
BASE_PATH = "/consumer/speech/synthesize/readaloud"
WS_PATH = f"{BASE_PATH}/edge/v1"
VOICES_PATH = f"{BASE_PATH}/voices/list"
TRUSTED_CLIENT_TOKEN = "6A5AA1D4EAFF4E9FB37E23D68491D6F4"
OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"
ORIGIN = "chrome-extension://jdiccldimpdaibmpdkjnbmckianbfold"
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_SSML_NS = "{http://www.w3.org/2001/10/synthesis}"
_TOKEN = re.compile(r"[0-9A-F]{16}-[0-9A-F]{64}")
_VOICE_NAME = re.compile(
    r"Microsoft Server Speech Text to Speech Voice \(([a-z]{2,}-[A-Z]{2,}[^,]*), (\w+)\)"
)

# WebSocket opcodes
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class ProtocolError(Exception):
    """The client broke the protocol; the text says how."""


# ---------------------------------------------------------------- handshake


def valid_tokens(now: float | None = None) -> set[str]:
    """Sec-MS-GEC tokens the service accepts now: this 5-minute window and its neighbours.

    The token algorithm is edge-tts's own (``drm.generate_sec_ms_gec_v2``), so
    the stand-in checks the client sends the token for the right time, not
    how it is made.
    """
    from edge_tts.drm import generate_sec_ms_gec_v2

    now = time.time() if now is None else now
    return {generate_sec_ms_gec_v2(now + shift) for shift in (-300, 0, 300)}


def chromium_version() -> str:
    """The Chromium version edge-tts claims (in Sec-MS-GEC-Version and the User-Agent)."""
    from edge_tts.constants import CHROMIUM_FULL_VERSION

    return str(CHROMIUM_FULL_VERSION)


@dataclass(frozen=True)
class Handshake:
    """What a valid WebSocket upgrade request carried."""

    connection_id: str
    key: str
    muid: str


def check_handshake(target: str, headers: dict[str, str]) -> Handshake:
    """Validate the upgrade like the service would; ProtocolError says what is wrong.

    ``headers`` has lower-case names. A wrong or stale Sec-MS-GEC token raises
    :class:`BadToken` (the service answers 403 to it).
    """
    parts = urlsplit(target)
    if parts.path != WS_PATH:
        raise ProtocolError(f"unexpected path {parts.path}")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if query.get("TrustedClientToken") != TRUSTED_CLIENT_TOKEN:
        raise ProtocolError("missing or wrong TrustedClientToken")
    connection_id = query.get("ConnectionId", "")
    if not re.fullmatch(r"[0-9a-f]{32}", connection_id):
        raise ProtocolError("ConnectionId must be 32 lower-case hex digits")
    if query.get("Sec-MS-GEC-Version") != f"2-{chromium_version()}":
        raise ProtocolError(f"unexpected Sec-MS-GEC-Version {query.get('Sec-MS-GEC-Version')}")
    if headers.get("upgrade", "").lower() != "websocket":
        raise ProtocolError("not a WebSocket upgrade")
    if "upgrade" not in headers.get("connection", "").lower():
        raise ProtocolError("Connection header lacks 'upgrade'")
    if headers.get("sec-websocket-version") != "13":
        raise ProtocolError("Sec-WebSocket-Version must be 13")
    key = headers.get("sec-websocket-key", "")
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError
    except ValueError:
        raise ProtocolError("bad Sec-WebSocket-Key") from None
    if headers.get("origin") != ORIGIN:
        raise ProtocolError(f"unexpected Origin {headers.get('origin')}")
    if f"Edg/{chromium_version().split('.')[0]}" not in headers.get("user-agent", ""):
        raise ProtocolError("User-Agent is not Edge's")
    muid = re.search(r"muid=([0-9A-F]{32});", headers.get("cookie", ""))
    if muid is None:
        raise ProtocolError("no muid cookie")
    token = query.get("Sec-MS-GEC", "")
    if not _TOKEN.fullmatch(token) or token not in valid_tokens():
        raise BadToken("Sec-MS-GEC token is missing, malformed or not for the current time")
    return Handshake(connection_id, key, muid.group(1))


class BadToken(ProtocolError):
    """The Sec-MS-GEC token is wrong; the service answers 403."""


def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2)."""
    digest = hashlib.sha1((key + _WS_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


# ---------------------------------------------------------------- framing


def encode_frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """One server frame (servers never mask)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


def close_payload(code: int, reason: str = "") -> bytes:
    """The body of a close frame."""
    return struct.pack(">H", code) + reason.encode()


def _read_exact(stream: io.BufferedIOBase, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) < n:
        raise ConnectionError("the client closed the connection")
    return data


def read_frame(stream: io.BufferedIOBase) -> tuple[bool, int, bytes]:
    """(fin, opcode, unmasked payload) of the next client frame; clients must mask."""
    b0, b1 = _read_exact(stream, 2)
    if b0 & 0x70:
        raise ProtocolError("reserved bits set (no extension was negotiated)")
    if not b1 & 0x80:
        raise ProtocolError("client frames must be masked")
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack(">H", _read_exact(stream, 2))
    elif n == 127:
        (n,) = struct.unpack(">Q", _read_exact(stream, 8))
    if n > 1 << 24:
        raise ProtocolError("frame too large")
    mask = _read_exact(stream, 4)
    data = _read_exact(stream, n)
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return bool(b0 & 0x80), b0 & 0x0F, payload


# ---------------------------------------------------------------- messages


def request_id() -> str:
    """A fresh id in the service's style (32 hex digits)."""
    return os.urandom(16).hex()


def split_message(text: str) -> tuple[dict[str, str], str]:
    """Headers (names as sent) and body of a text message."""
    head, sep, body = text.partition("\r\n\r\n")
    if not sep:
        raise ProtocolError("text message without a blank line after its headers")
    headers: dict[str, str] = {}
    for line in head.split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon:
            raise ProtocolError(f"bad header line {line!r}")
        headers[name] = value
    return headers, body


@dataclass(frozen=True)
class SpeechConfig:
    """The client's speech.config: which boundary events it wants, in which format."""

    word_boundary: bool
    sentence_boundary: bool
    output_format: str


def parse_speech_config(text: str) -> SpeechConfig:
    """Read a ``Path:speech.config`` message."""
    headers, body = split_message(text)
    if headers.get("Path") != "speech.config":
        raise ProtocolError(f"expected speech.config first, got Path {headers.get('Path')}")
    try:
        audio = json.loads(body)["context"]["synthesis"]["audio"]
        options = audio["metadataoptions"]
        return SpeechConfig(
            options["wordBoundaryEnabled"] == "true",
            options["sentenceBoundaryEnabled"] == "true",
            audio["outputFormat"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ProtocolError(f"bad speech.config body: {exc}") from exc


@dataclass(frozen=True)
class SsmlRequest:
    """One turn's request: voice, prosody and the text to speak."""

    request_id: str
    voice: str  # short name, e.g. ar-SA-HamedNeural
    rate: str
    pitch: str
    volume: str
    text: str


def parse_ssml(text: str) -> SsmlRequest:
    """Read a ``Path:ssml`` message as edge-tts builds it."""
    headers, body = split_message(text)
    if headers.get("Path") != "ssml":
        raise ProtocolError(f"expected ssml, got Path {headers.get('Path')}")
    if headers.get("Content-Type") != "application/ssml+xml":
        raise ProtocolError("ssml message without Content-Type application/ssml+xml")
    rid = headers.get("X-RequestId", "")
    if not re.fullmatch(r"[0-9a-f]{32}", rid):
        raise ProtocolError("ssml message without a 32-hex X-RequestId")
    try:
        speak = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ProtocolError(f"ssml does not parse: {exc}") from exc
    voice = speak.find(f"{_SSML_NS}voice")
    prosody = voice.find(f"{_SSML_NS}prosody") if voice is not None else None
    if speak.tag != f"{_SSML_NS}speak" or voice is None or prosody is None:
        raise ProtocolError("ssml is not <speak><voice><prosody>")
    name = _VOICE_NAME.fullmatch(voice.get("name", ""))
    if name is None:
        raise ProtocolError(f"unexpected voice name {voice.get('name')!r}")
    locale, short = name.group(1), name.group(2)
    return SsmlRequest(
        rid,
        f"{locale}-{short}",
        prosody.get("rate", "+0%"),
        prosody.get("pitch", "+0Hz"),
        prosody.get("volume", "+0%"),
        "".join(prosody.itertext()),
    )


def text_message(path: str, rid: str, body: object) -> bytes:
    """A service text message with a JSON body, UTF-8 encoded."""
    return (
        f"X-RequestId:{rid}\r\nContent-Type:application/json; charset=utf-8\r\n"
        f"Path:{path}\r\n\r\n{json.dumps(body, ensure_ascii=False)}"
    ).encode()


def turn_start(rid: str) -> bytes:
    """``turn.start``."""
    body = {"context": {"serviceTag": rid[:16]}}
    return text_message("turn.start", rid, body)


def response(rid: str, stream_id: str) -> bytes:
    """``response``: where the audio stream goes."""
    body = {"context": {"serviceTag": rid[:16]}, "audio": {"type": "inline", "streamId": stream_id}}
    return text_message("response", rid, body)


def metadata(rid: str, boundary: Boundary) -> bytes:
    """``audio.metadata`` with one boundary event (text XML-escaped, as the service does)."""
    body = {
        "Metadata": [
            {
                "Type": boundary.kind,
                "Data": {
                    "Offset": boundary.offset,
                    "Duration": boundary.duration,
                    "text": {
                        "Text": escape(boundary.text),
                        "Length": len(boundary.text),
                        "BoundaryType": boundary.kind,
                    },
                },
            }
        ]
    }
    return text_message("audio.metadata", rid, body)


def turn_end(rid: str) -> bytes:
    """``turn.end``."""
    return text_message("turn.end", rid, {"context": {"serviceTag": rid[:16]}})


def audio_frame(rid: str, stream_id: str, data: bytes) -> bytes:
    """A binary audio message; empty ``data`` gives the end-of-stream frame (no Content-Type)."""
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    header = f"X-RequestId:{rid}\r\n{content}X-StreamId:{stream_id}\r\nPath:audio\r\n".encode()
    return struct.pack(">H", len(header)) + header + data

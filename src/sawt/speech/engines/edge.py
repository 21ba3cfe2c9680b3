"""Microsoft Edge's neural voices through the unmodified edge-tts client, one turn per piece.

edge-tts speaks Edge's read-aloud protocol: a TLS WebSocket that answers an
SSML request with MP3 frames and boundary events. sawt asks for word
boundaries and keeps them with the audio, so the timeline and captions know
when every word is said.

What the client does not guard against, this engine does (measured against
tests/fakeedge): a WebSocket that goes quiet is never timed out by edge-tts
(its ``receive_timeout`` does not reach the socket), and a stream the service
closes halfway ends without an error, with part of the audio. So every
attempt has a time limit of its own, and ``decode`` checks that the words
cover the text and that the audio lasts as long as the words.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import socket
import ssl
import struct
import threading
import urllib.parse
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sawt.config import EdgeSettings
from sawt.errors import AudioError, EngineError, TransientEngineError
from sawt.ffmpeg import decode_to_pcm
from sawt.models import TextCaps
from sawt.speech.engines.base import Clip, Policy, WordMark

HOST = "speech.platform.bing.com"
OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"  # what edge-tts always asks for
TICKS_PER_MS = 10_000  # boundary offsets and durations come in 100-ns ticks
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MIN_MS_PER_LETTER = 30
MAX_MS_PER_LETTER = 400
# Words may run a little past the last whole MP3 frame (24 ms) before the audio ends.
END_SLACK_MS = 60
# Share of the text's letters the word events must name; below it the stream was cut.
MIN_COVERAGE = 0.8
_LETTER = re.compile(r"\w")
# Bump when the text sent for the same piece changes, so cached clips renew.
PREP_VERSION = "1"

# The cache payload: magic, the length of a JSON list of [word, offset, duration]
# (ticks), that JSON, then the MP3 bytes exactly as the service sent them.
_MAGIC = b"SAWTEDG1"
_HEAD = struct.Struct(">8sI")


def pack_payload(mp3: bytes, words: list[tuple[str, int, int]]) -> bytes:
    """One cacheable payload: the MP3 and its word boundary events."""
    meta = json.dumps(words, ensure_ascii=False, separators=(",", ":")).encode()
    return _HEAD.pack(_MAGIC, len(meta)) + meta + mp3


def unpack_payload(payload: bytes) -> tuple[bytes, list[tuple[str, int, int]]]:
    """The MP3 and word events of a payload; TransientEngineError if it is not one."""
    try:
        magic, size = _HEAD.unpack_from(payload)
        if magic != _MAGIC or _HEAD.size + size > len(payload):
            raise ValueError("not an edge payload")
        raw = json.loads(payload[_HEAD.size : _HEAD.size + size])
        words = [(str(t), int(o), int(d)) for t, o, d in raw]
    except (struct.error, ValueError, TypeError) as exc:
        raise TransientEngineError(f"unreadable edge payload: {exc}") from exc
    return payload[_HEAD.size + size :], words


class EdgeEngine:
    """Natural Arabic neural voices from Microsoft Edge's read-aloud service (network)."""

    name = "edge"
    max_chars = 400  # whole sentences keep the neural prosody; one piece is one turn
    sample_rate = 24000  # audio-24khz-48kbitrate-mono-mp3
    cacheable = True
    # The neural voices read digits, dates and undiacritized Arabic well by themselves.
    caps = TextCaps()

    def __init__(self, settings: EdgeSettings | None = None, root: Path | None = None) -> None:
        self.settings = settings or EdgeSettings()
        s = self.settings
        self.workers = s.concurrency
        self.policy = Policy.for_network(s)
        if s.ca_file:
            trust_ca_file((root or Path(".")) / s.ca_file)

    def prepare(self, text: str) -> str:
        """The exact text sent for a piece (edge-tts escapes it for SSML itself)."""
        return " ".join(text.split())

    def fetch(self, text: str, timeout: float | None = None) -> bytes:
        """One turn; raises TransientEngineError for what a retry may fix."""
        limit = timeout or self.settings.timeout
        try:
            mp3, words = asyncio.run(self._turn(self.prepare(text), limit))
        except EngineError:
            raise
        except Exception as exc:
            raise classify(exc, limit) from exc
        return pack_payload(mp3, words)

    async def _turn(self, text: str, limit: float) -> tuple[bytes, list[tuple[str, int, int]]]:
        import edge_tts

        s = self.settings
        seconds = max(1, math.ceil(limit))
        comm = edge_tts.Communicate(
            text,
            s.voice,
            rate=s.rate,
            pitch=s.pitch,
            boundary="WordBoundary",
            proxy=s.proxy,
            connect_timeout=seconds,
            receive_timeout=seconds,
        )
        audio = bytearray()
        words: list[tuple[str, int, int]] = []

        async def collect() -> None:
            async for chunk in comm.stream():
                if chunk["type"] == "audio":
                    audio.extend(chunk.get("data", b""))
                elif chunk["type"] == "WordBoundary":
                    words.append(
                        (
                            chunk.get("text", ""),
                            round(chunk.get("offset", 0)),
                            round(chunk.get("duration", 0)),
                        )
                    )

        # edge-tts never times out a silent WebSocket: bound the whole turn here.
        await asyncio.wait_for(collect(), limit)
        return bytes(audio), words

    def decode(self, payload: bytes, text: str) -> Clip:
        """Check the MP3 is real, as long as its words and its text, then decode it."""
        mp3, events = unpack_payload(payload)
        if not mp3:
            raise TransientEngineError("empty audio")
        if not (mp3[:3] == b"ID3" or (mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0)):
            raise TransientEngineError("the audio is not MP3")
        try:
            pcm = decode_to_pcm(mp3, self.sample_rate)
        except AudioError as exc:
            raise TransientEngineError(f"undecodable MP3: {exc.message}") from exc
        duration = len(pcm) / 2 / self.sample_rate * 1000
        letters = len(_LETTER.findall(text))
        low = MIN_MS_PER_LETTER * letters * (0.5 if letters < 4 else 1)
        high = MAX_MS_PER_LETTER * letters + 3000
        if not low <= duration <= high:
            raise TransientEngineError(
                f"{duration:.0f} ms of audio is implausible for {letters} letters"
            )
        marks = tuple(
            WordMark(word, offset / TICKS_PER_MS, (offset + length) / TICKS_PER_MS)
            for word, offset, length in events
        )
        check_words(marks, letters, duration)
        return Clip(pcm, self.sample_rate, marks)

    def identity(self) -> str:
        """Client version, voice and prosody (not transport settings)."""
        s = self.settings
        return (
            f"edge-tts {version('edge-tts')} voice={s.voice} rate={s.rate} pitch={s.pitch} "
            f"format={OUTPUT_FORMAT} prep={PREP_VERSION}"
        )


def check_words(marks: tuple[WordMark, ...], letters: int, duration_ms: float) -> None:
    """Raise TransientEngineError unless the word events describe all of the audio's text."""
    if letters and not marks:
        raise TransientEngineError("no word timing came with the audio")
    starts = [m.start_ms for m in marks]
    if starts != sorted(starts) or any(m.end_ms < m.start_ms for m in marks):
        raise TransientEngineError("word timing out of order")
    if marks and marks[-1].end_ms > duration_ms + END_SLACK_MS:
        raise TransientEngineError(
            f"the audio stops at {duration_ms:.0f} ms but its words run to "
            f"{marks[-1].end_ms:.0f} ms: the stream was cut"
        )
    named = sum(len(_LETTER.findall(m.text)) for m in marks)
    if letters and named < MIN_COVERAGE * letters:
        raise TransientEngineError(
            f"the words spoken cover {named} of {letters} letters: the stream ended early"
        )


def classify(exc: BaseException, limit: float) -> EngineError:
    """What a failure of one turn means: worth a retry, or final."""
    import aiohttp
    from edge_tts import exceptions as edge_errors

    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return EngineError(
            f"the TLS certificate of {HOST} (or the proxy) is not trusted: {exc}",
            hint="if a company proxy inspects TLS, name its CA in edge.ca_file",
        )
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        status = exc.status
        if status in RETRY_STATUS:
            return TransientEngineError(
                f"HTTP {status} from Edge", retry_after=_retry_after(exc.headers)
            )
        # edge-tts already retried a 403 once after correcting its clock.
        return EngineError(f"HTTP {status} from Edge's read-aloud service")
    if isinstance(exc, edge_errors.SkewAdjustmentError):
        return EngineError(f"Edge refused the request and sent no usable date: {exc}")
    if isinstance(exc, edge_errors.NoAudioReceived):
        return TransientEngineError("no audio (an unknown voice gets none either)")
    if isinstance(exc, TimeoutError):
        return TransientEngineError(f"no complete answer within {limit:.0f} s")
    if isinstance(exc, edge_errors.EdgeTTSException | aiohttp.ClientError | OSError):
        return TransientEngineError(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, ValueError | KeyError | TypeError | IndexError):
        return TransientEngineError(f"malformed answer ({type(exc).__name__}: {exc})")
    return EngineError(f"edge-tts failed: {type(exc).__name__}: {exc}")


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


_trust_lock = threading.Lock()


def trust_ca_file(path: Path) -> None:
    """Make edge-tts trust ``path``'s CA certificates on top of certifi's roots.

    edge-tts verifies TLS through module-level contexts (one for speaking, one
    for the voice list) and takes no context argument, so those two are replaced.
    """
    import certifi
    import edge_tts.communicate
    import edge_tts.voices

    try:
        ctx = ssl.create_default_context(cafile=certifi.where())
        ctx.load_verify_locations(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        raise EngineError(
            f"cannot use edge.ca_file {path}: {exc}",
            hint="edge.ca_file must be a PEM file of CA certificates",
        ) from exc
    with _trust_lock:
        edge_tts.communicate._SSL_CTX = ctx
        edge_tts.voices._SSL_CTX = ctx


def check(settings: EdgeSettings | None = None) -> tuple[bool, str]:
    """Whether edge-tts is installed and the service (or the proxy) can be reached now."""
    try:
        import edge_tts  # noqa: F401
    except ImportError as exc:
        return False, f"edge-tts is not installed: {exc}"
    s = settings or EdgeSettings()
    where = reachable(s.proxy)
    name = f"edge-tts {version('edge-tts')}, voice {s.voice}"
    if where is None:
        return False, f"{name}; cannot reach {HOST} or the proxy"
    return True, f"{name}; reaches {where}"


def reachable(proxy: str | None, timeout: float = 2.0) -> str | None:
    """What a TCP connection for edge-tts reaches (the proxy, or the service), or None."""
    target = urllib.parse.urlsplit(proxy) if proxy else None
    address = (target.hostname or "", target.port or 80) if target else (HOST, 443)
    try:
        with socket.create_connection(address, timeout=timeout):
            return f"{'proxy ' if target else ''}{address[0]}:{address[1]}"
    except OSError:
        return None

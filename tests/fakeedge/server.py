"""A local stand-in for Microsoft Edge's read-aloud service, for testing edge-tts users.

The unmodified edge-tts client opens a TLS WebSocket to
``wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1``.
Given ``proxy=fake.proxy_url`` it asks this server for a CONNECT tunnel; the
server then terminates TLS with a certificate for the speech host signed by
its own throw-away CA, which the client trusts once its module-level context
(``edge_tts.communicate._SSL_CTX``) is :meth:`FakeEdge.client_ssl_context`,
or once sawt's ``edge.ca_file`` names :attr:`FakeEdge.ca_file`.

Nothing is ever forwarded: all traffic stays on 127.0.0.1.

Each turn is checked like the service would (token, headers, speech.config,
SSML) and answered with real, deterministic MP3 audio whose word boundary
events match the words in it (see :mod:`tests.fakeedge.audio`). Faults
(refused upgrades, resets, broken or stalled streams) can be injected at
runtime through :attr:`FakeEdge.faults`.
"""

from __future__ import annotations

import contextlib
import json
import select
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from tests.standin.memo import Memo
from tests.standin.server import Abort, LoopbackServer, StandIn, StandInHandler

from . import protocol as proto
from .audio import BYTES_PER_SECOND, FRAME_BYTES, TICKS_PER_SECOND, Boundary, Speech, synth_speech
from .faults import Fault, Faults
from .tls import client_context, make_pems, server_context

#: Voices the stand-in knows (a few of the service's Arabic ones and edge-tts's default).
VOICES: dict[str, tuple[str, str, str]] = {
    # short name: (gender, locale, friendly region)
    "ar-SA-HamedNeural": ("Male", "ar-SA", "Arabic (Saudi Arabia)"),
    "ar-SA-ZariyahNeural": ("Female", "ar-SA", "Arabic (Saudi Arabia)"),
    "ar-MA-JamalNeural": ("Male", "ar-MA", "Arabic (Morocco)"),
    "ar-MA-MounaNeural": ("Female", "ar-MA", "Arabic (Morocco)"),
    "ar-EG-SalmaNeural": ("Female", "ar-EG", "Arabic (Egypt)"),
    "ar-EG-ShakirNeural": ("Male", "ar-EG", "Arabic (Egypt)"),
    "en-US-EmmaMultilingualNeural": ("Female", "en-US", "English (United States)"),
}
_CHUNK = 4096  # most audio bytes in one binary message
_REFUSALS = {
    403: ("Forbidden", "Forbidden"),
    429: ("Too Many Requests", "Too many requests"),
    503: ("Service Unavailable", "Service unavailable"),
}


class RequestRecord(NamedTuple):
    """One WebSocket turn as the stand-in saw it, and what it answered."""

    text: str  #: "" when the turn ended before its SSML arrived
    voice: str
    rate: str
    pitch: str
    outcome: str  #: "ok", a Fault value, "unknown_voice", "bad_request" or "bad_token"


def voice_list() -> list[dict[str, Any]]:
    """The voices/list answer, in the service's shape."""
    out = []
    for short, (gender, locale, region) in VOICES.items():
        name = short.split("-", 2)[2]
        out.append(
            {
                "Name": f"Microsoft Server Speech Text to Speech Voice ({locale}, {name})",
                "ShortName": short,
                "Gender": gender,
                "Locale": locale,
                "SuggestedCodec": proto.OUTPUT_FORMAT,
                "FriendlyName": f"Microsoft {name[:-6]} Online (Natural) - {region}",
                "Status": "GA",
                "VoiceTag": {"ContentCategories": ["News"], "VoicePersonalities": ["Reliable"]},
            }
        )
    return out


class _Handler(StandInHandler):
    """CONNECT, then TLS, then a WebSocket upgrade (or the voice list) on one port."""

    server_version = "Microsoft-HTTPAPI/2.0"
    server: LoopbackServer[FakeEdge]

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        if host.lower() not in (proto.HOST, "localhost") or port != "443":
            self.send_plain(403, "Forbidden", f"fakeedge intercepts {proto.HOST}:443 only")
            return
        self.open_tunnel()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == proto.WS_PATH:
            self.server.owner._serve_ws(self)
        elif path == proto.VOICES_PATH:
            self.server.owner._serve_voices(self)
        else:
            self.send_plain(404, "Not Found", "not found")

    # -- WebSocket ----------------------------------------------------------------------

    def accept_websocket(self, key: str) -> None:
        """Answer the upgrade with 101 (no extension: the client then sends uncompressed)."""
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", proto.accept_key(key))
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True  # the socket is the WebSocket's until it closes

    def send_frame(self, opcode: int, payload: bytes) -> None:
        """Write one unfragmented frame."""
        self.wfile.write(proto.encode_frame(opcode, payload))
        self.wfile.flush()

    def send_close(self, code: int, reason: str = "") -> None:
        """Start (or answer) the closing handshake."""
        with contextlib.suppress(OSError, ValueError):
            self.send_frame(proto.CLOSE, proto.close_payload(code, reason))

    def read_message(self) -> tuple[int, bytes]:
        """The next whole data message (answering pings); (CLOSE, b"") when the client closes."""
        parts: list[bytes] = []
        first = 0
        while True:
            fin, opcode, payload = proto.read_frame(self.rfile)
            if opcode == proto.PING:
                self.send_frame(proto.PONG, payload)
                continue
            if opcode == proto.PONG:
                continue
            if opcode == proto.CLOSE:
                return proto.CLOSE, payload
            if opcode != proto.CONT:
                first = opcode
            parts.append(payload)
            if fin:
                return first, b"".join(parts)

    def read_text(self) -> str:
        """The next message, which must be text."""
        opcode, payload = self.read_message()
        if opcode != proto.TEXT:
            raise proto.ProtocolError(f"expected a text message, got opcode {opcode}")
        return payload.decode("utf-8")

    def hang(self, seconds: float, stop: threading.Event) -> None:
        """Stay silent for ``seconds``; give up early if the client hangs up or the server stops.

        Reads in short slices so a client that times out and closes frees the
        turn at once (tests then do not wait out a 30 s hang in the next set-up).
        """
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if stop.is_set():
                raise Abort
            # select on the socket: a timed-out read would break the buffered reader.
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.1))
            if not readable:
                continue
            try:
                opcode, _ = self.read_message()
            except (ConnectionError, OSError, ValueError, proto.ProtocolError):
                raise Abort from None
            if opcode == proto.CLOSE:
                self.send_close(1000)
                raise Abort

    def await_close(self) -> None:
        """Wait for the client's close frame and answer it (or for it to hang up)."""
        try:
            while True:
                opcode, _ = self.read_message()
                if opcode == proto.CLOSE:
                    self.send_close(1000)
                    return
        except (ConnectionError, OSError, ValueError, proto.ProtocolError):
            return


class FakeEdge(StandIn[RequestRecord]):
    """Edge read-aloud stand-in on ``127.0.0.1``, served from background threads.

    Usage, in process::

        with FakeEdge() as fake:
            monkeypatch.setattr(edge_tts.communicate, "_SSL_CTX", fake.client_ssl_context())
            comm = edge_tts.Communicate("مرحبا", "ar-SA-HamedNeural", proxy=fake.proxy_url)
            ...

    For sawt in a subprocess: ``edge: {proxy: <proxy_url>, ca_file: <ca_file>}``.
    Lifecycle, counters (:attr:`request_count` counts turns, :attr:`text_counts`,
    :attr:`requests_log`, ...) and flow control (:meth:`pause`, :meth:`wait_idle`,
    ...) are :class:`~tests.standin.server.StandIn`'s.
    """

    name = "fakeedge"
    handler_class = _Handler
    faults: Faults

    def __init__(self, port: int = 0, latency_ms: float = 0.0) -> None:
        super().__init__(port, latency_ms, server_context())
        self.faults = Faults()
        self._ca_dir = tempfile.TemporaryDirectory(prefix="fakeedge-ca-")
        self.ca_file = Path(self._ca_dir.name) / "fakeedge-ca.pem"
        self.ca_file.write_bytes(make_pems().ca_cert)
        self._speech: Memo[tuple[str, str, str, str], Speech] = Memo()
        self._voice_lists = 0

    def close(self) -> None:
        """Stop and remove the CA file."""
        self.stop()
        self._ca_dir.cleanup()

    @staticmethod
    def client_ssl_context() -> ssl.SSLContext:
        """A client context trusting certifi's roots and this stand-in's CA."""
        return client_context()

    @property
    def voice_list_count(self) -> int:
        """voices/list requests answered."""
        with self._lock:
            return self._voice_lists

    def reset_counts(self) -> None:
        """Zero every counter and empty the log (faults are not touched)."""
        with self._lock:
            super().reset_counts()
            self._voice_lists = 0

    def speech(
        self, text: str, voice: str = "ar-SA-HamedNeural", rate: str = "+0%", pitch: str = "+0Hz"
    ) -> Speech:
        """What the stand-in says for this request (cached)."""
        key = (text, voice, rate, pitch)
        return self._speech.get(key, lambda: synth_speech(text, voice, rate, pitch))

    # -- the service -------------------------------------------------------------------------

    def _serve_voices(self, handler: _Handler) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        if query.get("trustedclienttoken") != proto.TRUSTED_CLIENT_TOKEN:
            handler.send_plain(400, "Bad Request", "missing trustedclienttoken")
            return
        if query.get("Sec-MS-GEC") not in proto.valid_tokens():
            handler.send_plain(403, "Forbidden", "bad Sec-MS-GEC")
            return
        with self._lock:
            self._voice_lists += 1
        body = json.dumps(voice_list(), ensure_ascii=False)
        handler.send_plain(200, "OK", body, "application/json; charset=utf-8")

    def _serve_ws(self, handler: _Handler) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            shake = proto.check_handshake(handler.path, headers)
        except proto.ProtocolError as exc:
            bad_token = isinstance(exc, proto.BadToken)
            self._refused(
                RequestRecord("", "", "", "", "bad_token" if bad_token else "bad_request")
            )
            if bad_token:
                handler.send_plain(403, "Forbidden", str(exc))
            else:
                handler.send_plain(400, "Bad Request", str(exc))
            return
        with self._admitted(self.faults.draw) as fault:
            if fault is not None and fault.at_handshake:
                self._record(RequestRecord("", "", "", "", fault.value))
                self._refuse(handler, fault)
                return
            handler.accept_websocket(shake.key)
            try:
                config = proto.parse_speech_config(handler.read_text())
                ssml = proto.parse_ssml(handler.read_text())
                if config.output_format != proto.OUTPUT_FORMAT:
                    raise proto.ProtocolError(f"unsupported format {config.output_format}")
            except (proto.ProtocolError, UnicodeDecodeError) as exc:
                self._record(RequestRecord("", "", "", "", "bad_request"))
                handler.send_close(1007, str(exc)[:100])
                handler.await_close()
                return
            if fault is None:
                fault = self.faults.draw_for_text(ssml.text)
            unknown = ssml.voice not in VOICES
            outcome = fault.value if fault else ("unknown_voice" if unknown else "ok")
            record = RequestRecord(ssml.text, ssml.voice, ssml.rate, ssml.pitch, outcome)
            self._record(record, record.text or None)
            if unknown and fault is None:
                fault = Fault.NO_AUDIO
            self._turn(handler, fault, config, ssml)

    def _refuse(self, handler: _Handler, fault: Fault) -> None:
        if fault is Fault.RESET:
            handler.reset()
        status = int(fault.value)
        reason, body = _REFUSALS[status]
        extra = {"Retry-After": str(self.faults.retry_after_s)} if status != 403 else {}
        handler.send_plain(status, reason, body, headers=extra)

    def _turn(
        self,
        handler: _Handler,
        fault: Fault | None,
        config: proto.SpeechConfig,
        ssml: proto.SsmlRequest,
    ) -> None:
        rid, stream_id = ssml.request_id, proto.request_id().upper()
        if fault is Fault.SLOW:
            self._wait(self.faults.slow_ms / 1000)
        handler.send_frame(proto.TEXT, proto.turn_start(rid))
        handler.send_frame(proto.TEXT, proto.response(rid, stream_id))
        if fault is Fault.NO_AUDIO:
            handler.send_frame(proto.TEXT, proto.turn_end(rid))
            handler.await_close()
            return
        if fault is Fault.GARBAGE:
            # The header length (0xFFFE) overruns the frame: edge-tts raises UnexpectedResponse.
            handler.send_frame(proto.BINARY, b"\xff\xfe" + b"Path:audio\r\n" + b"\x00" * 64)
            handler.await_close()
            return
        speech = self.speech(ssml.text, ssml.voice, ssml.rate, ssml.pitch)
        events = _events(speech, config)
        mp3 = speech.mp3
        if fault is Fault.TRUNCATED:
            mp3 = mp3[: int(len(mp3) * self.faults.truncate_fraction)]
        stop_after = {Fault.CLOSE: max(1, len(events) // 2), Fault.DROP: max(1, len(events) // 2)}
        sent = 0
        for n, event in enumerate(events, 1):
            handler.send_frame(proto.TEXT, proto.metadata(rid, event))
            upto = min(len(mp3), _byte_position(event.end))
            sent = self._send_audio(handler, rid, stream_id, mp3, sent, upto)
            if fault is Fault.STALL:
                handler.hang(self.faults.hang_s, self._stop)
                raise Abort
            if fault in stop_after and n >= stop_after[fault]:
                if fault is Fault.DROP:
                    handler.reset()
                handler.send_close(1011, "Internal server error")
                handler.await_close()
                return
        self._send_audio(handler, rid, stream_id, mp3, sent, len(mp3))
        handler.send_frame(proto.BINARY, proto.audio_frame(rid, stream_id, b""))
        if fault is Fault.NO_TURN_END:
            handler.hang(self.faults.hang_s, self._stop)
            handler.send_close(1000)
            handler.await_close()
            return
        handler.send_frame(proto.TEXT, proto.turn_end(rid))
        handler.await_close()

    @staticmethod
    def _send_audio(
        handler: _Handler, rid: str, stream_id: str, mp3: bytes, start: int, end: int
    ) -> int:
        for at in range(start, end, _CHUNK):
            chunk = mp3[at : min(end, at + _CHUNK)]
            handler.send_frame(proto.BINARY, proto.audio_frame(rid, stream_id, chunk))
        return max(start, end)


def _events(speech: Speech, config: proto.SpeechConfig) -> list[Boundary]:
    """The boundary events the client asked for, in time order."""
    chosen: list[Boundary] = []
    if config.word_boundary:
        chosen.extend(speech.words)
    if config.sentence_boundary:
        chosen.extend(speech.sentences)
    return sorted(chosen, key=lambda b: (b.offset, b.kind))


def _byte_position(ticks: int) -> int:
    """The end of the MP3 frame that holds the moment ``ticks``."""
    exact = ticks * BYTES_PER_SECOND // TICKS_PER_SECOND
    return -(-exact // FRAME_BYTES) * FRAME_BYTES


@contextlib.contextmanager
def trusted(fake: FakeEdge) -> Iterator[None]:
    """Make edge-tts (communicate and voices) trust ``fake`` for the ``with`` block."""
    import edge_tts.communicate
    import edge_tts.voices

    ctx = fake.client_ssl_context()
    saved = edge_tts.communicate._SSL_CTX, edge_tts.voices._SSL_CTX
    edge_tts.communicate._SSL_CTX = ctx
    edge_tts.voices._SSL_CTX = ctx
    try:
        yield
    finally:
        edge_tts.communicate._SSL_CTX, edge_tts.voices._SSL_CTX = saved

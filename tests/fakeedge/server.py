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

import collections
import contextlib
import json
import logging
import select
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from . import protocol as proto
from .audio import BYTES_PER_SECOND, FRAME_BYTES, TICKS_PER_SECOND, Boundary, Speech, synth_speech
from .faults import Fault, Faults
from .tls import client_context, make_pems, server_context

log = logging.getLogger(__name__)

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


class _Abort(Exception):
    """Stop handling this connection without writing anything more."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # FakeEdge.stop() joins the threads itself
    request_queue_size = 128

    def __init__(self, owner: FakeEdge, port: int) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fakeedge-conn-{client_address[1]}",
            daemon=True,
        )
        self.owner._threads_started(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """CONNECT, then TLS, then a WebSocket upgrade (or the voice list) on one port."""

    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 30
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.tunneled = False
        self.server.owner._register(self)

    def handle(self) -> None:
        try:
            super().handle()
        except (_Abort, OSError, ValueError):
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        finally:
            if self.tunneled:
                with contextlib.suppress(OSError):
                    self.connection.close()
            self.server.owner._unregister(self)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def abort_io(self) -> None:
        """Wake this handler's thread from any blocking read (used by stop())."""
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        if host.lower() not in (proto.HOST, "localhost") or port != "443":
            self.send_plain(403, "Forbidden", f"fakeedge intercepts {proto.HOST}:443 only")
            return
        self.server.owner._count_connect()
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.rfile.close()
        self.wfile.close()
        tls = self.server.owner.ssl_context.wrap_socket(self.connection, server_side=True)
        self.connection = self.request = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.tunneled = True
        self.close_connection = False

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == proto.WS_PATH:
            self.server.owner._serve_ws(self)
        elif path == proto.VOICES_PATH:
            self.server.owner._serve_voices(self)
        else:
            self.send_plain(404, "Not Found", "not found")

    # -- HTTP answers ---------------------------------------------------------------

    def send_plain(
        self,
        status: int,
        reason: str,
        body: str,
        content_type: str = "text/plain; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A complete answer with a Content-Length (send_response adds a Date header)."""
        data = body.encode()
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def reset(self) -> None:
        """Drop the connection with a TCP RST and stop handling it."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for stream in (self.rfile, self.wfile):
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        with contextlib.suppress(OSError):
            self.connection.close()
        raise _Abort

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
                raise _Abort
            # select on the socket: a timed-out read would break the buffered reader.
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.1))
            if not readable:
                continue
            try:
                opcode, _ = self.read_message()
            except (ConnectionError, OSError, ValueError, proto.ProtocolError):
                raise _Abort from None
            if opcode == proto.CLOSE:
                self.send_close(1000)
                raise _Abort

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


class FakeEdge:
    """Edge read-aloud stand-in on ``127.0.0.1``, served from background threads.

    Usage, in process::

        with FakeEdge() as fake:
            monkeypatch.setattr(edge_tts.communicate, "_SSL_CTX", fake.client_ssl_context())
            comm = edge_tts.Communicate("مرحبا", "ar-SA-HamedNeural", proxy=fake.proxy_url)
            ...

    For sawt in a subprocess: ``edge: {proxy: <proxy_url>, ca_file: <ca_file>}``.
    """

    def __init__(self, port: int = 0, latency_ms: float = 0.0) -> None:
        self.faults = Faults()
        #: Delay before every turn's answer, in milliseconds.
        self.latency_ms = latency_ms
        self.ssl_context = server_context()
        self._ca_dir = tempfile.TemporaryDirectory(prefix="fakeedge-ca-")
        self.ca_file = Path(self._ca_dir.name) / "fakeedge-ca.pem"
        self.ca_file.write_bytes(make_pems().ca_cert)
        self._requested_port = port
        self._httpd: _HTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._gate = threading.Event()
        self._gate.set()
        self._lock = threading.Condition()
        self._handlers: set[_Handler] = set()
        self._threads: list[threading.Thread] = []
        self._speech: dict[tuple[str, str, str, str], Speech] = {}
        self._speech_lock = threading.Lock()
        self._total = 0
        self._connects = 0
        self._voice_lists = 0
        self._texts: collections.Counter[str] = collections.Counter()
        self._log: list[RequestRecord] = []
        self._in_flight = 0
        self._peak_in_flight = 0

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeEdge:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("already started")
        self._stop.clear()
        self._httpd = _HTTPServer(self, self._requested_port)
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakeedge-serve",
            daemon=True,
        )
        self._serve_thread.start()
        return self

    def stop(self, join_timeout: float = 5.0) -> None:
        """Stop serving: end hangs, close connections, join threads."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()
        self._gate.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            handlers = list(self._handlers)
            threads = list(self._threads)
        for handler in handlers:
            handler.abort_io()
        for thread in threads:
            thread.join(join_timeout)
        if self._serve_thread is not None:
            self._serve_thread.join(join_timeout)
        self._httpd = None
        self._serve_thread = None
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]

    def close(self) -> None:
        """Stop and remove the CA file."""
        self.stop()
        self._ca_dir.cleanup()

    def __enter__(self) -> FakeEdge:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- addresses and trust ------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("not started")
        return int(self._httpd.server_address[1])

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:PORT``, for edge-tts's ``proxy`` argument."""
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def client_ssl_context() -> ssl.SSLContext:
        """A client context trusting certifi's roots and this stand-in's CA."""
        return client_context()

    # -- counters -------------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """WebSocket turns received (any outcome, refused upgrades included)."""
        with self._lock:
            return self._total

    @property
    def connect_count(self) -> int:
        """Proxy tunnels (CONNECT) accepted."""
        with self._lock:
            return self._connects

    @property
    def voice_list_count(self) -> int:
        """voices/list requests answered."""
        with self._lock:
            return self._voice_lists

    @property
    def text_counts(self) -> collections.Counter[str]:
        """Copy of the per-text turn counter."""
        with self._lock:
            return collections.Counter(self._texts)

    @property
    def requests_log(self) -> list[RequestRecord]:
        """Copy of the turn log."""
        with self._lock:
            return list(self._log)

    @property
    def in_flight(self) -> int:
        """Turns being answered now."""
        with self._lock:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """Most turns answered at once since the last reset."""
        with self._lock:
            return self._peak_in_flight

    def reset_counts(self) -> None:
        """Zero every counter and empty the log (faults are not touched)."""
        with self._lock:
            self._total = 0
            self._connects = 0
            self._voice_lists = 0
            self._texts.clear()
            self._log.clear()
            self._peak_in_flight = self._in_flight

    # -- flow control ----------------------------------------------------------------------------

    def pause(self) -> None:
        """Hold every turn (after it is counted) until :meth:`resume`."""
        self._gate.clear()

    def resume(self) -> None:
        """Release held turns."""
        self._gate.set()

    def wait_in_flight(self, n: int, timeout: float = 10.0) -> bool:
        """Block until at least ``n`` turns are in flight; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight >= n, timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no turn is in flight; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight == 0, timeout)

    # -- audio ------------------------------------------------------------------------------------

    def speech(
        self, text: str, voice: str = "ar-SA-HamedNeural", rate: str = "+0%", pitch: str = "+0Hz"
    ) -> Speech:
        """What the stand-in says for this request (cached)."""
        key = (text, voice, rate, pitch)
        with self._speech_lock:
            cached = self._speech.get(key)
        if cached is None:
            cached = synth_speech(text, voice, rate, pitch)
            with self._speech_lock:
                cached = self._speech.setdefault(key, cached)
        return cached

    # -- internals used by the handler --------------------------------------------------------------

    def _threads_started(self, thread: threading.Thread) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def _register(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers.add(handler)

    def _unregister(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers.discard(handler)

    def _count_connect(self) -> None:
        with self._lock:
            self._connects += 1

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stop.wait(seconds):
            raise _Abort

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)
            if record.text:
                self._texts[record.text] += 1

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
            with self._lock:
                self._total += 1
            self._record(RequestRecord("", "", "", "", "bad_token" if bad_token else "bad_request"))
            if bad_token:
                handler.send_plain(403, "Forbidden", str(exc))
            else:
                handler.send_plain(400, "Bad Request", str(exc))
            return
        with self._lock:
            fault = self.faults.draw()
            self._total += 1
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
            self._lock.notify_all()
        try:
            self._gate.wait()
            if self._stop.is_set():
                raise _Abort
            self._wait(self.latency_ms / 1000)
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
            self._record(RequestRecord(ssml.text, ssml.voice, ssml.rate, ssml.pitch, outcome))
            if unknown and fault is None:
                fault = Fault.NO_AUDIO
            self._turn(handler, fault, config, ssml)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()

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
                raise _Abort
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

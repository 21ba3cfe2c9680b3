"""A local stand-in for Google Translate's text-to-speech endpoint.

The unmodified gTTS client posts every text piece to
``https://translate.google.<tld>/_/TranslateWebserverUi/data/batchexecute``.
It hard-codes ``verify=False`` and takes its proxies from the environment, so
pointing ``HTTPS_PROXY`` at :class:`FakeGoogle` is enough to reroute it: the
server answers the proxy ``CONNECT``, then terminates TLS itself with a
throw-away self-signed certificate and answers the POST like Google would.
The same port also answers plain-HTTP POSTs (no ``CONNECT``), for clients
whose URL can be overridden.

Nothing is ever forwarded: all traffic stays on 127.0.0.1.

Answers carry real MP3 audio (MPEG-2 Layer III, 24 kHz, mono, 32 kbps CBR,
like Google's), synthesised by the bundled ffmpeg from a hash of the text, so
the same text always yields byte-identical audio with a duration that grows
with the text. Faults (HTTP errors, hangs, resets, malformed bodies) can be
injected at runtime through :attr:`FakeGoogle.faults`.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import datetime
import functools
import hashlib
import ipaddress
import json
import logging
import os
import random
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

#: Path gTTS posts to (same for every ``tld``).
TTS_PATH = "/_/TranslateWebserverUi/data/batchexecute"
#: The batchexecute RPC id of the TTS call; gTTS looks for it in the answer.
RPC_ID = "jQ1olc"
#: Environment variable names that carry proxies (either case is honoured).
PROXY_ENV_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy")

# Audio shape: a speaking pace of ~70 ms per character, never shorter than a
# short word. gTTS's "slow" speed is roughly 1.5x longer at Google.
MS_PER_CHAR = 70
MIN_DURATION_MS = 300
SLOW_FACTOR = 1.5

CertBackend = Literal["auto", "cryptography", "openssl"]


class Fault(str, Enum):
    """Kinds of misbehaviour the fake can inject into a TTS answer."""

    HTTP_429 = "429"  #: Too Many Requests, with a ``Retry-After`` header.
    HTTP_500 = "500"  #: Internal Server Error.
    HTTP_503 = "503"  #: Service Unavailable, with a ``Retry-After`` header.
    HTTP_403 = "403"  #: Forbidden (what Google sends when it blocks a client).
    SLOW = "slow"  #: Correct answer, delayed by :attr:`Faults.slow_ms`.
    TIMEOUT = "timeout"  #: Never answer; close after :attr:`Faults.hang_s`.
    EMPTY_200 = "empty200"  #: 200 with batchexecute framing but no ``jQ1olc`` line.
    NO_AUDIO = "noaudio"  #: 200 with a ``jQ1olc`` line carrying no audio (Google's
    #: answer to an unsupported language); gTTS raises ``gTTSError``.
    TRUNCATED = "truncated"  #: Valid framing, MP3 cut to :attr:`Faults.truncate_fraction`.
    GARBAGE = "garbage"  #: ``jQ1olc`` framing whose payload is not base64 (client raises).
    NOT_MP3 = "notmp3"  #: Valid base64 of bytes that are not audio (an HTML page).
    RESET = "reset"  #: Drop the connection with a TCP RST, no answer at all.

    @classmethod
    def parse(cls, value: Fault | str | int) -> Fault:
        """Accept a :class:`Fault`, its value (``"429"``, ``"reset"``) or an int status."""
        if isinstance(value, Fault):
            return value
        return cls(str(value).strip().lower())


#: Faults a flaky network or an overloaded Google produce; the default pool
#: for :meth:`Faults.set_probability`. Hangs and malformed bodies are opt-in.
TRANSIENT_FAULTS: tuple[Fault, ...] = (
    Fault.HTTP_429,
    Fault.HTTP_500,
    Fault.HTTP_503,
    Fault.RESET,
)


class RequestRecord(NamedTuple):
    """One TTS request as the fake saw it, and what it answered."""

    text: str
    lang: str
    slow: bool
    outcome: str  #: ``"ok"``, a :class:`Fault` value, or ``"bad_request"``.


class _TextRule:
    """A fault reserved for requests whose text contains ``substring``."""

    __slots__ = ("kind", "remaining", "substring")

    def __init__(self, substring: str, kind: Fault, remaining: int | None) -> None:
        self.substring = substring
        self.kind = kind
        self.remaining = remaining


class Faults:
    """Thread-safe fault schedule of a :class:`FakeGoogle`.

    For each TTS request the first matching source wins:

    1. a text rule (:meth:`set_for_text`) whose substring occurs in the text;
    2. the head of the FIFO schedule (:meth:`set`, :meth:`queue`);
    3. a seeded random draw (:meth:`set_probability`).

    ``times=None`` means "until cleared". The tuning attributes below may be
    changed at any time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._schedule: collections.deque[list[Any]] = collections.deque()
        self._text_rules: list[_TextRule] = []
        self._probability = 0.0
        self._kinds: tuple[Fault, ...] = TRANSIENT_FAULTS
        self._rng = random.Random(0)
        #: Extra delay of a ``slow`` answer, in milliseconds.
        self.slow_ms: float = 1500.0
        #: How long a ``timeout`` request hangs before the socket is closed.
        #: Hangs end early when the server stops, so tests never wait it out.
        self.hang_s: float = 30.0
        #: ``Retry-After`` seconds sent with 429 and 503.
        self.retry_after_s: int = 1
        #: Share of the MP3 kept by ``truncated``.
        self.truncate_fraction: float = 0.3

    def set(self, kind: Fault | str | int, times: int | None = 1) -> None:
        """Replace the schedule: the next ``times`` requests get ``kind``."""
        fault = Fault.parse(kind)
        _check_times(times)
        with self._lock:
            self._schedule.clear()
            self._schedule.append([fault, times])

    def queue(self, kind: Fault | str | int, times: int | None = 1) -> None:
        """Append to the schedule: after what is queued, ``times`` requests get ``kind``."""
        fault = Fault.parse(kind)
        _check_times(times)
        with self._lock:
            self._schedule.append([fault, times])

    def set_for_text(self, substring: str, kind: Fault | str | int, times: int | None = 1) -> None:
        """The next ``times`` requests whose text contains ``substring`` get ``kind``."""
        fault = Fault.parse(kind)
        _check_times(times)
        with self._lock:
            self._text_rules.append(_TextRule(substring, fault, times))

    def set_probability(
        self,
        p: float,
        kinds: Iterable[Fault | str | int] | None = None,
        seed: int | None = None,
    ) -> None:
        """Give each otherwise unscheduled request a fault with probability ``p``.

        The fault is drawn uniformly from ``kinds`` (default
        :data:`TRANSIENT_FAULTS`). With a ``seed`` the sequence of outcomes is
        reproducible for requests arriving in the same order. ``p=0`` turns
        random faults off.
        """
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability must be within [0, 1], got {p}")
        pool = TRANSIENT_FAULTS if kinds is None else tuple(Fault.parse(k) for k in kinds)
        if p > 0 and not pool:
            raise ValueError("kinds must not be empty")
        with self._lock:
            self._probability = p
            self._kinds = pool
            self._rng = random.Random(seed)

    def clear(self) -> None:
        """Drop every scheduled, per-text and random fault (tuning values stay)."""
        with self._lock:
            self._schedule.clear()
            self._text_rules.clear()
            self._probability = 0.0
            self._kinds = TRANSIENT_FAULTS

    def pending(self) -> int | None:
        """Requests still scheduled via :meth:`set`/:meth:`queue` (None: unbounded)."""
        with self._lock:
            total = 0
            for _kind, remaining in self._schedule:
                if remaining is None:
                    return None
                total += remaining
            return total

    def draw(self, text: str) -> Fault | None:
        """Decide (and consume) the fault for one request with ``text``."""
        with self._lock:
            for rule in self._text_rules:
                if rule.substring in text:
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._text_rules.remove(rule)
                    return rule.kind
            if self._schedule:
                head = self._schedule[0]
                kind: Fault = head[0]
                if head[1] is not None:
                    head[1] -= 1
                    if head[1] <= 0:
                        self._schedule.popleft()
                return kind
            if self._probability > 0 and self._rng.random() < self._probability:
                return self._rng.choice(self._kinds)
            return None


def _check_times(times: int | None) -> None:
    if times is not None and times < 1:
        raise ValueError(f"times must be >= 1 or None, got {times}")


# ---------------------------------------------------------------- audio


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg binary bundled in the imageio-ffmpeg wheel (a sawt dependency)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def speech_duration_ms(text: str, slow: bool = False) -> int:
    """Duration the fake gives the audio of ``text`` (before MP3 frame padding)."""
    ms = max(MIN_DURATION_MS, MS_PER_CHAR * len(text))
    return int(ms * SLOW_FACTOR) if slow else ms


def synth_mp3(text: str, lang: str = "ar", slow: bool = False) -> bytes:
    """Synthesise deterministic, audible, speech-paced MP3 audio for ``text``.

    A voiced-sounding tone (fundamental plus two harmonics) whose pitch,
    syllable rate and phases derive from a SHA-256 of the request, with a
    slow amplitude envelope so it is never silent (downstream code trims
    silence). Peak is about -17 dBFS. Output mimics Google's stream: raw
    MPEG-2 Layer III frames, 24 kHz mono 32 kbps CBR, with neither ID3 nor
    Xing/LAME header (gTTS concatenates pieces, so per-piece headers would be
    wrong anyway). The bitexact flags keep the bytes identical across runs.
    """
    digest = hashlib.sha256(f"{lang}\0{int(slow)}\0{text}".encode()).digest()
    f0 = 100 + digest[0] % 120  # Hz, a speaking-voice pitch range
    syllables = 3.0 + (digest[1] % 40) / 10  # Hz, ~3-7 syllables per second
    wobble = 0.5 + (digest[2] % 20) / 10  # Hz, varies the brightness
    p1, p2, p3 = (round(b / 255 * 6.28, 3) for b in digest[3:6])
    expr = (
        f"0.14*(0.7+0.3*sin(2*PI*{syllables}*t+{p1}))"
        f"*(sin(2*PI*{f0}*t)+0.5*sin(4*PI*{f0}*t+{p2})"
        f"+0.3*(0.5+0.5*sin(2*PI*{wobble}*t))*sin(6*PI*{f0}*t+{p3}))/1.8"
    )
    seconds = speech_duration_ms(text, slow) / 1000
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error",
        "-f", "lavfi", "-i", f"aevalsrc=exprs='{expr}':s=24000:d={seconds:.3f}",
        "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "32k",
        "-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1",
        "-write_xing", "0", "-id3v2_version", "0",
        "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, check=False, timeout=60)
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"ffmpeg failed: {proc.stderr.decode('utf-8', 'replace')[-500:]}")
    return proc.stdout


# ---------------------------------------------------------------- framing


def batchexecute_body(payload: str | None, *, with_rpc: bool = True) -> bytes:
    """A batchexecute answer close to Google's real framing.

    ``)]}'`` anti-XSSI prefix, then chunks each preceded by a length line.
    The ``wrb.fr`` chunk carries ``payload`` (base64 MP3) as a JSON-encoded
    one-element list, so the line reads ``..."jQ1olc","[\\"<b64>\\"]",...``,
    which is what gTTS's regex extracts. ``payload=None`` gives Google's
    "no audio" shape; ``with_rpc=False`` omits the ``jQ1olc`` chunk.
    """
    chunks: list[Any] = []
    if with_rpc:
        inner = None if payload is None else json.dumps([payload])
        chunks.append([["wrb.fr", RPC_ID, inner, None, None, None, "generic"]])
    chunks.append([["di", 42], ["af.httprm", 41, "-1458290830937437953", 2]])
    chunks.append([["e", 4, None, None, 0]])
    parts = [")]}'\n"]
    for chunk in chunks:
        line = json.dumps(chunk, separators=(",", ":"))
        # Google counts the chunk with its leading newline; the count is not
        # read by gTTS, it only makes the body look like the real thing.
        parts.append(f"\n{len(line) + 1}\n{line}")
    return ("".join(parts) + "\n").encode("ascii")


# The ``garbage`` payload: 9 base64-alphabet characters once the others are
# dropped, which base64.b64decode always rejects (binascii.Error).
_GARBAGE_PAYLOAD = "!!not*base64!!"
_NOT_MP3 = (
    b"<!DOCTYPE html><html><head><title>Before you continue</title></head>"
    b"<body><p>We use cookies and data to deliver and maintain Google services."
    b"</p></body></html>\n"
)
_ERROR_PAGES: dict[int, tuple[str, bytes]] = {
    403: ("Forbidden", b"<html><body><h1>403.</h1><p>Your client does not have permission.</p>"),
    429: ("Too Many Requests", b"<html><body><p>Our systems have detected unusual traffic"
                               b" from your computer network.</p>"),
    500: ("Internal Server Error", b"<html><body><h1>500.</h1><p>That's an error.</p>"),
    503: ("Service Unavailable", b"<html><body><h1>503.</h1><p>Try again later.</p>"),
}  # fmt: skip


# ---------------------------------------------------------------- TLS


@functools.cache
def _self_signed_pem(backend: CertBackend = "auto") -> tuple[bytes, bytes, str]:
    """(certificate PEM, key PEM, backend used) for translate.google.* (cached).

    ``auto`` uses the ``cryptography`` package when importable (in-process,
    fast) and otherwise the ``openssl`` command line tool, so neither is a
    hard dependency. Certificate checks are off in gTTS, the names are there
    for clients that log them.
    """
    if backend in ("auto", "cryptography"):
        try:
            return (*_pem_with_cryptography(), "cryptography")
        except ImportError:
            if backend == "cryptography":
                raise
    return (*_pem_with_openssl(), "openssl")


_CERT_NAMES = ("translate.google.com", "*.google.com", "localhost")


def _pem_with_cryptography() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())  # instant, unlike RSA
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _CERT_NAMES[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    san = x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in _CERT_NAMES] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(san, critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _pem_with_openssl() -> tuple[bytes, bytes]:
    with tempfile.TemporaryDirectory(prefix="fakegoogle-") as tmp:
        cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        san = ",".join([*(f"DNS:{n}" for n in _CERT_NAMES), "IP:127.0.0.1"])
        proc = subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", str(key), "-out", str(cert), "-days", "30",
                "-subj", f"/CN={_CERT_NAMES[0]}", "-addext", f"subjectAltName={san}",
            ],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"openssl req failed: {proc.stderr.decode(errors='replace')}")
        return cert.read_bytes(), key.read_bytes()


def server_ssl_context(backend: CertBackend = "auto") -> tuple[ssl.SSLContext, str]:
    """A TLS server context with a fresh-per-process self-signed certificate."""
    cert_pem, key_pem, used = _self_signed_pem(backend)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain only reads files; they live just long enough to be read.
    with tempfile.TemporaryDirectory(prefix="fakegoogle-") as tmp:
        cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert.write_bytes(cert_pem)
        key.write_bytes(key_pem)
        ctx.load_cert_chain(cert, key)
    return ctx, used


# ---------------------------------------------------------------- server


class _Abort(Exception):
    """Stop handling this connection without writing anything more."""


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server whose connection threads the owner can find and join."""

    daemon_threads = True  # never keep the interpreter alive...
    block_on_close = False  # ...and FakeGoogle.stop() joins them itself.
    request_queue_size = 128  # bursts of parallel clients (benchmarks) must not see SYN drops

    def __init__(self, owner: FakeGoogle, port: int) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fakegoogle-conn-{client_address[1]}",
            daemon=True,
        )
        self.owner._threads_started(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-answer is normal under fault injection.
        log.debug("connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """Answers CONNECT (then TLS) and the batchexecute POST on one port."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the real frontend
    server_version = "ESF"  # what Google's frontends call themselves
    sys_version = ""
    timeout = 30  # bounds idle keep-alive connections and TLS handshakes
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.tunneled = False
        self.server.owner._register(self)

    def handle(self) -> None:
        try:
            super().handle()
        except (_Abort, OSError, ValueError):
            # ssl errors are OSErrors; ValueError comes from I/O on a socket
            # that stop() or a reset fault already closed.
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
            # The plain-socket method: SSLSocket.shutdown would also drop its
            # SSL object under the feet of the thread reading from it.
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)

    # -- proxy tunnel --------------------------------------------------------

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0].strip("[]").lower()
        if not (host.startswith("translate.google.") or host in ("localhost", "127.0.0.1")):
            # Only ever impersonate Google Translate; anything else routed
            # here through HTTPS_PROXY is a test set-up mistake, say so.
            self.send_error(403, f"fakegoogle intercepts translate.google.* only, not {host}")
            return
        self.server.owner._count_connect()
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        # The client sends its ClientHello only after reading our 200, so
        # nothing is buffered in rfile that TLS would need.
        self.rfile.close()
        self.wfile.close()
        tls = self.server.owner.ssl_context.wrap_socket(self.connection, server_side=True)
        self.connection = self.request = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.tunneled = True
        self.close_connection = False  # the POST follows inside the tunnel

    # -- the endpoint -----------------------------------------------------------

    def do_POST(self) -> None:
        # Read the body first, whatever the path: left unread, it would be
        # taken for the next request line on this keep-alive connection.
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if urlsplit(self.path).path != TTS_PATH:
            self.send_plain(404, "Not Found", b"<html><body><h1>404.</h1></body></html>")
            return
        self.server.owner._serve_tts(self, body)

    def do_GET(self) -> None:
        self.send_plain(404, "Not Found", b"<html><body><h1>404.</h1></body></html>")

    # -- answers ---------------------------------------------------------------

    def send_plain(
        self,
        status: int,
        reason: str,
        body: bytes,
        content_type: str = "text/html; charset=UTF-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Write a complete answer with a Content-Length (keep-alive safe)."""
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def send_batchexecute(self, body: bytes) -> None:
        """Write a 200 batchexecute answer."""
        self.send_plain(200, "OK", body, "application/json; charset=utf-8")

    def reset(self) -> None:
        """Drop the connection with a TCP RST (SO_LINGER 0) and stop handling it."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The socket's fd closes only once its makefile() readers are closed.
        for stream in (self.rfile, self.wfile):
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        with contextlib.suppress(OSError):
            self.connection.close()
        raise _Abort


def parse_tts_body(body: bytes) -> tuple[str, str, bool]:
    """(text, lang, slow) from a gTTS form body; ValueError if it is not one.

    The body is ``f.req=<url-encoded JSON>``; the JSON holds the RPC whose
    second field is itself a JSON string ``[text, lang, speed, "null"]``.
    Non-ASCII text arrives as ``\\uXXXX`` escapes, decoded by json.loads.
    """
    form = parse_qs(body.decode("utf-8"), strict_parsing=False)
    if "f.req" not in form:
        raise ValueError("no f.req field")
    rpc = json.loads(form["f.req"][0])
    call = rpc[0][0]
    if call[0] != RPC_ID:
        raise ValueError(f"unexpected rpc id {call[0]!r}")
    params = json.loads(call[1])
    text, lang, speed = params[0], params[1], params[2]
    if not isinstance(text, str) or not isinstance(lang, str):
        raise ValueError("text and lang must be strings")
    return text, lang, speed is True


class FakeGoogle:
    """Google Translate TTS stand-in on ``127.0.0.1``, served from a background thread.

    Usage, in process (e.g. with pytest's monkeypatch)::

        with FakeGoogle() as fake:
            for name, value in fake.env().items():
                monkeypatch.setenv(name, value)
            gTTS("مرحبا", lang="ar").save("a.mp3")
            assert fake.request_count == 1

    For a subprocess: ``subprocess.run(cmd, env=fake.subprocess_env())``.
    For a client whose URL can be set: post to :attr:`tts_url` directly.

    Args:
        port: Port to bind on 127.0.0.1; 0 picks a free one.
        latency_ms: Delay added to every TTS answer (e.g. 150 for benchmarks).
        cert_backend: How to make the TLS certificate, see :func:`server_ssl_context`.
    """

    def __init__(
        self, port: int = 0, latency_ms: float = 0.0, cert_backend: CertBackend = "auto"
    ) -> None:
        self.faults = Faults()
        #: Delay added to every TTS answer, in milliseconds (settable at runtime).
        self.latency_ms = latency_ms
        self.ssl_context, self.cert_backend = server_ssl_context(cert_backend)
        self._requested_port = port
        self._httpd: _HTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._gate = threading.Event()
        self._gate.set()
        # One lock for counters, the log and connection tracking; the fault
        # draw happens under it too so the log order is the draw order.
        self._lock = threading.Condition()
        self._handlers: set[_Handler] = set()
        self._threads: list[threading.Thread] = []
        self._audio: dict[tuple[str, str, bool], bytes] = {}
        self._audio_lock = threading.Lock()
        self._total = 0
        self._connects = 0
        self._texts: collections.Counter[str] = collections.Counter()
        self._log: list[RequestRecord] = []
        self._times: list[float] = []
        self._in_flight = 0
        self._peak_in_flight = 0

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> FakeGoogle:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("already started")
        self._stop.clear()
        self._httpd = _HTTPServer(self, self._requested_port)
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown() response
            name="fakegoogle-serve",
            daemon=True,
        )
        self._serve_thread.start()
        return self

    def stop(self, join_timeout: float = 5.0) -> None:
        """Stop serving: end hangs and delays, close connections, join threads."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()  # wakes latency, slow and timeout waits
        self._gate.set()  # releases paused requests
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            handlers = list(self._handlers)
            threads = list(self._threads)
        for handler in handlers:
            handler.abort_io()  # wakes idle keep-alive reads
        for thread in threads:
            thread.join(join_timeout)
        if self._serve_thread is not None:
            self._serve_thread.join(join_timeout)
        self._httpd = None
        self._serve_thread = None
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("not started")
        return int(self._httpd.server_address[1])

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``HTTPS_PROXY``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def tts_url(self) -> str:
        """The endpoint over plain HTTP, for clients whose URL can be overridden."""
        return f"{self.proxy_url}{TTS_PATH}"

    def env(self) -> dict[str, str]:
        """Proxy variables that route gTTS here (both spellings; lowercase wins).

        The caller removes any other ``*_proxy`` variables itself.
        """
        return {"HTTPS_PROXY": self.proxy_url, "https_proxy": self.proxy_url}

    def subprocess_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default os.environ) without proxy variables, plus :meth:`env`."""
        source = os.environ if base is None else base
        clean = {k: v for k, v in source.items() if k.lower() not in PROXY_ENV_NAMES}
        clean.update(self.env())
        return clean

    # -- counters --------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """TTS requests received (any outcome, including faults and bad bodies)."""
        with self._lock:
            return self._total

    @property
    def connect_count(self) -> int:
        """Proxy tunnels (CONNECT) accepted."""
        with self._lock:
            return self._connects

    @property
    def text_counts(self) -> collections.Counter[str]:
        """Copy of the per-text request counter (decoded text pieces)."""
        with self._lock:
            return collections.Counter(self._texts)

    @property
    def requests_log(self) -> list[RequestRecord]:
        """Copy of the request log, in arrival order."""
        with self._lock:
            return list(self._log)

    @property
    def request_times(self) -> list[float]:
        """Arrival time (time.monotonic) of each TTS request, in arrival order."""
        with self._lock:
            return list(self._times)

    @property
    def in_flight(self) -> int:
        """TTS requests currently being answered."""
        with self._lock:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """Most TTS requests answered at once since the last reset."""
        with self._lock:
            return self._peak_in_flight

    def reset_counts(self) -> None:
        """Zero every counter and empty the log (faults are not touched)."""
        with self._lock:
            self._total = 0
            self._connects = 0
            self._texts.clear()
            self._log.clear()
            self._times.clear()
            self._peak_in_flight = self._in_flight

    # -- flow control ------------------------------------------------------------

    def pause(self) -> None:
        """Hold every TTS request (after it is counted) until :meth:`resume`."""
        self._gate.clear()

    def resume(self) -> None:
        """Release held requests."""
        self._gate.set()

    def wait_in_flight(self, n: int, timeout: float = 10.0) -> bool:
        """Block until at least ``n`` requests are in flight; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight >= n, timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no request is in flight; False on timeout.

        A client may read its answer a moment before the server's handler
        finishes, so check :attr:`in_flight` through this, not directly.
        """
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight == 0, timeout)

    # -- audio ---------------------------------------------------------------------

    def audio(self, text: str, lang: str = "ar", slow: bool = False) -> bytes:
        """The MP3 the fake answers for this request (cached per text)."""
        key = (text, lang, slow)
        with self._audio_lock:
            cached = self._audio.get(key)
        if cached is None:
            # Outside the lock: concurrent misses on one text may both run
            # ffmpeg, harmless since the output is byte-identical.
            cached = synth_mp3(text, lang, slow)
            with self._audio_lock:
                cached = self._audio.setdefault(key, cached)
        return cached

    # -- internals used by the handler ------------------------------------------------

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
        """Sleep, but give up the request at once when the server stops."""
        if seconds > 0 and self._stop.wait(seconds):
            raise _Abort

    def _serve_tts(self, handler: _Handler, body: bytes) -> None:
        try:
            text, lang, slow = parse_tts_body(body)
        except (ValueError, LookupError, TypeError) as exc:
            with self._lock:
                self._total += 1
                self._log.append(RequestRecord("", "", False, "bad_request"))
            handler.send_plain(400, "Bad Request", f"bad request: {exc}".encode())
            return
        with self._lock:
            fault = self.faults.draw(text)
            self._total += 1
            self._texts[text] += 1
            self._log.append(RequestRecord(text, lang, slow, fault.value if fault else "ok"))
            self._times.append(time.monotonic())
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
            self._lock.notify_all()
        try:
            self._gate.wait()
            if self._stop.is_set():
                raise _Abort
            self._wait(self.latency_ms / 1000)
            self._answer(handler, fault, text, lang, slow)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()

    def _answer(
        self, handler: _Handler, fault: Fault | None, text: str, lang: str, slow: bool
    ) -> None:
        faults = self.faults
        if fault is None or fault is Fault.SLOW:
            if fault is Fault.SLOW:
                self._wait(faults.slow_ms / 1000)
            mp3 = self.audio(text, lang, slow)
            handler.send_batchexecute(batchexecute_body(base64.b64encode(mp3).decode()))
        elif fault in (Fault.HTTP_403, Fault.HTTP_429, Fault.HTTP_500, Fault.HTTP_503):
            status = int(fault.value)
            reason, page = _ERROR_PAGES[status]
            headers = {}
            if status in (429, 503):
                headers["Retry-After"] = str(faults.retry_after_s)
            handler.send_plain(status, reason, page, headers=headers)
        elif fault is Fault.TIMEOUT:
            self._wait(faults.hang_s)
            raise _Abort  # close without a word, as a dead upstream would
        elif fault is Fault.RESET:
            handler.reset()
        elif fault is Fault.EMPTY_200:
            handler.send_batchexecute(batchexecute_body(None, with_rpc=False))
        elif fault is Fault.NO_AUDIO:
            handler.send_batchexecute(batchexecute_body(None))
        elif fault is Fault.TRUNCATED:
            mp3 = self.audio(text, lang, slow)
            cut = mp3[: max(1, int(len(mp3) * faults.truncate_fraction))]
            handler.send_batchexecute(batchexecute_body(base64.b64encode(cut).decode()))
        elif fault is Fault.GARBAGE:
            handler.send_batchexecute(batchexecute_body(_GARBAGE_PAYLOAD))
        elif fault is Fault.NOT_MP3:
            handler.send_batchexecute(batchexecute_body(base64.b64encode(_NOT_MP3).decode()))
        else:  # pragma: no cover - every Fault member is handled above
            raise AssertionError(fault)

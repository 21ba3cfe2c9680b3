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
import functools
import hashlib
import json
import os
import ssl
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from tests.standin import tls
from tests.standin.faults import FaultKind, FaultPlan
from tests.standin.ffmpeg import encode_mp3
from tests.standin.ffmpeg import ffmpeg_exe as ffmpeg_exe  # re-exported for the tests
from tests.standin.memo import Memo
from tests.standin.server import Abort, LoopbackServer, StandIn, StandInHandler
from tests.standin.tls import CertBackend as CertBackend  # re-exported

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


class Fault(FaultKind):
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


class Faults(FaultPlan[Fault]):
    """Thread-safe fault schedule of a :class:`FakeGoogle`.

    For each TTS request the first matching source wins:

    1. a text rule (:meth:`set_for_text`) whose substring occurs in the text;
    2. the head of the FIFO schedule (:meth:`set`, :meth:`queue`);
    3. a seeded random draw (:meth:`set_probability`, default pool
       :data:`TRANSIENT_FAULTS`).

    ``times=None`` means "until cleared". The tuning attributes (``slow_ms``,
    ``hang_s`` of a ``timeout``, ``retry_after_s`` of 429 and 503, and
    ``truncate_fraction``, 0.3 here) may be changed at any time.
    """

    def __init__(self) -> None:
        super().__init__(Fault, TRANSIENT_FAULTS, truncate_fraction=0.3)

    def draw(self, text: str) -> Fault | None:
        """Decide (and consume) the fault for one request with ``text``."""
        return self.draw_any(text)


# ---------------------------------------------------------------- audio


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
    return encode_mp3(
        [
            "-f", "lavfi", "-i", f"aevalsrc=exprs='{expr}':s=24000:d={seconds:.3f}",
            "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "32k",
        ]
    )  # fmt: skip


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

#: Names on the certificate; gTTS does not check them, they are there for clients that log them.
CERT_NAMES = ("translate.google.com", "*.google.com", "localhost")


@functools.cache
def _certificate(backend: CertBackend = "auto") -> tuple[tls.Pems, str]:
    """A self-signed certificate for translate.google.* (once per process and backend)."""
    return tls.self_signed(CERT_NAMES, backend)


def server_ssl_context(backend: CertBackend = "auto") -> tuple[ssl.SSLContext, str]:
    """A TLS server context with a fresh-per-process self-signed certificate, and its backend.

    ``auto`` uses the ``cryptography`` package when importable and otherwise
    the ``openssl`` command line tool; certificate checks are off in gTTS.
    """
    pems, used = _certificate(backend)
    return tls.server_context(pems), used


# ---------------------------------------------------------------- server


class _Handler(StandInHandler):
    """Answers CONNECT (then TLS) and the batchexecute POST on one port."""

    server_version = "ESF"  # what Google's frontends call themselves
    plain_type = "text/html; charset=UTF-8"
    plain_headers = (("X-Content-Type-Options", "nosniff"),)
    server: LoopbackServer[FakeGoogle]

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0].strip("[]").lower()
        if not (host.startswith("translate.google.") or host in ("localhost", "127.0.0.1")):
            # Only ever impersonate Google Translate; anything else routed
            # here through HTTPS_PROXY is a test set-up mistake, say so.
            self.send_error(403, f"fakegoogle intercepts translate.google.* only, not {host}")
            return
        self.open_tunnel()

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

    def send_batchexecute(self, body: bytes) -> None:
        """Write a 200 batchexecute answer."""
        self.send_plain(200, "OK", body, "application/json; charset=utf-8")


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


class FakeGoogle(StandIn[RequestRecord]):
    """Google Translate TTS stand-in on ``127.0.0.1``, served from a background thread.

    Usage, in process (e.g. with pytest's monkeypatch)::

        with FakeGoogle() as fake:
            for name, value in fake.env().items():
                monkeypatch.setenv(name, value)
            gTTS("مرحبا", lang="ar").save("a.mp3")
            assert fake.request_count == 1

    For a subprocess: ``subprocess.run(cmd, env=fake.subprocess_env())``.
    For a client whose URL can be set: post to :attr:`tts_url` directly.
    Lifecycle, counters (:attr:`request_count`, :attr:`text_counts`,
    :attr:`requests_log`, :attr:`request_times`, ...) and flow control
    (:meth:`pause`, :meth:`wait_idle`, ...) are :class:`~tests.standin.server.StandIn`'s.

    Args:
        port: Port to bind on 127.0.0.1; 0 picks a free one.
        latency_ms: Delay added to every TTS answer (e.g. 150 for benchmarks).
        cert_backend: How to make the TLS certificate, see :func:`server_ssl_context`.
    """

    name = "fakegoogle"
    handler_class = _Handler
    faults: Faults

    def __init__(
        self, port: int = 0, latency_ms: float = 0.0, cert_backend: CertBackend = "auto"
    ) -> None:
        context, self.cert_backend = server_ssl_context(cert_backend)
        super().__init__(port, latency_ms, context)
        self.faults = Faults()
        self._audio: Memo[tuple[str, str, bool], bytes] = Memo()

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

    def audio(self, text: str, lang: str = "ar", slow: bool = False) -> bytes:
        """The MP3 the fake answers for this request (cached per text)."""
        return self._audio.get((text, lang, slow), lambda: synth_mp3(text, lang, slow))

    # -- the endpoint ------------------------------------------------------------

    def _serve_tts(self, handler: _Handler, body: bytes) -> None:
        try:
            text, lang, slow = parse_tts_body(body)
        except (ValueError, LookupError, TypeError) as exc:
            self._refused(RequestRecord("", "", False, "bad_request"))
            handler.send_plain(400, "Bad Request", f"bad request: {exc}".encode())
            return

        def decide() -> Fault | None:
            fault = self.faults.draw(text)
            self._record(RequestRecord(text, lang, slow, fault.value if fault else "ok"), text)
            return fault

        with self._admitted(decide) as fault:
            self._answer(handler, fault, text, lang, slow)

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
            raise Abort  # close without a word, as a dead upstream would
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

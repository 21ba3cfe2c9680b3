"""Google Translate's voice through the unmodified gTTS client, one request per piece."""

from __future__ import annotations

import binascii
import re
import socket
import urllib.parse
import urllib.request
from importlib.metadata import version

import requests

from sawt.config import GttsSettings
from sawt.errors import AudioError, EngineError, TransientEngineError
from sawt.ffmpeg import decode_to_pcm
from sawt.models import TextCaps
from sawt.speech.engines.base import Clip, Policy

# Retried: rate limiting and server trouble. Anything else (403, 404) is final.
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
# A piece of speech takes at least this long per letter; a shorter clip was cut.
MIN_MS_PER_LETTER = 30
MAX_MS_PER_LETTER = 400
_LETTER = re.compile(r"\w")
# gTTS's tokenizer knows "،" but not these; ask for the Latin marks so Google
# keeps question intonation and clause breaks.
_PUNCT = str.maketrans({"؟": "?", "؛": ";", "۔": "."})
# Bump when the text sent for the same piece changes, so cached clips renew.
PREP_VERSION = "1"


class GttsEngine:
    """Natural Arabic voice from Google Translate; needs the network, rate-limited."""

    name = "gtts"
    max_chars = 100  # gTTS's own per-request limit: one piece is one request
    sample_rate = 24000  # Google's MP3s are 24 kHz mono
    cacheable = True
    # Google reads digits, dates and undiacritized Arabic well by itself.
    caps = TextCaps()

    def __init__(self, settings: GttsSettings | None = None) -> None:
        self.settings = settings or GttsSettings()
        s = self.settings
        self.workers = s.concurrency
        self.policy = Policy.for_network(s)

    def prepare(self, text: str) -> str:
        """The exact text sent for a piece."""
        return text.translate(_PUNCT)

    def fetch(self, text: str, timeout: float | None = None) -> bytes:
        """One request; raises TransientEngineError for what a retry may fix."""
        from gtts import gTTS, gTTSError

        s = self.settings
        tts = gTTS(
            self.prepare(text),
            lang=s.lang,
            tld=s.tld,
            slow=s.slow,
            lang_check=False,
            timeout=timeout or s.timeout,
        )
        try:
            return b"".join(tts.stream())
        except gTTSError as exc:
            raise _classify(exc) from exc
        except (requests.RequestException, binascii.Error, ValueError) as exc:
            # Read timeouts and resets mid-body, undecodable base64 or lines.
            raise TransientEngineError(f"{type(exc).__name__}: {exc}") from exc

    def decode(self, payload: bytes, text: str) -> Clip:
        """Check the MP3 is real and plausibly long for its text, then decode it."""
        if not payload:
            raise TransientEngineError("empty audio (200 without speech)")
        if not (payload[:3] == b"ID3" or (payload[0] == 0xFF and payload[1] & 0xE0 == 0xE0)):
            raise TransientEngineError("the response is not MP3 audio")
        try:
            pcm = decode_to_pcm(payload, self.sample_rate)
        except AudioError as exc:
            raise TransientEngineError(f"undecodable MP3: {exc.message}") from exc
        clip = Clip(pcm, self.sample_rate)
        letters = len(_LETTER.findall(text))
        low = MIN_MS_PER_LETTER * letters * (0.5 if letters < 4 else 1)
        high = MAX_MS_PER_LETTER * letters + 3000
        if not low <= clip.duration_ms <= high:
            raise TransientEngineError(
                f"{clip.duration_ms:.0f} ms of audio is implausible for {letters} letters"
            )
        return clip

    def identity(self) -> str:
        """Client version and voice settings (not transport settings)."""
        s = self.settings
        return f"gtts {version('gTTS')} lang={s.lang} tld={s.tld} slow={s.slow} prep={PREP_VERSION}"


def _classify(exc: Exception) -> EngineError:
    rsp = getattr(exc, "rsp", None)
    status = getattr(rsp, "status_code", None)
    if status is None:
        return TransientEngineError(f"no answer from Google ({exc})")
    if status in RETRY_STATUS:
        retry_after = _retry_after(rsp)
        return TransientEngineError(f"HTTP {status} from Google", retry_after=retry_after)
    if status == 200:
        return TransientEngineError("HTTP 200 without audio")
    return EngineError(f"HTTP {status} from Google: {exc}")


def _retry_after(rsp: object) -> float | None:
    headers = getattr(rsp, "headers", None) or {}
    value = headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def check() -> tuple[bool, str]:
    """Whether gTTS is installed and Google (or the HTTPS proxy) can be reached now."""
    try:
        import gtts  # noqa: F401
    except ImportError as exc:
        return False, f"gTTS is not installed: {exc}"
    where = reachable()
    if where is None:
        return False, f"gTTS {version('gTTS')}; cannot reach translate.google.com or a proxy"
    return True, f"gTTS {version('gTTS')}; reaches {where}"


def reachable(host: str = "translate.google.com", timeout: float = 2.0) -> str | None:
    """What a TCP connection for gTTS reaches (the HTTPS proxy, or Google), or None."""
    proxy = urllib.request.getproxies().get("https")
    target = urllib.parse.urlsplit(proxy) if proxy else None
    address = (target.hostname or "", target.port or 80) if target else (host, 443)
    try:
        with socket.create_connection(address, timeout=timeout):
            return f"{'proxy ' if target else ''}{address[0]}:{address[1]}"
    except OSError:
        return None

"""The offline engine: libespeak-ng from the espeakng-loader wheel, via ctypes."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from sawt.config import EspeakSettings
from sawt.errors import EngineError
from sawt.models import TextCaps
from sawt.speech.engines.base import Clip, Policy

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1
_PITCH = 3
_WORDGAP = 7  # extra pause between words, in units of 10 ms

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Library:
    """The process-wide libespeak-ng: it is not thread-safe and keeps state, so one."""

    _instance: _Library | None = None
    _create_lock = threading.Lock()

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a dependency
            raise EngineError("espeakng-loader is not installed") from exc
        lib_path = espeakng_loader.get_library_path()
        data_path = espeakng_loader.get_data_path()
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as exc:
            raise EngineError(f"cannot load libespeak-ng ({lib_path}): {exc}") from exc
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(data_path), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise EngineError(f"espeak-ng failed to initialise (data at {data_path})")
        self.lib = lib
        self.sample_rate: int = rate
        self.version: str = (lib.espeak_Info(None) or b"?").decode()
        self.lock = threading.Lock()
        self._buffer = bytearray()
        # Keep a reference: ctypes callbacks must outlive their registration.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._buffer.extend(ctypes.string_at(wav, count * 2))
        return 0

    @classmethod
    def get(cls) -> _Library:
        with cls._create_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def speak(self, text: str, settings: EspeakSettings) -> bytes:
        with self.lock:
            lib = self.lib
            if lib.espeak_SetVoiceByName(settings.voice.encode()) != 0:
                raise EngineError(f"espeak-ng has no voice '{settings.voice}'")
            lib.espeak_SetParameter(_RATE, settings.rate, 0)
            lib.espeak_SetParameter(_PITCH, settings.pitch, 0)
            lib.espeak_SetParameter(_WORDGAP, round(settings.word_gap / 10), 0)
            data = text.encode("utf-8") + b"\0"
            self._buffer = bytearray()
            with _signals_held():
                status = lib.espeak_Synth(
                    data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
                )
            if status != 0:
                raise EngineError(f"espeak-ng failed on a piece (status {status})")
            return bytes(self._buffer)


# Signals whose Python handler (Ctrl-C, SIGTERM, a batch worker's abort) would
# otherwise run inside the audio callback.
_HELD = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name)
)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and other handled signals while libespeak-ng speaks; deliver them after.

    Python runs signal handlers between bytecodes, which during ``espeak_Synth``
    means inside the audio callback: a KeyboardInterrupt raised there cannot
    leave it ("Exception ignored on calling ctypes callback"), and the render
    goes on without that audio. So while the C call runs, a signal that has a
    Python handler is only noted; it is raised again, to that handler, as soon
    as the call returns (a piece takes milliseconds).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread runs signal handlers
        return
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, hold) for s in _HELD if callable(signal.getsignal(s))}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


class EspeakEngine:
    """Offline Arabic voice; fast (about 1,000× real time), robotic but always there."""

    name = "espeak"
    max_chars = 600  # a long sentence per call keeps espeak's own intonation
    cacheable = False  # synthesis is faster than reading a cache
    workers = 1  # libespeak-ng is not thread-safe
    policy = Policy()  # local: nothing to retry or pace
    # espeak reads digits in the nominative only and undiacritized Arabic badly;
    # it switches to English for Latin words by itself.
    caps = TextCaps(verbalize_numbers=True, diacritize=True, latin="native")

    def __init__(self, settings: EspeakSettings | None = None) -> None:
        self.settings = settings or EspeakSettings()
        self._lib = _Library.get()
        self.sample_rate = self._lib.sample_rate

    def has_voice(self, voice: str) -> bool:
        """Whether libespeak-ng knows ``voice`` (checked once, before any synthesis)."""
        with self._lib.lock:
            return bool(self._lib.lib.espeak_SetVoiceByName(voice.encode()) == 0)

    def fetch(self, text: str, timeout: float | None = None) -> bytes:
        """Speak one piece to PCM (``timeout`` is irrelevant offline)."""
        return self._lib.speak(text, self.settings)

    def decode(self, payload: bytes, text: str) -> Clip:
        """The payload already is PCM."""
        return Clip(payload, self.sample_rate)

    def identity(self) -> str:
        """Engine, library version and voice settings."""
        s = self.settings
        return f"espeak-ng {self._lib.version} voice={s.voice} rate={s.rate} pitch={s.pitch}" + (
            f" word_gap={s.word_gap}" if s.word_gap else ""
        )


def check() -> tuple[bool, str]:
    """Whether the offline engine can run here, and why not."""
    try:
        lib = _Library.get()
    except EngineError as exc:
        return False, str(exc)
    return True, f"libespeak-ng {lib.version}, {lib.sample_rate} Hz"


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


def list_voices(prefix: str = "ar") -> list[str]:
    """The voices of libespeak-ng whose language starts with ``prefix`` (as ``espeak.voice``)."""
    lib = _Library.get()
    with lib.lock:
        fn = lib.lib.espeak_ListVoices
        fn.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        fn.argtypes = [ctypes.c_void_p]
        table = fn(None)
        found: list[str] = []
        for i in range(10_000):
            entry = table[i]
            if not entry:
                break
            voice = entry.contents
            # languages: a priority byte, then the language name, NUL-terminated.
            languages = (voice.languages or b"")[1:].decode("ascii", "replace")
            if languages.startswith(prefix):
                ident = (voice.identifier or b"").decode("ascii", "replace")
                found.append(f"{languages} ({ident})")
    return found

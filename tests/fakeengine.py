"""A fast, deterministic, in-process speech engine for tests, with faults on demand.

It speaks real PCM: a tone per word (pitch from the word's hash, length from
its letters) with short gaps, so trimming, loudness, timelines and encoding
all see real audio. Faults are planned per text:

    engine = FakeEngine(faults={"أ": ["transient", "transient"]})  # fails twice, then speaks
    engine = FakeEngine(faults={"ب": ["fatal"]})                    # never retried
    engine = FakeEngine(delay=0.2)                                  # every fetch sleeps

``install`` registers it as engine "fake" (and "fake-auto", which falls back to
espeak for the whole episode, like ``auto``) for the duration of a test.
"""

from __future__ import annotations

import hashlib
import math
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sawt.config import Settings
from sawt.errors import EngineError, TransientEngineError
from sawt.models import TextCaps
from sawt.speech import engines
from sawt.speech.engines import EngineInfo
from sawt.speech.engines.base import Clip, Policy

MAGIC = b"FAKEPCM1"
RATE = 16000
FAULTS = ("transient", "fatal", "garbage", "slow")


def _tone(word: str) -> bytes:
    digest = hashlib.sha256(word.encode()).digest()
    freq = 180 + digest[0] * 2
    samples = int(RATE * (0.08 + 0.045 * len(word)))
    amp = 9000
    pcm = bytearray()
    for n in range(samples):
        env = min(1.0, n / 160, (samples - n) / 160)
        pcm += struct.pack("<h", int(amp * env * math.sin(2 * math.pi * freq * n / RATE)))
    return bytes(pcm)


def speak(text: str) -> bytes:
    """The PCM the fake engine makes for ``text``: a tone per word, 60 ms apart."""
    gap = b"\0\0" * int(RATE * 0.06)
    return gap.join(_tone(w) for w in text.split()) or gap


@dataclass
class FakeEngine:
    """Implements sawt's Engine protocol (see sawt.speech.engines.base)."""

    name: str = "fake"
    max_chars: int = 120
    sample_rate: int = RATE
    cacheable: bool = True
    workers: int = 4
    policy: Policy = field(default_factory=lambda: Policy(retries=3, backoff=0.001))
    caps: TextCaps = field(default_factory=TextCaps)
    faults: dict[str, list[str]] = field(default_factory=dict)  # text fragment → planned faults
    delay: float = 0.0
    fetches: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _fault(self, text: str) -> str | None:
        with self.lock:
            self.fetches[text] += 1
            for fragment, plan in self.faults.items():
                if fragment in text and plan:
                    return plan[0] if plan[0] == "fatal" else plan.pop(0)
        return None

    def fetch(self, text: str, timeout: float | None = None) -> bytes:
        fault = self._fault(text)
        if self.delay or fault == "slow":
            wait = self.delay or 1.0
            if timeout is not None and wait > timeout:
                time.sleep(timeout)
                raise TransientEngineError(f"timed out after {timeout:.2f} s")
            time.sleep(wait)
        if fault == "transient":
            raise TransientEngineError("503 from the fake engine", retry_after=0.001)
        if fault == "fatal":
            raise EngineError("403 from the fake engine")
        if fault == "garbage":
            return b"<html>not audio</html>"
        return MAGIC + speak(text)

    def decode(self, payload: bytes, text: str) -> Clip:
        if not payload.startswith(MAGIC) or len(payload) <= len(MAGIC):
            raise TransientEngineError("the fake engine's payload is not audio")
        return Clip(payload[len(MAGIC) :], RATE)

    def identity(self) -> str:
        return f"{self.name} 1 rate={RATE}"

    @property
    def total_fetches(self) -> int:
        return sum(self.fetches.values())


@contextmanager
def install(engine: FakeEngine) -> Iterator[FakeEngine]:
    """Register ``engine`` as "fake" and "fake-auto" (falls back to espeak) while inside."""

    def factory(_settings: Settings) -> FakeEngine:
        return engine

    added = {
        "fake": EngineInfo("fake", "test engine", factory, lambda: (True, "in-process")),
        "fake-auto": EngineInfo(
            "fake-auto", "test engine", factory, lambda: (True, "in-process"), fallback="espeak"
        ),
    }
    engines._BUILTIN.update(added)
    try:
        yield engine
    finally:
        for name in added:
            engines._BUILTIN.pop(name, None)

"""The stand-in's fault kinds and their thread-safe schedule."""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Iterable
from enum import Enum
from typing import Any


class Fault(str, Enum):
    """Kinds of misbehaviour the stand-in can inject into one WebSocket turn."""

    HTTP_403 = "403"  #: Refuse the upgrade with 403 (edge-tts retries once itself, after a
    #: clock-skew adjustment from our Date header).
    HTTP_429 = "429"  #: Refuse the upgrade with 429 Too Many Requests and ``Retry-After``.
    HTTP_503 = "503"  #: Refuse the upgrade with 503 Service Unavailable and ``Retry-After``.
    RESET = "reset"  #: TCP RST instead of an upgrade answer.
    SLOW = "slow"  #: Correct answer after :attr:`Faults.slow_ms`.
    STALL = "stall"  #: turn.start and the first word's audio, then silence for ``hang_s``.
    NO_TURN_END = "noturnend"  #: Everything but ``turn.end``; the socket stays open ``hang_s``.
    CLOSE = "close"  #: A clean WebSocket close (1011) halfway through the audio.
    DROP = "drop"  #: A TCP RST halfway through the audio.
    NO_AUDIO = "noaudio"  #: turn.start then turn.end, no audio (what an unknown voice gets).
    TRUNCATED = "truncated"  #: Every boundary event, but the audio cut to ``truncate_fraction``.
    GARBAGE = "garbage"  #: A binary frame whose header length overruns the frame.

    @classmethod
    def parse(cls, value: Fault | str | int) -> Fault:
        """Accept a :class:`Fault`, its value (``"429"``, ``"close"``) or an int status."""
        if isinstance(value, Fault):
            return value
        return cls(str(value).strip().lower())

    @property
    def at_handshake(self) -> bool:
        """Decided before the text is known (the upgrade is refused or dropped)."""
        return self in HANDSHAKE_FAULTS


HANDSHAKE_FAULTS = frozenset({Fault.HTTP_403, Fault.HTTP_429, Fault.HTTP_503, Fault.RESET})

#: Faults an overloaded service or a flaky network produce; the default pool
#: for :meth:`Faults.set_probability`. Hangs and broken streams are opt-in.
TRANSIENT_FAULTS: tuple[Fault, ...] = (Fault.HTTP_429, Fault.HTTP_503, Fault.RESET, Fault.CLOSE)


class _TextRule:
    __slots__ = ("kind", "remaining", "substring")

    def __init__(self, substring: str, kind: Fault, remaining: int | None) -> None:
        self.substring = substring
        self.kind = kind
        self.remaining = remaining


def _check_times(times: int | None) -> None:
    if times is not None and times < 1:
        raise ValueError(f"times must be >= 1 or None, got {times}")


class Faults:
    """Thread-safe fault schedule of a :class:`~tests.fakeedge.FakeEdge`.

    Each WebSocket turn draws once, at the upgrade, from:

    1. the head of the FIFO schedule (:meth:`set`, :meth:`queue`);
    2. a seeded random draw (:meth:`set_probability`).

    If that gives nothing, the turn draws again once its text is known, from
    the text rules (:meth:`set_for_text`), which therefore only take faults
    that happen after the upgrade. ``times=None`` means "until cleared".
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._schedule: collections.deque[list[Any]] = collections.deque()
        self._text_rules: list[_TextRule] = []
        self._probability = 0.0
        self._kinds: tuple[Fault, ...] = TRANSIENT_FAULTS
        self._rng = random.Random(0)
        #: Delay of a ``slow`` answer, in milliseconds.
        self.slow_ms: float = 1500.0
        #: How long ``stall`` and ``noturnend`` keep the socket silent. Waits end
        #: early when the server stops, so tests never sit them out.
        self.hang_s: float = 30.0
        #: ``Retry-After`` seconds sent with 429 and 503.
        self.retry_after_s: int = 1
        #: Share of the MP3 kept by ``truncated``.
        self.truncate_fraction: float = 0.5

    def set(self, kind: Fault | str | int, times: int | None = 1) -> None:
        """Replace the schedule: the next ``times`` turns get ``kind``."""
        fault = Fault.parse(kind)
        _check_times(times)
        with self._lock:
            self._schedule.clear()
            self._schedule.append([fault, times])

    def queue(self, kind: Fault | str | int, times: int | None = 1) -> None:
        """Append to the schedule."""
        fault = Fault.parse(kind)
        _check_times(times)
        with self._lock:
            self._schedule.append([fault, times])

    def set_for_text(self, substring: str, kind: Fault | str | int, times: int | None = 1) -> None:
        """The next ``times`` turns whose text contains ``substring`` get ``kind``."""
        fault = Fault.parse(kind)
        if fault.at_handshake:
            raise ValueError(f"{fault.value} happens before the text is known; use set()")
        _check_times(times)
        with self._lock:
            self._text_rules.append(_TextRule(substring, fault, times))

    def set_probability(
        self,
        p: float,
        kinds: Iterable[Fault | str | int] | None = None,
        seed: int | None = None,
    ) -> None:
        """Give each otherwise unscheduled turn a fault with probability ``p`` (seeded)."""
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
        """Turns still scheduled via :meth:`set`/:meth:`queue` (None: unbounded)."""
        with self._lock:
            total = 0
            for _kind, remaining in self._schedule:
                if remaining is None:
                    return None
                total += remaining
            return total

    def draw(self) -> Fault | None:
        """The fault of a new turn, decided at its upgrade (consumes it)."""
        with self._lock:
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

    def draw_for_text(self, text: str) -> Fault | None:
        """The fault of a turn that drew none at its upgrade, once its text is known."""
        with self._lock:
            for rule in self._text_rules:
                if rule.substring in text:
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._text_rules.remove(rule)
                    return rule.kind
            return None

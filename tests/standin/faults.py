"""Fault kinds and the thread-safe fault plan every stand-in draws from.

A stand-in names its own faults (a :class:`FaultKind` enum) and decides what
each one does; what is shared is the bookkeeping: a FIFO schedule, rules for
requests whose text contains a substring, and a seeded random draw.
"""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

K = TypeVar("K", bound="FaultKind")

#: Default delay of a ``slow`` answer, in milliseconds.
SLOW_MS = 1500.0
#: Default length of a hang, in seconds.
HANG_S = 30.0


class FaultKind(str, Enum):
    """Base of a stand-in's fault enum (no members of its own)."""

    @classmethod
    def parse(cls: type[K], value: K | str | int) -> K:
        """Accept a member, its value (``"429"``, ``"reset"``) or an int status."""
        if isinstance(value, cls):
            return value
        return cls(str(value).strip().lower())


@dataclass
class _Slot(Generic[K]):
    """One schedule entry or text rule: ``kind`` for ``remaining`` more requests."""

    kind: K
    remaining: int | None  # None: until cleared
    substring: str = ""  # text rules only

    def take(self) -> bool:
        """Use the slot once; True when it is used up."""
        if self.remaining is None:
            return False
        self.remaining -= 1
        return self.remaining <= 0


def check_times(times: int | None) -> None:
    """``times`` is a count of at least 1, or None for "until cleared"."""
    if times is not None and times < 1:
        raise ValueError(f"times must be >= 1 or None, got {times}")


class FaultPlan(Generic[K]):
    """Thread-safe fault schedule of a stand-in; ``times=None`` means "until cleared".

    Three sources, which a stand-in consults through :meth:`draw_scheduled`
    (the FIFO schedule of :meth:`set`/:meth:`queue`, then the seeded random
    draw of :meth:`set_probability`) and :meth:`draw_for_text` (the rules of
    :meth:`set_for_text`), or both at once through :meth:`draw_any`. The
    tuning attributes may be changed at any time.
    """

    def __init__(self, kinds: type[K], transient: tuple[K, ...], truncate_fraction: float) -> None:
        self._parse = kinds.parse
        self._transient = transient
        self._lock = threading.Lock()
        self._schedule: collections.deque[_Slot[K]] = collections.deque()
        self._text_rules: list[_Slot[K]] = []
        self._probability = 0.0
        self._kinds: tuple[K, ...] = transient
        self._rng = random.Random(0)
        #: Extra delay of a ``slow`` answer, in milliseconds.
        self.slow_ms: float = SLOW_MS
        #: How long a hanging fault keeps the socket silent. Hangs end early
        #: when the server stops, so tests never wait them out.
        self.hang_s: float = HANG_S
        #: ``Retry-After`` seconds sent with 429 and 503.
        self.retry_after_s: int = 1
        #: Share of the MP3 kept by ``truncated``.
        self.truncate_fraction: float = truncate_fraction

    def set(self, kind: K | str | int, times: int | None = 1) -> None:
        """Replace the schedule: the next ``times`` requests get ``kind``."""
        fault = self._parse(kind)
        check_times(times)
        with self._lock:
            self._schedule.clear()
            self._schedule.append(_Slot(fault, times))

    def queue(self, kind: K | str | int, times: int | None = 1) -> None:
        """Append to the schedule: after what is queued, ``times`` requests get ``kind``."""
        fault = self._parse(kind)
        check_times(times)
        with self._lock:
            self._schedule.append(_Slot(fault, times))

    def set_for_text(self, substring: str, kind: K | str | int, times: int | None = 1) -> None:
        """The next ``times`` requests whose text contains ``substring`` get ``kind``."""
        fault = self._parse(kind)
        self._check_text_fault(fault)
        check_times(times)
        with self._lock:
            self._text_rules.append(_Slot(fault, times, substring))

    def _check_text_fault(self, fault: K) -> None:
        """Raise ValueError for a fault a text rule cannot carry (all can, by default)."""

    def set_probability(
        self,
        p: float,
        kinds: Iterable[K | str | int] | None = None,
        seed: int | None = None,
    ) -> None:
        """Give each otherwise unscheduled request a fault with probability ``p``.

        The fault is drawn uniformly from ``kinds`` (default: the stand-in's
        transient faults). With a ``seed`` the sequence of outcomes is
        reproducible for requests arriving in the same order. ``p=0`` turns
        random faults off.
        """
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability must be within [0, 1], got {p}")
        pool = self._transient if kinds is None else tuple(self._parse(k) for k in kinds)
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
            self._kinds = self._transient

    def pending(self) -> int | None:
        """Requests still scheduled via :meth:`set`/:meth:`queue` (None: unbounded)."""
        with self._lock:
            total = 0
            for slot in self._schedule:
                if slot.remaining is None:
                    return None
                total += slot.remaining
            return total

    def draw_scheduled(self) -> K | None:
        """The head of the schedule, else a random draw (consumes it)."""
        with self._lock:
            return self._take_scheduled()

    def draw_for_text(self, text: str) -> K | None:
        """The first text rule whose substring occurs in ``text`` (consumes it)."""
        with self._lock:
            return self._take_text_rule(text)

    def draw_any(self, text: str) -> K | None:
        """A text rule for ``text``, else the schedule, else a random draw, in one step."""
        with self._lock:
            fault = self._take_text_rule(text)
            return fault if fault is not None else self._take_scheduled()

    def _take_text_rule(self, text: str) -> K | None:
        for rule in self._text_rules:
            if rule.substring in text:
                if rule.take():
                    self._text_rules.remove(rule)
                return rule.kind
        return None

    def _take_scheduled(self) -> K | None:
        if self._schedule:
            head = self._schedule[0]
            if head.take():
                self._schedule.popleft()
            return head.kind
        if self._probability > 0 and self._rng.random() < self._probability:
            return self._rng.choice(self._kinds)
        return None

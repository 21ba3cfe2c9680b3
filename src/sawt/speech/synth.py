"""Speak every piece: cache, bounded concurrency, rate limit, retries, deadline."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol

from sawt.errors import EngineError, EngineUnavailable, TransientEngineError
from sawt.progress import NullReporter, Reporter
from sawt.speech.cache import ClipCache
from sawt.speech.engines.base import Clip, Engine, Policy
from sawt.speech.script import Piece
from sawt.speech.trim import trim_silence
from sawt.text.tidy import first_words

HINT = (
    "wait a few minutes and run the same command again (finished pieces are cached), "
    "lower gtts.concurrency or gtts.rate_limit in podcast.yaml, or use --engine espeak"
)


class _Stopped(Exception):
    """Another piece failed; this one gives up quietly."""


@dataclass
class SynthStats:
    """What synthesis cost: requests sent, retries, pieces served from the cache."""

    requests: int = 0
    retries: int = 0
    cached: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, requests: int = 0, retries: int = 0, cached: int = 0) -> None:
        """Count thread-safely."""
        with self.lock:
            self.requests += requests
            self.retries += retries
            self.cached += cached


class RateLimiter:
    """At most ``per_second`` attempts per second, shared by all workers."""

    def __init__(self, per_second: float | None) -> None:
        self.interval = 1 / per_second if per_second else 0.0
        self.lock = threading.Lock()
        self.next_slot = 0.0

    def wait(self, stop: threading.Event) -> None:
        """Block until this caller's slot comes (or stop is set)."""
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
        if slot > now:
            stop.wait(slot - now)


class Pacer(Protocol):
    """Paces attempts: ``wait`` returns when the caller may send its next one."""

    def wait(self, stop: threading.Event) -> None:
        """Block until this caller's turn comes (or stop is set)."""


# How a process paces an engine: (engine name, attempts per second) → a Pacer.
PacerFactory = Callable[[str, "float | None"], Pacer]


def _local_pacer(_engine: str, per_second: float | None) -> Pacer:
    return RateLimiter(per_second)


_pacer_factory: PacerFactory = _local_pacer


def use_pacer(factory: PacerFactory | None) -> None:
    """Pace every synthesizer of this process with ``factory`` (None: the local limiter).

    The seam for a rate limit shared by many processes or machines (a cluster
    worker installs a Redis token bucket here).
    """
    global _pacer_factory
    _pacer_factory = factory or _local_pacer


class Synthesizer:
    """Turns a script into clips, in order, with the engine's policy.

    ``cache_always`` caches every engine's clips, even those not worth caching
    on one machine: a cluster fills the shared cache from many workers.
    """

    def __init__(
        self,
        engine: Engine,
        cache: ClipCache | None = None,
        reporter: Reporter | None = None,
        policy: Policy | None = None,
        *,
        cache_always: bool = False,
    ) -> None:
        self.engine = engine
        self.cache = cache if engine.cacheable or cache_always else None
        self.reporter = reporter or NullReporter()
        self.policy = policy or engine.policy
        self.stats = SynthStats()
        self._stop = threading.Event()
        self._limiter = _pacer_factory(engine.name, self.policy.rate_limit)
        self._deadline: float | None = None
        self._ready: dict[int, Clip] = {}
        self._identity = engine.identity()
        self._error: EngineUnavailable | None = None  # the first failure, for every worker

    def run(self, pieces: list[Piece]) -> Iterator[tuple[int, Clip, int]]:
        """Yield (index, trimmed clip, pause after) for every piece, in script order."""
        if self.policy.deadline:
            self._deadline = time.monotonic() + self.policy.deadline
        if self.policy.preflight_timeout is not None:
            self._preflight(pieces)
        if self.engine.workers <= 1:
            for p in pieces:
                yield p.index, self._get(p), p.pause_ms
            return
        yield from self._run_pool(pieces)

    def _run_pool(self, pieces: list[Piece]) -> Iterator[tuple[int, Clip, int]]:
        # A sliding window keeps only a few decoded clips in memory at once.
        window: deque[tuple[Piece, Future[Clip]]] = deque()
        ahead = self.engine.workers * 4
        pool = ThreadPoolExecutor(self.engine.workers, thread_name_prefix="sawt-synth")
        try:
            for p in pieces:
                window.append((p, pool.submit(self._get, p)))
                if len(window) >= ahead:
                    yield self._result(*window.popleft())
            while window:
                yield self._result(*window.popleft())
        finally:
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def _result(self, piece: Piece, fut: Future[Clip]) -> tuple[int, Clip, int]:
        try:
            return piece.index, fut.result(), piece.pause_ms
        except _Stopped:
            # This piece gave up because another failed: report that failure.
            raise (self._error or EngineUnavailable("synthesis was stopped")) from None

    def probe(self, pieces: list[Piece]) -> None:
        """Only the quick first request ``run`` starts with (EngineUnavailable if it fails).

        A batch probes once for all its articles; the clip it gets is cached.
        """
        self._preflight(pieces)

    def _preflight(self, pieces: list[Piece]) -> None:
        """Try the first piece that is not cached alone, fast: is the engine there at all?"""
        first = next((p for p in pieces if not self._cached(p)), None)
        if first is None:
            return
        quick = replace(
            self.policy, retries=min(1, self.policy.retries), timeout=self.policy.preflight_timeout
        )
        self._ready[first.index] = self._get(first, quick)

    def _cached(self, piece: Piece) -> bool:
        return self.cache is not None and (
            self.cache.get(self.cache.key(self._identity, piece.spoken)) is not None
        )

    def _get(self, piece: Piece, policy: Policy | None = None) -> Clip:
        """One piece: from memory, the cache, or the engine with retries."""
        if piece.index in self._ready:
            return self._ready.pop(piece.index)
        key = self.cache.key(self._identity, piece.spoken) if self.cache else None
        if self.cache and key:
            payload = self.cache.get(key)
            if payload is not None:
                try:
                    clip = self.engine.decode(payload, piece.spoken)
                except TransientEngineError:
                    self.cache.discard(key)
                else:
                    self.stats.add(cached=1)
                    return trim_silence(clip)
        payload, clip = self._attempts(piece, policy or self.policy)
        if self.cache and key:
            self.cache.put(key, payload)
        return trim_silence(clip)

    def _attempts(self, piece: Piece, policy: Policy) -> tuple[bytes, Clip]:
        last: EngineError | None = None
        for attempt in range(policy.retries + 1):
            if self._stop.is_set():
                raise _Stopped
            timeout = self._timeout(piece, policy)
            self._limiter.wait(self._stop)
            try:
                self.stats.add(requests=1)
                payload = self.engine.fetch(piece.spoken, timeout=timeout)
                return payload, self.engine.decode(payload, piece.spoken)
            except TransientEngineError as exc:
                last = exc
            except EngineError as exc:
                raise self._failure(piece, exc, attempt + 1) from exc
            if attempt < policy.retries:
                self.stats.add(retries=1)
                self.reporter.retried(f"piece {piece.index}: {last.message}")
                if self._stop.wait(self._delay(policy, attempt, last)):
                    raise _Stopped
        raise self._failure(piece, last or EngineError("no attempt made"), policy.retries + 1)

    def _timeout(self, piece: Piece, policy: Policy) -> float | None:
        if self._deadline is None:
            return policy.timeout
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._fail(
                EngineUnavailable(
                    f"the episode's deadline ({self.policy.deadline:.0f} s) passed "
                    f"at piece {piece.index} (“{first_words(piece.original)}”)",
                    hint=HINT,
                )
            )
        return min(policy.timeout, remaining) if policy.timeout else remaining

    @staticmethod
    def _delay(policy: Policy, attempt: int, error: EngineError) -> float:
        base = min(policy.backoff_max, policy.backoff * 2**attempt)
        delay = random.uniform(base / 2, base)  # jitter spreads retries of parallel workers
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            delay = max(delay, min(retry_after, policy.backoff_max))
        return delay

    def _failure(self, piece: Piece, error: EngineError, attempts: int) -> EngineUnavailable:
        return self._fail(
            EngineUnavailable(
                f"{self.engine.name} failed on piece {piece.index} "
                f"(“{first_words(piece.original)}”) after {attempts} attempt"
                f"{'s' if attempts != 1 else ''}: {error.message}",
                hint=HINT,
            )
        )

    def _fail(self, error: EngineUnavailable) -> EngineUnavailable:
        """Record the first failure and stop every other worker."""
        with self.stats.lock:
            if self._error is None:
                self._error = error
        self._stop.set()
        return self._error

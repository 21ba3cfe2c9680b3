"""The Engine protocol: what sawt needs from a speech engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sawt.models import TextCaps


@dataclass(frozen=True)
class WordMark:
    """Where one spoken word sits in a clip, in milliseconds from the clip's start."""

    text: str
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit little-endian PCM audio of one piece (and its word timing, if known)."""

    pcm: bytes
    sample_rate: int
    words: tuple[WordMark, ...] = ()  # empty: the engine does not say when words are spoken

    @property
    def duration_ms(self) -> float:
        """Length of the clip in milliseconds."""
        return len(self.pcm) / 2 / self.sample_rate * 1000


@runtime_checkable
class Engine(Protocol):
    """A speech engine: turns one piece of text into audio.

    Synthesis is split in two so that sawt can cache and retry what crosses
    the network: ``fetch`` makes the engine's own payload (MP3 bytes, PCM…)
    in one attempt, ``decode`` validates it and turns it into a Clip.
    Retryable failures raise TransientEngineError; others EngineError.
    """

    name: str
    max_chars: int  # longest piece the engine takes in one call
    sample_rate: int  # every clip it returns has this rate
    cacheable: bool  # worth caching: slow or rate-limited engines
    workers: int  # pieces it may fetch at once, in threads (1: not thread-safe)
    policy: Policy  # retries, pacing and time limits
    caps: TextCaps  # how the front end prepares text for this engine

    def fetch(self, text: str, timeout: float | None = None) -> bytes:
        """One attempt at speaking ``text``; returns the engine's payload."""
        ...

    def decode(self, payload: bytes, text: str) -> Clip:
        """Validate a payload for ``text`` and decode it to PCM."""
        ...

    def identity(self) -> str:
        """Engine, version and voice settings: what makes its audio what it is."""
        ...


@dataclass(frozen=True)
class Policy:
    """How to call an engine: retries, pacing and time limits (none for local engines)."""

    retries: int = 0
    backoff: float = 0.5  # first retry delay, seconds; doubles each time, with jitter
    backoff_max: float = 20.0
    timeout: float | None = None  # per attempt
    deadline: float | None = None  # for all attempts of an episode
    rate_limit: float | None = None  # attempts per second, across all workers
    preflight_timeout: float | None = None  # with a fallback: probe fast before committing

    @classmethod
    def for_network(cls, s: Transport) -> Policy:
        """The policy of a network engine from its section's transport settings."""
        return cls(
            retries=s.retries,
            backoff=s.backoff,
            backoff_max=s.backoff_max,
            timeout=s.timeout,
            deadline=s.deadline,
            rate_limit=s.rate_limit,
        )


class Transport(Protocol):
    """The transport settings every network engine's section has (gtts:, edge:)."""

    @property
    def retries(self) -> int: ...
    @property
    def backoff(self) -> float: ...
    @property
    def backoff_max(self) -> float: ...
    @property
    def timeout(self) -> float: ...
    @property
    def deadline(self) -> float: ...
    @property
    def rate_limit(self) -> float: ...

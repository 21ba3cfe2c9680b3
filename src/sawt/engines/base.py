"""The Engine protocol: what sawt needs from a speech engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit little-endian PCM audio of one piece."""

    pcm: bytes
    sample_rate: int

    @property
    def duration_ms(self) -> float:
        """Length of the clip in milliseconds."""
        return len(self.pcm) / 2 / self.sample_rate * 1000


LatinMode = Literal["native", "ssml", "letters"]


@dataclass(frozen=True)
class TextCaps:
    """What an engine needs done to text before it hears it (the Arabic front end obeys).

    The defaults suit an engine that reads digits and Latin words well itself.
    """

    verbalize_numbers: bool = False  # spell numbers, dates, money out in Arabic words
    diacritize: bool = False  # add vowel marks where the plain reading goes wrong
    # Latin words: "native" as they are (the engine switches language itself),
    # "ssml" inside <voice xml:lang="en">, "letters" spelled out in Arabic letter names.
    latin: LatinMode = "native"


@runtime_checkable
class Engine(Protocol):
    """A speech engine: turns one piece of text into audio."""

    name: str
    max_chars: int  # longest piece the engine takes in one call
    sample_rate: int  # every clip it returns has this rate
    caps: TextCaps  # how the front end prepares text for this engine

    def synthesize(self, text: str) -> Clip:
        """Speak ``text`` (at most ``max_chars`` characters) and return its audio."""
        ...

    def identity(self) -> str:
        """Engine, version and voice settings: what makes its audio what it is."""
        ...

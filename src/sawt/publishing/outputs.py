"""The output registry: every file derived from the episode records, declared once.

``publish`` builds them, ``remove`` deletes an episode's, ``serve`` sends them
with their media type (and CORS where players fetch them from other origins),
and ``check`` looks for them on disk. Adding an output is one ``register`` call
(``sawt.publishing.builtin`` registers the built-in ones when the package loads).

Paths are relative to ``episodes/`` and may sit in subfolders; an episode's
output has ``{slug}`` in its pattern, a show-wide one (the feed) has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sawt.config import Settings
from sawt.models import EpisodeRecord

SLUG = "{slug}"
_SLUG_RE = "(?P<slug>[a-z0-9_-]+)"


@dataclass(frozen=True)
class Show:
    """What a show-wide output is built from: settings and every publishable record."""

    settings: Settings
    records: Sequence[EpisodeRecord]  # newest first
    cover: str | None  # the artwork's name in episodes/, if published


EpisodeBuilder = Callable[[Show, EpisodeRecord], "str | bytes"]
ShowBuilder = Callable[[Show], "str | bytes"]


@dataclass(frozen=True)
class Output:
    """One kind of derived file."""

    name: str  # short key, e.g. "vtt"
    pattern: str  # path under episodes/, e.g. "{slug}.vtt" or "feed.xml"
    media_type: str  # Content-Type when served
    cors: bool = False  # serve with Access-Control-Allow-Origin: *
    episode: EpisodeBuilder | None = None  # for "{slug}" patterns
    show: ShowBuilder | None = None  # for show-wide files
    last: bool = False  # written after every other output (the feed names them)

    def __post_init__(self) -> None:
        per_episode = SLUG in self.pattern
        if per_episode != (self.episode is not None) or per_episode == (self.show is not None):
            raise ValueError(
                f"output {self.name}: a '{{slug}}' pattern needs an episode builder, "
                "a show-wide one a show builder"
            )
        if self.pattern.startswith("/") or ".." in Path(self.pattern).parts:
            raise ValueError(f"output {self.name}: pattern must stay inside episodes/")

    @property
    def per_episode(self) -> bool:
        """Whether there is one such file per episode."""
        return self.episode is not None

    def relpath(self, slug: str | None = None) -> str:
        """The path under episodes/ (for an episode output, of that slug's file)."""
        if self.per_episode:
            if slug is None:
                raise ValueError(f"output {self.name} needs a slug")
            return self.pattern.replace(SLUG, slug)
        return self.pattern

    def path(self, episodes: Path, slug: str | None = None) -> Path:
        """The file on disk."""
        return episodes / self.relpath(slug)

    def matches(self, relpath: str) -> bool:
        """Whether a path under episodes/ is this output's name shape."""
        return self._regex().fullmatch(relpath) is not None

    def slug_of(self, relpath: str) -> str | None:
        """The slug a path of this output belongs to (None: not this output's shape)."""
        m = self._regex().fullmatch(relpath)
        return m.group("slug") if m and self.per_episode else None

    def _regex(self) -> re.Pattern[str]:
        parts = [re.escape(p) for p in self.pattern.split(SLUG)]
        return re.compile(_SLUG_RE.join(parts))


_REGISTRY: dict[str, Output] = {}


def register(output: Output) -> Output:
    """Add an output (or replace the one of the same name); returns it."""
    _REGISTRY[output.name] = output
    return output


def unregister(name: str) -> None:
    """Remove an output (tests and plugins that undo what they added)."""
    _REGISTRY.pop(name, None)


def outputs() -> list[Output]:
    """Every registered output, in the order they are written (``last`` ones at the end)."""
    return sorted(_REGISTRY.values(), key=lambda o: o.last)


def get(name: str) -> Output:
    """One registered output by name."""
    for output in outputs():
        if output.name == name:
            return output
    raise KeyError(name)


def for_path(relpath: str) -> Output | None:
    """The output a path under episodes/ belongs to, if any (longest pattern wins)."""
    found = [o for o in outputs() if o.matches(relpath)]
    return max(found, key=lambda o: len(o.pattern)) if found else None

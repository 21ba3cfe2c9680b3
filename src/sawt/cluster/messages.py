"""What travels through the broker and what Redis keeps about a batch (JSON, typed)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from sawt.batch import Outcome
from sawt.config import Settings
from sawt.models import LexiconEntry


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenderJob(_Message):
    """Render one article of a batch (the task id comes from the article's fingerprint)."""

    batch: str
    task_id: str
    path: str  # absolute: every worker sees the shared folder at the same path
    engine: str
    force: bool
    show: str  # which show the batch is for (see show_id)
    queue: str
    total: int  # articles in the batch
    publish: bool  # rebuild the outputs once the batch is done
    # A source's own entries, before the show's lexicon (`sawt update`'s per-source lexicon).
    lexicon: tuple[LexiconEntry, ...] = ()
    # The episode's publication date (ISO 8601), set on its record once rendered: a new
    # article from a feed is dated by its pubDate, not by when it was rendered.
    pub_date: str | None = None


class SynthJob(_Message):
    """Fill the shared clip cache with a range of a long article's pieces."""

    render: RenderJob
    token: str  # the article's claim, handed over for the fan-out
    part: int
    parts: int
    first: int  # index of the first piece
    texts: tuple[str, ...]  # the spoken form of each piece of the range


class AssembleJob(_Message):
    """Encode, tag and record a fanned-out article from the shared clip cache."""

    render: RenderJob
    token: str


class PublishJob(_Message):
    """Rebuild the feed and every output once, when a batch is done."""

    batch: str
    show: str
    queue: str


Status = Literal["rendered", "skipped", "failed"]


class OutcomeRecord(_Message):
    """One article's end, as a batch keeps it."""

    path: str
    status: Status
    slug: str | None = None
    mp3: str | None = None
    duration_ms: int = 0
    engine: str | None = None
    error: str | None = None
    messages: tuple[str, ...] = ()
    worker: str = ""

    @classmethod
    def of(cls, outcome: Outcome, worker: str) -> OutcomeRecord:
        """From a local batch Outcome."""
        return cls(
            path=str(outcome.path),
            status=outcome.status,
            slug=outcome.slug,
            mp3=str(outcome.mp3) if outcome.mp3 else None,
            duration_ms=outcome.duration_ms,
            engine=outcome.engine,
            error=outcome.error,
            messages=tuple(outcome.messages),
            worker=worker,
        )

    def outcome(self) -> Outcome:
        """As a local batch Outcome (the CLI prints both the same way)."""
        return Outcome(
            Path(self.path),
            self.status,
            self.slug,
            Path(self.mp3) if self.mp3 else None,
            self.duration_ms,
            self.engine,
            self.error,
            list(self.messages),
        )


class Article(_Message):
    """One article of a batch: where it is and its task."""

    path: str
    task_id: str


class BatchMeta(_Message):
    """What a batch is: its articles, and whether to publish at the end."""

    id: str
    created: str
    show: str
    queue: str
    engine: str
    force: bool
    publish: bool
    articles: tuple[Article, ...]


class PublishRecord(_Message):
    """What the one rebuild at the end of a batch did (or why it failed)."""

    feed: str = ""
    episodes: int = 0
    notes: tuple[str, ...] = ()
    error: str | None = None
    worker: str = ""


def with_lexicon(settings: Settings, lexicon: tuple[LexiconEntry, ...]) -> Settings:
    """The settings an article renders with when its job brings lexicon entries of its own."""
    if not lexicon:
        return settings
    return settings.model_copy(update={"lexicon": (*lexicon, *settings.lexicon)})


def show_id(settings: Settings) -> str:
    """Which show a batch renders for: its settings and its episodes folder.

    A worker started for another podcast.yaml refuses the job instead of
    rendering it into the wrong folder.
    """
    digest = hashlib.sha256(settings.model_dump_json(exclude={"root", "cluster"}).encode())
    digest.update(f"\0{settings.episodes_path()}".encode())
    return digest.hexdigest()[:16]


def render_task_id(fingerprint: str, path: Path) -> str:
    """The task id of an article: its fingerprint (bytes, settings, engine, sawt) and its
    path, so the same article enqueued twice is the same task, never a second episode."""
    digest = hashlib.sha256(f"{fingerprint}\0{path}".encode()).hexdigest()
    return f"sawt-render-{digest[:40]}"

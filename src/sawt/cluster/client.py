"""The enqueuing side: send a batch, follow it, report it like a local batch."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sawt.batch import Outcome
from sawt.cluster import require
from sawt.cluster.app import broker_url, make_app
from sawt.cluster.messages import (
    Article,
    BatchMeta,
    OutcomeRecord,
    PublishRecord,
    RenderJob,
    render_task_id,
    show_id,
    with_lexicon,
)
from sawt.cluster.store import ClusterError, Store, connect
from sawt.config import Settings
from sawt.models import LexiconEntry
from sawt.pipeline import fingerprint


@dataclass(frozen=True)
class ArticleSpec:
    """One article to enqueue, with what it does not share with the rest of its batch."""

    path: Path
    engine: str | None = None  # None: the batch's engine
    lexicon: tuple[LexiconEntry, ...] = ()  # entries before the show's lexicon
    pub_date: str | None = None  # ISO 8601: the date its record gets once rendered


@dataclass(frozen=True)
class BatchView:
    """A batch as Redis knows it now."""

    meta: BatchMeta
    outcomes: dict[str, OutcomeRecord]
    published: PublishRecord | None
    workers: frozenset[str]

    @property
    def done(self) -> int:
        """Articles with an outcome."""
        return len(self.outcomes)

    @property
    def finished(self) -> bool:
        """Every article has an outcome, and the outputs were rebuilt if asked."""
        complete = self.done >= len(self.meta.articles)
        return complete and (not self.meta.publish or self.published is not None)

    def ordered(self) -> list[Outcome]:
        """Outcomes in the order the articles were given (those without one left out)."""
        return [
            self.outcomes[a.task_id].outcome()
            for a in self.meta.articles
            if a.task_id in self.outcomes
        ]


class Cluster:
    """A show's cluster as seen by the one who enqueues."""

    def __init__(self, settings: Settings) -> None:
        require()
        self.settings = settings
        self.store = Store(connect(broker_url(settings)))
        self.store.ping()
        self.app = make_app(settings)

    def enqueue(
        self, paths: list[Path], engine: str, *, force: bool = False, publish: bool = True
    ) -> BatchMeta:
        """Send one task per article; returns the batch (its id is for `sawt status`)."""
        meta, jobs = self.prepare([ArticleSpec(p) for p in paths], engine, force, publish)
        self.send(meta, jobs)
        return meta

    def prepare(
        self, specs: Sequence[ArticleSpec], engine: str, force: bool = False, publish: bool = True
    ) -> tuple[BatchMeta, list[RenderJob]]:
        """A new batch and its tasks, not sent yet (their ids are known: see ``send``)."""
        settings = self.settings
        batch = uuid.uuid4().hex[:12]
        queue = settings.cluster.queue
        show = show_id(settings)
        articles: list[Article] = []
        jobs: list[RenderJob] = []
        for spec in specs:
            absolute = spec.path.resolve()
            name = spec.engine or engine
            stamp = fingerprint(absolute, with_lexicon(settings, spec.lexicon), name)
            task_id = render_task_id(stamp, absolute)
            articles.append(Article(path=str(absolute), task_id=task_id))
            jobs.append(
                RenderJob(
                    batch=batch,
                    task_id=task_id,
                    path=str(absolute),
                    engine=name,
                    force=force,
                    show=show,
                    queue=queue,
                    total=len(specs),
                    publish=publish,
                    lexicon=spec.lexicon,
                    pub_date=spec.pub_date,
                )
            )
        meta = BatchMeta(
            id=batch,
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            show=show,
            queue=queue,
            engine=engine,
            force=force,
            publish=publish,
            articles=tuple(articles),
        )
        return meta, jobs

    def send(self, meta: BatchMeta, jobs: Sequence[RenderJob]) -> None:
        """Store the batch, then send its tasks (sending one again is harmless: same id)."""
        self.store.create_batch(meta)
        for job in jobs:
            self.app.send_task(
                "sawt.render",
                args=[job.model_dump(mode="json")],
                task_id=job.task_id,
                queue=meta.queue,
            )

    def close(self) -> None:
        """Let go of the broker's connections (a long-running caller makes a Cluster per use)."""
        self.app.close()
        self.store.client.close()

    def view(self, batch: str) -> BatchView:
        """The batch now; ClusterError if Redis has no such batch."""
        meta = self.store.batch(batch)
        if meta is None:
            raise ClusterError(
                f"no batch '{batch}' on this broker",
                hint="batches are kept for 7 days; check cluster.broker / SAWT_BROKER",
            )
        return BatchView(
            meta,
            self.store.outcomes(batch),
            self.store.published(batch),
            frozenset(self.store.workers(batch)),
        )

    def watch(
        self,
        batch: str,
        on_outcome: Callable[[OutcomeRecord], None] | None = None,
        on_poll: Callable[[BatchView], None] | None = None,
        poll_s: float = 0.2,
    ) -> BatchView:
        """Follow a batch until it is finished; report each outcome as it lands."""
        seen: set[str] = set()
        while True:
            view = self.view(batch)
            for task_id, record in view.outcomes.items():
                if task_id not in seen:
                    seen.add(task_id)
                    if on_outcome:
                        on_outcome(record)
            if on_poll:
                on_poll(view)
            if view.finished:
                return view
            time.sleep(poll_s)

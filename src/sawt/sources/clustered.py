"""`sawt update --cluster`: a pass whose renders are one batch on the cluster.

The pass reads the feeds and judges the pages as a local pass does; then,
instead of the local process pool:

1. the new and changed pages are saved as copies under ``episodes/.sources/``
   (a dot folder: never served; every worker sees it on the shared folder);
2. each article is marked ``queued`` in ``episodes/sources.json`` with its
   batch and task id (saved *before* the tasks go out), then the whole lot is
   sent as one batch (``sawt.cluster.client``: task ids from the article's
   fingerprint, so a task sent twice is a duplicate the cluster skips). A
   source's ``engine`` and ``lexicon`` travel in its tasks, and so does a new
   article's first pubDate, which the worker puts on the record before the
   outcome is in;
3. it follows the batch (or returns at once with ``--no-wait``), mapping each
   outcome back to the article's state as it lands: rendered or unchanged →
   ``done`` (slug, GUID and first pubDate kept), failed → ``failed``, retried
   by the next pass. The feed is rebuilt once, by the worker that records the
   batch's last outcome; episodes that aged out are removed before the batch
   is sent, so that one rebuild covers them too.

Every pass starts by collecting: the outcomes of batches sent by earlier passes
(``--no-wait``, or a pass that was stopped or killed while following) are
mapped the same way; articles still rendering stay ``queued`` and keep their
page copies; a batch the broker no longer knows gives its articles back to be
checked again. A pass killed while sending leaves its articles marked as not
sent; the next pass checks them again, and whatever had gone out is skipped by
the cluster as unchanged (no duplicate episodes).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sawt.config import Settings
from sawt.errors import ConfigError
from sawt.read.fetch import Fetcher
from sawt.sources.state import Queued, now_iso
from sawt.sources.update import Pass, Planned, Summary, _parse_time

if TYPE_CHECKING:
    from sawt.cluster.client import BatchView, Cluster
    from sawt.cluster.messages import BatchMeta, OutcomeRecord, RenderJob

POLL_S = 0.2  # how often a following pass asks Redis about its batch


def update_pass(
    settings: Settings,
    *,
    cluster: bool = False,
    wait: bool = True,
    engine: str | None = None,
    dry_run: bool = False,
    prune_missing: bool = False,
    jobs: int | None = None,
    stop: threading.Event | None = None,
    say: Callable[[str], None] | None = None,
) -> Pass:
    """A `sawt update` pass: local (a process pool of ``jobs``), or on the cluster."""
    if not cluster:
        if not wait:
            raise ConfigError("--no-wait goes with --cluster")
        return Pass(
            settings,
            engine=engine,
            dry_run=dry_run,
            prune_missing=prune_missing,
            jobs=jobs,
            stop=stop,
            say=say,
        )
    return ClusterPass(
        settings,
        wait=wait,
        engine=engine,
        dry_run=dry_run,
        prune_missing=prune_missing,
        stop=stop,
        say=say,
    )


class ClusterPass(Pass):
    """An update pass that renders on the cluster (see the module's docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        wait: bool = True,
        engine: str | None = None,
        dry_run: bool = False,
        prune_missing: bool = False,
        stop: threading.Event | None = None,
        say: Callable[[str], None] | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        super().__init__(
            settings,
            engine=engine,
            dry_run=dry_run,
            prune_missing=prune_missing,
            stop=stop,
            say=say,
            fetcher=fetcher,
        )
        self.wait = wait
        self._cluster: Cluster | None = None

    @property
    def cluster(self) -> Cluster:
        """The show's cluster (connected, and the broker answered)."""
        if self._cluster is None:
            from sawt.cluster import require

            require()  # without the extra: one line saying what to install
            from sawt.cluster.client import Cluster

            self._cluster = Cluster(self.settings)
        return self._cluster

    def run(self) -> Summary:
        """Connect first (a missing extra or broker fails before any request), then pass."""
        if not self.dry_run:
            _ = self.cluster
        try:
            return super().run()
        finally:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None

    # ------------------------------------------------------------ collect

    def _collect(self) -> None:
        if self.dry_run:
            super()._collect()  # change nothing: only say what waits
            return
        self._release_unsent()
        waiting: dict[str, list[str]] = {}
        for key, article in self.state.articles.items():
            if article.status == "queued" and article.queued is not None:
                waiting.setdefault(article.queued.batch, []).append(key)
        for batch, keys in waiting.items():
            view = self._view(batch)
            if view is None:
                self._give_back(keys)
                self.summary.notes.append(
                    f"batch {batch} is no longer on the broker; "
                    f"its {len(keys)} articles are checked again"
                )
                continue
            still = self._take(view, keys)
            if still:
                self.summary.queued[batch] = len(still)
        self._save()

    def _view(self, batch: str) -> BatchView | None:
        """The batch now; None if the broker does not know it (expired, or Redis emptied)."""
        from sawt.cluster.store import ClusterError

        with _broker_errors(f"asking about batch {batch}"):
            try:
                return self.cluster.view(batch)
            except ClusterError:
                return None

    def _take(self, view: BatchView, keys: Sequence[str]) -> list[str]:
        """Map the outcomes that landed; return the keys still waiting."""
        still: list[str] = []
        for key in keys:
            queued = self.state.articles[key].queued
            if queued is None:
                continue
            record = view.outcomes.get(queued.task_id)
            if record is not None:
                self._landed(key, queued, record)
            elif view.done >= len(view.meta.articles):
                self._give_back([key])  # complete without it: never wait for it forever
            else:
                still.append(key)
        if not still and view.finished and view.published is not None:
            published = view.published
            self.summary.notes += published.notes
            if published.error:
                self.summary.failed.append(f"the feed was not rebuilt: {published.error}")
            else:
                self.summary.published = True
        return still

    def _landed(self, key: str, queued: Queued, record: OutcomeRecord) -> None:
        article = self.state.articles[key]
        slug = article.slug or ""
        if record.status in ("rendered", "skipped"):
            article.status, article.error = "done", None
            article.fingerprint = queued.fingerprint
            article.etag, article.last_modified = queued.etag, queued.last_modified
            article.rendered_at = now_iso()
            (self.summary.new if queued.kind == "new" else self.summary.changed).append(slug)
            self.say(f"{queued.kind}: {slug} ({queued.title}) on {record.worker}")
        else:
            article.status, article.error = "failed", record.error
            self.summary.failed.append(f"{article.url}: {record.error}")
        for message in record.messages:
            self.say(f"{slug}: {message}")
        article.queued = None
        with contextlib.suppress(FileNotFoundError):
            Path(queued.page).unlink()
        self._save()

    def _give_back(self, keys: Sequence[str]) -> None:
        """Articles to check again on this pass or the next (their copies are swept)."""
        for key in keys:
            article = self.state.articles[key]
            article.status, article.queued = "pending", None

    # ------------------------------------------------------------ render

    def _render(self, planned: list[Planned], work: Path) -> bool:
        from sawt.cluster.client import ArticleSpec
        from sawt.read.pages import save_copy

        # Aged-out episodes go first, so the batch's one rebuild covers their removal.
        self._expire()
        planned = [p for p in planned if self.state.articles[p.key].status == "pending"]
        if not planned:
            return False
        specs: list[ArticleSpec] = []
        for plan in planned:
            when = _parse_time(self.state.articles[plan.key].pub_date)
            specs.append(
                ArticleSpec(
                    save_copy(plan.page, work, plan.slug),
                    engine=plan.source.engine or self.engine,
                    lexicon=plan.source.lexicon,
                    pub_date=when.isoformat(timespec="seconds")
                    if when is not None and plan.kind == "new"
                    else None,
                )
            )
        engine = self.engine or self.settings.engine
        meta, jobs = self.cluster.prepare(specs, engine, publish=True)
        for plan, entry in zip(planned, meta.articles, strict=True):
            article = self.state.articles[plan.key]
            article.status = "queued"
            article.queued = Queued(
                batch=meta.id,
                task_id=entry.task_id,
                page=entry.path,
                kind=plan.kind,
                title=plan.page.article.title,
                fingerprint=plan.page.fingerprint,
                etag=plan.page.etag,
                last_modified=plan.page.last_modified,
            )
        self._save()  # before the tasks go out: a pass killed while sending is undone
        self._send(meta, jobs)
        for plan in planned:
            queued = self.state.articles[plan.key].queued
            if queued is not None:
                queued.sent = True
        self._save()
        self.summary.batch = meta.id
        count = f"{len(planned)} article{'s' if len(planned) > 1 else ''}"
        self.say(f"batch {meta.id}: {count} queued on {meta.queue}")
        keys = [p.key for p in planned]
        still = self._follow(meta.id, keys) if self.wait else keys
        if still:
            self.summary.queued[meta.id] = len(still)
        return False

    def _send(self, meta: BatchMeta, jobs: Sequence[RenderJob]) -> None:
        with _broker_errors(f"sending batch {meta.id}"):
            self.cluster.send(meta, jobs)

    def _follow(self, batch: str, keys: list[str]) -> list[str]:
        """Map outcomes as they land until the batch is done (or the pass is stopped)."""
        while True:
            view = self._view(batch)
            if view is None:
                self._give_back(keys)
                self.summary.failed.append(f"batch {batch} vanished from the broker")
                return []
            keys = self._take(view, keys)
            if view.finished:
                return keys
            if self.stop.wait(POLL_S):
                self.summary.stopped = True  # the batch goes on; the next pass collects it
                return keys


@contextlib.contextmanager
def _broker_errors(doing: str) -> Iterator[None]:
    """Redis or the broker failing mid-pass: one ClusterError instead of a traceback."""
    import kombu.exceptions
    import redis

    from sawt.cluster.store import ClusterError

    try:
        yield
    except (redis.RedisError, kombu.exceptions.OperationalError) as exc:
        raise ClusterError(
            f"lost the broker while {doing}: {exc}",
            hint="the articles stay queued; the next `sawt update --cluster` picks them up",
        ) from exc

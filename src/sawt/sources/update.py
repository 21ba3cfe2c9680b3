"""`sawt update`: one pass over every source in podcast.yaml.

1. Fetch each feed with conditional GET (a 304 costs one request and nothing else).
2. Note its items in the state: new ones ``pending``; known ones re-checked.
3. Fetch the pending pages (conditional again), read them like saved pages,
   and compare by canonical URL, then by a fingerprint of the extracted text:
   a page that was only re-dated is unchanged.
4. Render the new and changed ones as one batch (the parallel batch, sharing
   gTTS's limits); each article's state is saved as soon as it is done.
5. Remove episodes that aged out (``expire_days``) or whose page is gone
   (``--prune-missing``), then rebuild the feed once.

The state (``episodes/sources.json``) is written after every step, so a pass
killed at any point is completed by the next one, without duplicates: slugs are
fixed before rendering, and a render whose episode is already on disk is skipped.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sawt.config import Settings
from sawt.config.sources import Source
from sawt.errors import ConfigError, InputError, SawtError
from sawt.models import RecordError
from sawt.publishing.catalog import (
    catalog_lock,
    episode_paths,
    read_record,
    remove_episode,
    write_record,
)
from sawt.read.fetch import FEED_TYPES, Fetcher, FetchError, check_scheme, user_agent
from sawt.read.newsfeed import FeedItem, parse_feed
from sawt.sources.state import ArticleState, FeedState, State, load_state, now_iso, save_state
from sawt.text.normalize import Boilerplate
from sawt.text.slugs import slug_from_url

if TYPE_CHECKING:
    from sawt.read.pages import Page

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

WORK_DIR = ".sources"  # page copies being rendered; swept every pass (but the queued ones)
LOCK_NAME = ".sources.lock"
PAGE_THREADS = 8  # pages fetched at once over all hosts (each host: fetch.per_host)

Kind = Literal["new", "changed"]


class BusyError(SawtError):
    """Another `sawt update` is running on the same episodes folder."""

    exit_code = 1


@dataclass(frozen=True)
class Planned:
    """An article to render."""

    key: str
    kind: Kind
    page: Page
    source: Source
    slug: str


@dataclass
class Summary:
    """What a pass did; ``exit_code`` is 0 when nothing failed, else 1."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    requests: int = 0
    stopped: bool = False
    published: bool = False
    batch: str | None = None  # the cluster batch this pass sent (`sawt update --cluster`)
    queued: dict[str, int] = field(default_factory=dict)  # batch → articles still waiting

    @property
    def exit_code(self) -> int:
        """0 all good, 1 some failed."""
        return 1 if self.failed else 0

    def line(self) -> str:
        """The one-line summary."""
        waiting = "".join(f", {n} queued in batch {b}" for b, n in self.queued.items())
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, {self.unchanged} unchanged, "
            f"{len(self.failed)} failed, {len(self.removed)} removed{waiting}"
        )


@contextlib.contextmanager
def update_lock(episodes: Path) -> Iterator[None]:
    """Only one pass at a time per episodes folder (fails at once if another runs)."""
    episodes.mkdir(parents=True, exist_ok=True)
    with open(episodes / LOCK_NAME, "a+b") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise BusyError(
                    "another `sawt update` is running on this episodes folder",
                    path=episodes,
                    hint="this pass was skipped; the running one does the work",
                ) from exc
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def source_settings(settings: Settings, source: Source) -> Settings:
    """The settings a source's articles render with: its lexicon entries come first."""
    if not source.lexicon:
        return settings
    return settings.model_copy(update={"lexicon": (*source.lexicon, *settings.lexicon)})


def _iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") if when is not None else None


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class Pass:
    """One update pass; ``run`` does it all, each step saving the state."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: str | None = None,
        dry_run: bool = False,
        prune_missing: bool = False,
        jobs: int | None = None,
        stop: threading.Event | None = None,
        say: Callable[[str], None] | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        if not settings.sources:
            raise ConfigError(
                "no sources to follow",
                path=settings.root / "podcast.yaml",
                hint="add a `sources:` list of feed URLs to podcast.yaml (see the README)",
            )
        self.settings = settings
        self.engine = engine
        self.dry_run = dry_run
        self.prune_missing = prune_missing
        self.jobs = jobs
        self.stop = stop or threading.Event()
        self.say = say or (lambda _m: None)
        self.episodes = settings.episodes_path()
        self.boilerplate = Boilerplate.build(settings.boilerplate)
        self.summary = Summary()
        self.state = State()
        self._fetcher = fetcher
        self.sources = {s.feed: s for s in settings.sources}

    # ------------------------------------------------------------ driver

    def run(self) -> Summary:
        """Do the pass; return its summary."""
        with update_lock(self.episodes):
            self.state = load_state(self.episodes)
            own = self._fetcher is None
            fetcher = self._fetcher or Fetcher(
                self.settings.fetch,
                agent=user_agent(self.settings.link or self.settings.base_url),
                allow_private=self.settings.allow_private_addresses,
                robots=self.state.robots_memo(),
            )
            try:
                self._run(fetcher)
            finally:
                self.summary.requests = fetcher.requests
                if not self.dry_run:
                    self.state.keep_robots(fetcher.memo)
                    self._save()
                if own:
                    fetcher.close()
        return self.summary

    def _run(self, fetcher: Fetcher) -> None:
        work = self.episodes / WORK_DIR
        self._collect()
        if not self.dry_run:
            self._sweep_work(work)  # copies a killed pass left behind
        for source in self.settings.sources:
            if self.stop.is_set():
                break
            self._read_feed(fetcher, source)
        planned = [] if self.stop.is_set() else self._check_pages(fetcher)
        self.summary.planned = planned
        if self.dry_run or self.stop.is_set():
            self.summary.stopped = self.stop.is_set()
            self._count_unchanged()
            return
        changed = False
        if planned:
            try:
                changed |= self._render(planned, work)
            finally:
                self._sweep_work(work)
        changed |= self._expire()
        changed |= bool(self.summary.removed)
        self._count_unchanged()
        if self.summary.batch is not None:
            return  # the cluster rebuilds the feed once, when the batch is done
        if changed or not (self.episodes / "feed.xml").exists():
            from sawt.publishing.rebuild import publish

            report = publish(self.settings)
            self.summary.notes += report.notes
            self.summary.published = True

    def _collect(self) -> None:
        """Articles on the cluster: a local pass leaves them to the batch (see ClusterPass)."""
        self._release_unsent()
        for article in self.state.articles.values():
            if article.status == "queued" and article.queued is not None:
                batch = article.queued.batch
                self.summary.queued[batch] = self.summary.queued.get(batch, 0) + 1
        if self.summary.queued:
            self.summary.notes.append(
                f"{sum(self.summary.queued.values())} articles wait for the cluster; "
                "`sawt update --cluster` collects them"
            )

    def _release_unsent(self) -> None:
        """Articles a killed pass was sending to the cluster are checked again."""
        for article in self.state.articles.values():
            queued = article.queued
            if article.status == "queued" and queued is not None and queued.sent:
                continue
            if article.status == "queued":
                article.status = "pending"
            article.queued = None

    def _sweep_work(self, work: Path) -> None:
        """Remove the page copies, except those the cluster is still rendering."""
        keep = {
            Path(a.queued.page)
            for a in self.state.articles.values()
            if a.status == "queued" and a.queued is not None
        }
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
            return
        for path in work.glob("*") if work.is_dir() else ():
            if path.resolve() in keep:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def _count_unchanged(self) -> None:
        touched = {*self.summary.new, *self.summary.changed}
        self.summary.unchanged = sum(
            1
            for a in self.state.articles.values()
            if a.source in self.sources and a.status == "done" and a.slug not in touched
        )

    def _save(self) -> None:
        if not self.dry_run:
            save_state(self.episodes, self.state)

    # ------------------------------------------------------------ feeds

    def _read_feed(self, fetcher: Fetcher, source: Source) -> None:
        feed = self.state.feeds.get(source.feed) or FeedState()
        try:
            response = fetcher.get(
                source.feed, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_TYPES
            )
            if response.not_modified:
                return
            items = parse_feed(response.body, response.url, response.media_type)
        except FetchError as exc:
            self.summary.failed.append(f"feed {exc.message}")
            return
        cutoff = (
            datetime.now(timezone.utc) - timedelta(days=source.max_age_days)
            if source.max_age_days
            else None
        )
        for item in items:
            self._note_item(source, item, cutoff)
        self.state.feeds[source.feed] = FeedState(
            etag=response.etag, last_modified=response.last_modified, checked_at=now_iso()
        )
        self._save()  # the items are pending now: a crash from here on loses nothing

    def _note_item(self, source: Source, item: FeedItem, cutoff: datetime | None) -> None:
        key = item.link
        known = self.state.articles.get(key)
        if known is not None:
            if known.status in ("done", "missing", "failed"):
                known.status = "pending"  # the feed changed: look at the page again
            return
        try:
            check_scheme(key)
        except FetchError as exc:
            self.state.articles[key] = ArticleState(
                source=source.feed, url=key, guid=item.guid, status="rejected", error=exc.message
            )
            self.summary.failed.append(exc.message)
            return
        if not source.wants(key):
            return
        if cutoff is not None and item.published is not None and item.published < cutoff:
            return
        self.state.articles[key] = ArticleState(
            source=source.feed, url=key, guid=item.guid, pub_date=_iso(item.published)
        )

    # ------------------------------------------------------------ pages

    def _to_check(self) -> list[str]:
        keys: list[str] = []
        per_source: dict[str, list[str]] = {}
        for key, article in self.state.articles.items():
            if article.source not in self.sources:
                continue  # a source removed from podcast.yaml: its episodes stay
            if article.status == "pending" and article.fingerprint is None:
                per_source.setdefault(article.source, []).append(key)  # new: limited per pass
            elif article.status in ("pending", "failed") or (
                self.prune_missing and article.status in ("done", "missing")
            ):
                keys.append(key)
        for feed, new in per_source.items():
            new.sort(
                key=lambda k: self.state.articles[k].pub_date or self.state.articles[k].first_seen,
                reverse=True,
            )
            limit = self.sources[feed].limit
            keys += new[:limit] if limit else new
        return keys

    def _check_pages(self, fetcher: Fetcher) -> list[Planned]:
        keys = self._to_check()
        if not keys:
            return []
        from sawt.read.pages import read_page  # trafilatura and the readers: only when pages come

        self.say(f"checking {len(keys)} article page{'s' if len(keys) > 1 else ''}")

        def one(key: str) -> tuple[str, Page | SawtError | None]:
            if self.stop.is_set():
                return key, SawtError("stopped")
            article = self.state.articles[key]
            source = self.sources[article.source]
            known = article.fingerprint is not None
            try:
                page = read_page(
                    fetcher,
                    article.url,
                    boilerplate=self.boilerplate,
                    language=source.language,
                    etag=article.etag if known else None,
                    last_modified=article.last_modified if known else None,
                )
            except SawtError as exc:
                return key, exc
            return key, page

        planned: list[Planned] = []
        with ThreadPoolExecutor(PAGE_THREADS) as pool:
            for key, result in pool.map(one, keys):
                if self.stop.is_set() and isinstance(result, SawtError):
                    continue
                plan = self._judge(key, result)
                if plan is not None:
                    planned.append(plan)
        self._save()
        return planned

    def _judge(self, key: str, result: Page | SawtError | None) -> Planned | None:
        article = self.state.articles[key]
        if isinstance(result, SawtError):
            self._failed(key, article, result)
            return None
        if result is None:  # 304: the page we rendered is still current
            article.status, article.error = "done", None
            return None
        page = result
        if article.slug is None:
            other = self.state.by_canonical(page.source_url, key)
            if other is not None and self.state.articles[other].status == "queued":
                return None  # merged by a later pass, once the cluster is done with it
            if other is not None:  # a new link to an article we already have
                merged = self.state.articles.pop(other)
                article = self.state.articles[key] = merged.model_copy(
                    update={"url": key, "guid": article.guid or merged.guid}
                )
        article.canonical = page.source_url
        if article.fingerprint == page.fingerprint:
            article.status, article.error = "done", None
            article.etag, article.last_modified = page.etag, page.last_modified
            return None
        kind: Kind = "changed" if article.fingerprint is not None else "new"
        if article.slug is None:
            article.slug = self._new_slug(page.source_url)
        article.status = "pending"
        return Planned(key, kind, page, self.sources[article.source], article.slug)

    def _failed(self, key: str, article: ArticleState, exc: SawtError) -> None:
        message = exc.message
        if isinstance(exc, FetchError) and exc.gone and article.fingerprint is not None:
            if self.prune_missing and article.slug:
                if not self.dry_run:
                    with contextlib.suppress(InputError):  # already gone from disk
                        remove_episode(self.episodes, article.slug)
                article.status, article.error = "gone", message
                self.summary.removed.append(article.slug)
            else:
                article.status, article.error = "missing", message
                self.summary.notes.append(
                    f"{message}; its episode '{article.slug}' is kept "
                    "(`sawt update --prune-missing` removes it)"
                )
            return
        transient = isinstance(exc, FetchError) and exc.transient
        if article.fingerprint is not None and not transient:
            article.status = "done"  # its episode stands; the error is reported
        else:
            article.status = "failed" if transient else "rejected"
        article.error = message
        self.summary.failed.append(message)

    def _new_slug(self, canonical: str) -> str:
        base = slug_from_url(canonical)
        taken = self.state.slugs_in_use()
        candidate, n = base, 1
        while candidate in taken or self._foreign_episode(candidate, canonical):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _foreign_episode(self, slug: str, canonical: str) -> bool:
        """Whether ``slug`` is an episode from elsewhere (by hand, another URL)."""
        path = self.episodes / f"{slug}.json"
        if not path.exists():
            return False
        try:
            return read_record(path).source_url != canonical
        except RecordError:
            return True

    # ------------------------------------------------------------ render

    def _render(self, planned: list[Planned], work: Path) -> bool:
        from sawt.batch import Outcome, render_batch
        from sawt.read.pages import save_copy

        by_path = {save_copy(p.page, work, p.slug): p for p in planned}
        overrides = {
            path: (source_settings(self.settings, p.source), p.source.engine or self.engine)
            for path, p in by_path.items()
        }
        self.say(f"rendering {len(planned)} article{'s' if len(planned) > 1 else ''}")
        changed = False

        def done(outcome: Outcome) -> None:
            nonlocal changed
            plan = by_path[outcome.path]
            article = self.state.articles[plan.key]
            if outcome.status in ("rendered", "skipped"):
                changed = True
                article.status, article.error = "done", None
                article.fingerprint = plan.page.fingerprint
                article.etag, article.last_modified = plan.page.etag, plan.page.last_modified
                article.rendered_at = now_iso()
                if plan.kind == "new":
                    self._date_episode(plan.slug, article.pub_date)
                    self.summary.new.append(plan.slug)
                else:
                    self.summary.changed.append(plan.slug)
                self.say(f"{plan.kind}: {plan.slug} ({plan.page.article.title})")
            elif outcome.status == "failed":
                article.status, article.error = "failed", outcome.error
                self.summary.failed.append(f"{plan.page.url}: {outcome.error}")
            self._save()

        outcomes = render_batch(
            list(by_path),
            self.settings,
            self.engine,
            jobs=self.jobs,
            on_done=done,
            overrides=overrides,
            stop=self.stop,
        )
        if any(o.status == "stopped" for o in outcomes):
            self.summary.stopped = True
        return changed

    def _date_episode(self, slug: str, pub_date: str | None) -> None:
        """A new episode is dated by its article's pubDate, not by when sawt rendered it."""
        when = _parse_time(pub_date)
        if when is None:
            return
        path = episode_paths(self.episodes, slug).record
        with catalog_lock(self.episodes):
            record = read_record(path)
            write_record(
                path, record.model_copy(update={"pub_date": when.isoformat(timespec="seconds")})
            )

    # ------------------------------------------------------------ expiry

    def _expire(self) -> bool:
        days = self.settings.expire_days
        if not days:
            return False
        cutoff = datetime.now(timezone.utc) - timedelta(days=days)
        removed = False
        for article in self.state.articles.values():
            if not article.slug or article.status in ("gone", "expired", "rejected", "queued"):
                continue
            when = _parse_time(article.pub_date) or _parse_time(article.first_seen)
            if when is None or when >= cutoff:
                continue
            with contextlib.suppress(InputError):  # never rendered, or removed by hand
                remove_episode(self.episodes, article.slug)
                removed = True
            article.status, article.error = "expired", None
            self.summary.removed.append(article.slug)
        if removed:
            self._save()
        return removed


def parse_every(text: str) -> float:
    """``90`` / ``90s`` / ``10m`` / ``2h`` / ``1d`` → seconds (at least 10)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    raw = text.strip().lower()
    unit = raw[-1:] if raw[-1:] in units else "s"
    number = raw[:-1] if raw[-1:] in units else raw
    try:
        seconds = float(number) * units[unit]
    except ValueError as exc:
        raise ConfigError(f"--every {text!r}: expected a duration like 90s, 10m or 1h") from exc
    if seconds < 10:
        raise ConfigError(f"--every {text!r}: at least 10 seconds between passes")
    return seconds

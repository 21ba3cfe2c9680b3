"""Render many articles: in parallel processes, one summary, failures kept apart."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sawt.config import Settings
from sawt.console import describe_os_error
from sawt.errors import InputError, SawtError
from sawt.read.article import SUPPORTED
from sawt.workers import abandon, abortable, init_worker

Status = Literal["rendered", "skipped", "failed", "stopped"]


@dataclass
class Outcome:
    """What happened to one article of a batch."""

    path: Path
    status: Status
    slug: str | None = None
    mp3: Path | None = None
    duration_ms: int = 0
    engine: str | None = None
    error: str | None = None
    messages: list[str] = field(default_factory=list)
    chapters: int | None = None  # known for local renders


class _Collector:
    """A Reporter that keeps notes and warnings to show after the article is done."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def stage(self, name: str, total: int | None = None) -> None:
        """Ignore stages: the batch shows one overall bar."""

    def advance(self, steps: int = 1) -> None:
        """Ignore."""

    def note(self, message: str) -> None:
        """Keep."""
        self.messages.append(f"note: {message}")

    def warn(self, message: str) -> None:
        """Keep."""
        self.messages.append(f"warning: {message}")

    def retried(self, message: str) -> None:
        """Ignore single retries: the summary counts what matters."""


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus the articles inside named folders (sorted, recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.startswith(".")
            )
            if not inside:
                raise InputError(
                    "folder holds no articles", path=path, hint=f"sawt reads {', '.join(SUPPORTED)}"
                )
            found.extend(inside)
        else:
            found.append(path)
    # The same file twice (a.md and $PWD/a.md, or via a folder) is rendered once.
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def share_limits(settings: Settings, jobs: int) -> Settings:
    """Settings for one of ``jobs`` workers: they split gTTS's request limits."""
    gtts = settings.gtts.model_copy(
        update={
            "concurrency": max(1, settings.gtts.concurrency // jobs),
            "rate_limit": settings.gtts.rate_limit / jobs,
        }
    )
    return settings.model_copy(update={"gtts": gtts})


def render_one(
    path: Path,
    settings: Settings,
    engine: str | None,
    force: bool,
    *,
    shared_clips: bool = False,
    slug: str | None = None,
    unavailable: Mapping[str, str] | None = None,
) -> Outcome:
    """Render one article and report the outcome instead of raising.

    ``shared_clips``, ``unavailable``: see ``pipeline.render`` (a cluster assembles
    from the shared cache; a batch probes its engines once).
    """
    from sawt.pipeline import render

    collector = _Collector()
    try:
        with abortable():  # a worker stopped mid-article cleans up, then ends
            result = render(
                path,
                settings,
                engine,
                collector,
                force=force,
                shared_clips=shared_clips,
                unavailable=unavailable,
                slug=slug,
            )
    except SawtError as exc:
        return Outcome(path, "failed", error=str(exc), messages=collector.messages)
    except OSError as exc:  # a full disk, a read-only folder: the path and the cause
        return Outcome(path, "failed", error=describe_os_error(exc), messages=collector.messages)
    except Exception as exc:  # one broken article must not stop the batch
        return Outcome(
            path, "failed", error=f"{type(exc).__name__}: {exc}", messages=collector.messages
        )
    return Outcome(
        path,
        "skipped" if result.skipped else "rendered",
        result.slug,
        result.mp3,
        result.duration_ms,
        result.engine,
        messages=collector.messages,
        chapters=len(result.chapters),
    )


def batch_slugs(
    paths: list[Path],
    settings: Settings,
    overrides: Mapping[Path, tuple[Settings, str | None]] | None = None,
) -> dict[Path, str | SawtError]:
    """Each article's slug, resolved in input order so two articles never share one.

    An article whose front-matter slug is taken gets its error instead. Articles
    that cannot be read are left out: rendering them reports why.
    """
    from sawt.pipeline import article_slug
    from sawt.read.article import read_article

    taken: set[str] = set()
    slugs: dict[Path, str | SawtError] = {}
    for path in paths:
        own = (overrides or {}).get(path, (settings, None))[0]
        try:
            article = read_article(path)
        except SawtError:
            continue
        try:
            slug = article_slug(path, article, own, frozenset(taken))
        except SawtError as exc:
            slugs[path] = exc
            continue
        slugs[path] = slug
        taken.add(slug)
    return slugs


def render_batch(
    paths: list[Path],
    settings: Settings,
    engine: str | None = None,
    *,
    force: bool = False,
    jobs: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    overrides: Mapping[Path, tuple[Settings, str | None]] | None = None,
    stop: threading.Event | None = None,
    on_warn: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Render every article, ``jobs`` at a time (default: one per core); in input order.

    ``overrides`` gives some articles their own settings and engine (a source's
    lexicon or engine). Once ``stop`` is set, articles not yet started are left
    out (status ``stopped``) and the ones in progress finish.

    An engine chain (``auto``) is probed once for the whole batch, not once per
    article: an engine that fails is skipped by every article, and ``on_warn``
    hears about it at once.
    """
    from sawt.probe import probe_chain

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    outcomes: dict[Path, Outcome] = {}
    slugs: dict[Path, str] = {}
    for path, slug in batch_slugs(paths, settings, overrides).items():
        if isinstance(slug, SawtError):  # refused before any work
            outcomes[path] = Outcome(path, "failed", error=str(slug))
            if on_done:
                on_done(outcomes[path])
        else:
            slugs[path] = slug
    ordered, paths = paths, [p for p in paths if p not in outcomes]
    down = probe_chain(paths, settings, engine, force=force, on_warn=on_warn) if paths[1:] else {}

    def job(path: Path, shared: Callable[[Settings], Settings]) -> tuple[Settings, str | None]:
        own, name = (overrides or {}).get(path, (settings, engine))
        return shared(own), name

    if jobs == 1:
        for path in paths:
            if stop is not None and stop.is_set():
                break
            outcomes[path] = render_one(
                path, *job(path, lambda s: s), force, unavailable=down, slug=slugs.get(path)
            )
            if on_done:
                on_done(outcomes[path])
    else:
        # spawn: each worker loads its own libespeak-ng (not fork-safe state).
        context = multiprocessing.get_context("spawn")
        # Workers leave signals to this process: Ctrl-C or SIGTERM here stops them
        # (or, with ``stop``, lets them finish their article), and they die with it.
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=init_worker) as pool:
            futures: dict[Future[Outcome], Path] = {
                pool.submit(
                    render_one,
                    p,
                    *job(p, lambda s: share_limits(s, jobs)),
                    force,
                    slug=slugs.get(p),
                    unavailable=down,
                ): p
                for p in paths
            }
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(
                        pending,
                        timeout=0.2 if stop is not None else None,
                        return_when=FIRST_COMPLETED,
                    )
                    for fut in done:
                        if fut.cancelled():
                            continue
                        outcomes[futures[fut]] = outcome = fut.result()
                        if on_done:
                            on_done(outcome)
                    if stop is not None and stop.is_set():
                        pending = {f for f in pending if not f.cancel()}
            except BaseException:  # Ctrl-C, SIGTERM: stop every worker now
                abandon(pool)
                raise
    return [
        outcomes.get(p) or Outcome(p, "stopped", error="stopped before rendering") for p in ordered
    ]

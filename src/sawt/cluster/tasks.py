"""The worker's side: render an article, fan a long one out, assemble it, publish once.

Every task ends in an outcome for its batch, whatever happens to the article:
rendered, skipped (unchanged) or failed with the article and the error. A
duplicate (the same article in another batch enqueued at once, or a task the
broker handed out again) finds the article's claim taken and comes back a few
seconds later, when the render is done and the article is unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from celery import Celery

from sawt.batch import Outcome, render_one
from sawt.cluster.app import make_app
from sawt.cluster.messages import (
    AssembleJob,
    OutcomeRecord,
    PublishJob,
    PublishRecord,
    RenderJob,
    SynthJob,
    show_id,
    with_lexicon,
)
from sawt.cluster.store import (
    PREFIX,
    Lease,
    RedisCatalogLock,
    Store,
    TokenBucket,
    as_dict,
    connect,
    new_token,
)
from sawt.config import Settings
from sawt.errors import SawtError
from sawt.pipeline import prepare, unchanged
from sawt.publishing.catalog import (
    catalog_lock,
    episode_paths,
    read_record,
    use_catalog_lock,
    write_record,
)
from sawt.publishing.rebuild import publish
from sawt.speech.cache import ClipCache
from sawt.speech.engines import Engine, create_engine
from sawt.speech.script import Piece
from sawt.speech.synth import Synthesizer, use_pacer

log = logging.getLogger("sawt.cluster")

BOUNCE_S = 2.0  # a duplicate comes back after this long


@dataclass
class Runtime:
    """One worker process's view: its show, its Redis, its Celery app."""

    settings: Settings
    show: str
    store: Store
    app: Celery
    worker: str
    pid: int


_settings: Settings | None = None
_worker = "worker"
_runtime: Runtime | None = None


def configure(settings: Settings, worker: str) -> None:
    """Set the show this process (and the processes it forks) works for."""
    global _settings, _worker, _runtime
    _settings, _worker, _runtime = settings, worker, None


def runtime() -> Runtime:
    """This process's runtime; made on first use after a fork (Redis clients do not fork)."""
    global _runtime
    if _runtime is None or _runtime.pid != os.getpid():
        if _settings is None:
            raise SawtError("this process was not started as a sawt worker")
        settings = _settings
        from sawt.cluster.app import broker_url

        store = Store(connect(broker_url(settings)))
        # The seams: one catalog lock and one gTTS rate for the whole cluster.
        use_catalog_lock(RedisCatalogLock(store, settings.cluster.lease))
        use_pacer(lambda engine, rate: TokenBucket(store, engine, rate))
        _runtime = Runtime(
            settings, show_id(settings), store, make_app(settings), _worker, os.getpid()
        )
        register(_runtime.app)
    return _runtime


def register(app: Celery) -> None:
    """Give ``app`` sawt's tasks (a worker's app and a client's share the names)."""
    options: dict[str, Any] = {
        "bind": True,
        "acks_late": True,
        "reject_on_worker_lost": True,
        # Redis itself briefly away: try again rather than lose the outcome.
        "autoretry_for": (redis.ConnectionError, redis.TimeoutError),
        "retry_backoff": True,
        "max_retries": 20,
    }
    app.task(name="sawt.render", **options)(_render_task)
    app.task(name="sawt.synth", **options)(_synth_task)
    app.task(name="sawt.assemble", **options)(_assemble_task)
    app.task(name="sawt.publish", **options)(_publish_task)


def _render_task(_task: Any, job: Any) -> None:
    render_article(RenderJob.model_validate(as_dict(job)))


def _synth_task(_task: Any, job: Any) -> None:
    synthesize_range(SynthJob.model_validate(as_dict(job)))


def _assemble_task(_task: Any, job: Any) -> None:
    assemble(AssembleJob.model_validate(as_dict(job)))


def _publish_task(_task: Any, job: Any) -> None:
    publish_batch(PublishJob.model_validate(as_dict(job)))


# --- the tasks ---------------------------------------------------------------------


def render_article(job: RenderJob) -> None:
    """Render one article of a batch (or fan a long one out over the cluster)."""
    rt = runtime()
    started = time.perf_counter()
    name = Path(job.path).name
    if job.show != rt.show:
        _finish(
            job,
            Outcome(
                Path(job.path),
                "failed",
                error=f"{job.path}: worker {rt.worker} serves another show (its podcast.yaml "
                "differs); give each show its own cluster.queue",
            ),
            started,
        )
        return
    if rt.store.outcome(job.batch, job.task_id) is not None:
        log.info("%s render %s: already done in batch %s", rt.worker, name, job.batch)
        return
    claim = "claim:" + job.task_id
    token = new_token()
    lease_s = rt.settings.cluster.lease
    if not rt.store.take(claim, token, lease_s):
        _bounce(rt, "sawt.render", job.model_dump(mode="json"), job.task_id, job.queue)
        log.info("%s render %s: busy elsewhere, back in %.0f s", rt.worker, name, BOUNCE_S)
        return
    lease = Lease(rt.store, claim, token, lease_s).keep()
    handed_over = False
    try:
        attempt = rt.store.attempt(job.batch, job.task_id)
        rt.store.started(job.batch, job.task_id, rt.worker)
        path = Path(job.path)
        if attempt > rt.settings.cluster.max_attempts:
            error = (
                f"{job.path}: gave up after {attempt - 1} attempts: the worker rendering it "
                "was lost each time"
            )
            _finish(job, Outcome(path, "failed", error=error), started)
            return
        settings = with_lexicon(rt.settings, job.lexicon)  # a source's own entries first
        plan = _plan(path, settings, job.engine, job.force)
        if plan is not None and attempt > 1:
            _sweep_episode(rt.settings.episodes_path(), plan.slug)
        if plan is not None and plan.fan_out:
            lease.stop()  # the claim now belongs to the fan-out, with a longer expiry
            rt.store.renew(claim, token, _fan_out_ttl(rt.settings))
            handed_over = True
            parts = _fan_out(rt, settings, job, token, path, plan.engine)
            log.info(
                "%s render %s: %d pieces fanned out as %d synthesis tasks",
                rt.worker,
                name,
                plan.pieces,
                parts,
            )
            return
        outcome = render_one(path, settings, job.engine, job.force)
        _finish(job, _dated(outcome, job), started)
    finally:
        if not handed_over:
            lease.release()


def synthesize_range(job: SynthJob) -> None:
    """Fill the shared clip cache with one range of a long article's pieces."""
    rt = runtime()
    started = time.perf_counter()
    claim = "claim:" + job.render.task_id
    rt.store.renew(claim, job.token, _fan_out_ttl(rt.settings))
    last = job.first + len(job.texts) - 1
    what = f"{Path(job.render.path).name} pieces {job.first}-{last}"
    try:
        engine = create_engine(job.render.engine, rt.settings)
        synth = Synthesizer(engine, ClipCache(rt.settings.cache_path()), cache_always=True)
        pieces = [
            Piece(job.first + i, "body", 0, 0, text, text, 0) for i, text in enumerate(job.texts)
        ]
        for _ in synth.run(pieces):
            pass
        result = f"{len(pieces)} clips ({synth.stats.cached} were cached)"
    except SawtError as exc:
        # Not fatal: the assemble task speaks whatever is missing itself.
        result = f"failed, left to the assemble task: {exc.message}"
    rt.store.renew(claim, job.token, _fan_out_ttl(rt.settings))
    if rt.store.part_done(job.render.task_id, job.part, job.parts):
        assemble_job = AssembleJob(render=job.render, token=job.token)
        rt.app.send_task(
            "sawt.assemble",
            args=[assemble_job.model_dump(mode="json")],
            task_id=job.render.task_id + "-assemble",
            queue=job.render.queue,
        )
    log.info("%s synth %s: %s in %.2f s", rt.worker, what, result, time.perf_counter() - started)


def assemble(job: AssembleJob) -> None:
    """Encode, tag and record a fanned-out article from the shared cache."""
    rt = runtime()
    started = time.perf_counter()
    render = job.render
    name = Path(render.path).name
    if rt.store.outcome(render.batch, render.task_id) is not None:
        log.info("%s assemble %s: already done in batch %s", rt.worker, name, render.batch)
        return
    claim = "claim:" + render.task_id
    lease_s = rt.settings.cluster.lease
    token = new_token()
    # The fan-out's claim passes to exactly one assembler; a second delivery of
    # this task (the broker's redelivery) waits, then finds the outcome recorded.
    if not rt.store.swap(claim, job.token, token, lease_s):
        again = render.task_id + "-assemble"
        _bounce(rt, "sawt.assemble", job.model_dump(mode="json"), again, render.queue)
        log.info("%s assemble %s: busy elsewhere, back in %.0f s", rt.worker, name, BOUNCE_S)
        return
    lease = Lease(rt.store, claim, token, lease_s).keep()
    try:
        settings = with_lexicon(rt.settings, render.lexicon)
        outcome = render_one(
            Path(render.path), settings, render.engine, render.force, shared_clips=True
        )
        _drop_scratch(rt, render.task_id)
        rt.store.clear_fan_out(render.task_id)
        _finish(render, _dated(outcome, render), started, verb="assemble")
    finally:
        lease.release()


def publish_batch(job: PublishJob) -> None:
    """Rebuild the feed and every output once, for a batch that is done."""
    rt = runtime()
    if rt.store.published(job.batch) is not None:
        return  # a duplicate delivery: it ran already
    started = time.perf_counter()
    try:
        if job.show != rt.show:
            raise SawtError(f"worker {rt.worker} serves another show")
        _sweep_outputs(rt.settings.episodes_path())
        report = publish(rt.settings)
        record = PublishRecord(
            feed=str(report.feed),
            episodes=report.episodes,
            notes=tuple(report.notes),
            worker=rt.worker,
        )
        result = f"{report.feed} ({report.episodes} episodes)"
    except SawtError as exc:
        record = PublishRecord(error=str(exc), worker=rt.worker)
        result = f"failed: {exc}"
    rt.store.set_published(job.batch, record)
    log.info(
        "%s publish batch %s: %s in %.2f s",
        rt.worker,
        job.batch,
        result,
        time.perf_counter() - started,
    )


# --- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    slug: str
    pieces: int
    fan_out: bool
    engine: Engine


def _plan(path: Path, settings: Settings, engine_name: str, force: bool) -> _Plan | None:
    """The slug and whether to fan out; None when the article cannot even be read.

    The piece count comes from a script without the front end (no diacritizer),
    which is cheap; the real script is made only for an article that fans out.
    """
    try:
        engine = create_engine(engine_name, settings)
        quick = prepare(path, settings, engine.max_chars)
        limit = settings.cluster.fan_out
        fan = bool(limit) and len(quick.pieces) > limit
        if fan and not force and unchanged(path, settings, engine_name):
            fan = False  # render() will skip it at once
    except SawtError:
        return None  # render_one reports the problem as the article's failure
    return _Plan(quick.slug, len(quick.pieces), fan, engine)


def _fan_out(
    rt: Runtime, settings: Settings, job: RenderJob, token: str, path: Path, engine: Engine
) -> int:
    pieces = prepare(path, settings, engine.max_chars, engine.caps).pieces
    size = settings.cluster.pieces_per_task
    ranges = [pieces[i : i + size] for i in range(0, len(pieces), size)]
    rt.store.clear_fan_out(job.task_id)
    scratch_key = f"{PREFIX}fan:{job.task_id}:scratch"
    if not engine.cacheable:
        # Clips of an engine not worth caching are scratch: dropped after assembly.
        identity = engine.identity()
        keys = [ClipCache.key(identity, p.spoken) for p in pieces]
        with rt.store.client.pipeline() as pipe:
            pipe.delete(scratch_key)
            pipe.sadd(scratch_key, *keys)
            pipe.expire(scratch_key, 7 * 24 * 3600)
            pipe.execute()
    for part, chunk in enumerate(ranges):
        synth = SynthJob(
            render=job,
            token=token,
            part=part,
            parts=len(ranges),
            first=chunk[0].index,
            texts=tuple(p.spoken for p in chunk),
        )
        rt.app.send_task(
            "sawt.synth",
            args=[synth.model_dump(mode="json")],
            task_id=f"{job.task_id}-synth-{part}",
            queue=job.queue,
        )
    return len(ranges)


def _dated(outcome: Outcome, job: RenderJob) -> Outcome:
    """Give the episode the job's publication date (before its outcome, so before the publish).

    `sawt update` dates a new article by its feed's pubDate; the record keeps it
    through later re-renders. A record that cannot be dated keeps the render's
    date, with a warning.
    """
    if job.pub_date is None or outcome.status not in ("rendered", "skipped") or not outcome.slug:
        return outcome
    episodes = runtime().settings.episodes_path()
    try:
        path = episode_paths(episodes, outcome.slug).record
        with catalog_lock(episodes) as fence:
            record = read_record(path)
            if record.pub_date != job.pub_date:
                fence.check()
                write_record(path, record.model_copy(update={"pub_date": job.pub_date}))
    except SawtError as exc:
        outcome.messages.append(f"warning: the episode keeps its render date: {exc.message}")
    return outcome


def _drop_scratch(rt: Runtime, task_id: str) -> None:
    key = f"{PREFIX}fan:{task_id}:scratch"
    keys = rt.store.client.smembers(key)
    cache = ClipCache(rt.settings.cache_path())
    for cache_key in keys:  # type: ignore[union-attr]
        cache.discard(str(cache_key))
    rt.store.client.delete(key)


def _fan_out_ttl(settings: Settings) -> float:
    # Synthesis tasks may wait in the queue; the claim outlives that wait, and
    # expires about when the broker hands out the tasks of a lost cluster again.
    return settings.cluster.visibility_timeout + settings.cluster.lease


def _finish(job: RenderJob, outcome: Outcome, started: float, verb: str = "render") -> None:
    rt = runtime()
    record = OutcomeRecord.of(outcome, rt.worker)
    state = rt.store.finish(job.total, job.batch, job.task_id, record)
    if state == 2 and job.publish:
        publish_job = PublishJob(batch=job.batch, show=job.show, queue=job.queue)
        rt.app.send_task(
            "sawt.publish",
            args=[publish_job.model_dump(mode="json")],
            task_id=f"sawt-publish-{job.batch}",
            queue=job.queue,
        )
    if outcome.status == "failed":
        result = f"failed: {(outcome.error or '').splitlines()[0]}"
    elif outcome.status == "skipped":
        result = f"unchanged {outcome.slug}"
    else:
        minutes, seconds = divmod(outcome.duration_ms / 1000, 60)
        result = f"rendered {outcome.slug} ({int(minutes)}:{seconds:04.1f}, {outcome.engine})"
    log.info(
        "%s %s %s: %s in %.2f s [batch %s%s]",
        rt.worker,
        verb,
        Path(job.path).name,
        result,
        time.perf_counter() - started,
        job.batch,
        "" if state else ", already recorded",
    )


def _bounce(rt: Runtime, task: str, job: dict[str, Any], task_id: str, queue: str) -> None:
    """Send the task again for later (this delivery is acknowledged: no busy worker waits)."""
    rt.app.send_task(task, args=[job], task_id=task_id, queue=queue, countdown=BOUNCE_S)


def _sweep_episode(episodes: Path, slug: str) -> None:
    """Drop the temp files a lost worker left for this episode (we hold its claim)."""
    for pattern in (f".{slug}.mp3.*.part", f".{slug}.json.*.part"):
        for stale in episodes.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()


def _sweep_outputs(episodes: Path) -> None:
    """Drop temp files of records and outputs a lost worker left (written only under the lock).

    Audio is staged outside the lock while it encodes, so its temp files are
    left to the claim holder of their episode (``_sweep_episode``).
    """
    if not episodes.is_dir():
        return
    with catalog_lock(episodes):
        for stale in episodes.rglob(".*.part"):
            if ".mp3." not in stale.name:
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()


def setup_logging() -> None:
    """One line per task on stderr, with the time."""
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False

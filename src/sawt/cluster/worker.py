"""`sawt worker`: a Celery worker for the show of one podcast.yaml."""

from __future__ import annotations

import os
import socket

from sawt.cluster import require
from sawt.config import Settings


def run_worker(settings: Settings, concurrency: int | None, queues: list[str]) -> None:
    """Serve the show's queue (or ``queues``) until stopped; logs one line per task."""
    require()
    from celery.signals import worker_ready

    from sawt.cluster import tasks
    from sawt.cluster.app import broker_url, make_app
    from sawt.cluster.store import Store, connect

    # Clips go to the shared cache, so a long article's pieces made here can be
    # assembled anywhere; render() finds it through SAWT_CACHE_DIR.
    cache = settings.cluster.cache_path(settings.root)
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["SAWT_CACHE_DIR"] = str(cache)
    Store(connect(broker_url(settings))).ping()
    name = f"sawt-{os.getpid()}@{socket.gethostname()}"
    tasks.configure(settings, name)
    tasks.setup_logging()
    app = make_app(settings)
    tasks.register(app)
    served = queues or [settings.cluster.queue]
    slots = concurrency or os.cpu_count() or 1

    def ready(**_kwargs: object) -> None:
        tasks.log.info(
            "%s ready: queue %s, %d at once, episodes %s, clip cache %s",
            name,
            ",".join(served),
            slots,
            settings.episodes_path(),
            cache,
        )

    worker_ready.connect(ready, weak=False)
    argv = [
        "--quiet",  # no banner: the ready line says what matters
        "worker",
        "--loglevel=WARNING",
        f"--hostname={name}",
        f"--queues={','.join(served)}",
        f"--concurrency={slots}",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    app.worker_main(argv=argv)

"""The Celery application of a show, built from podcast.yaml's ``cluster:`` section."""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu.transport import redis as kombu_redis

from sawt.config import Settings
from sawt.errors import ConfigError

TASKS = ("sawt.render", "sawt.synth", "sawt.assemble", "sawt.publish")


class _QoS(kombu_redis.QoS):  # type: ignore[misc]
    """Kombu's Redis QoS, looking for tasks of lost workers on every poll.

    Kombu checks for unacknowledged messages past the visibility timeout only
    on one poll in ten (every 100 s); sawt checks on each (every 10 s), so a
    task taken by a worker that died comes back within the visibility timeout
    plus 10 s.
    """

    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 1) -> Any:
        return super().restore_visible(start=start, num=num, interval=1)


class _Channel(kombu_redis.Channel):  # type: ignore[misc]
    QoS = _QoS


class Transport(kombu_redis.Transport):  # type: ignore[misc]
    """Kombu's Redis transport with the quicker restore of lost tasks."""

    Channel = _Channel


def broker_url(settings: Settings) -> str:
    """The broker: SAWT_BROKER or ``cluster.broker``; a ConfigError naming both if neither."""
    url = settings.cluster.broker_url()
    if not url:
        raise ConfigError(
            "no broker configured: set cluster.broker in podcast.yaml "
            "(broker: redis://host:6379/0) or SAWT_BROKER"
        )
    return url


def make_app(settings: Settings) -> Celery:
    """The show's Celery app: late acknowledgement, redelivery of lost tasks, JSON only."""
    url = broker_url(settings)
    cluster = settings.cluster
    app = Celery("sawt", broker=url, set_as_current=False)
    app.conf.update(
        # A task is acknowledged when it has finished, not when it starts: if the
        # worker dies meanwhile, the broker hands the task to another one.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # take one task at a time: the others stay shareable
        task_ignore_result=True,  # outcomes live in sawt's own batch state
        task_default_queue=cluster.queue,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": cluster.visibility_timeout},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        enable_utc=True,
    )
    if url.startswith("redis://"):
        app.conf.broker_transport = f"{__name__}:Transport"
    return app

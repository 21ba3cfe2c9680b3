"""Render on many machines: Celery workers that meet at a Redis broker and share a folder.

Needs the ``cluster`` extra (``pip install 'sawt-audio-edition[cluster]'``); without
it sawt works as before and the cluster commands say what to install.

- ``app``: the Celery application built from podcast.yaml's ``cluster:`` section.
- ``tasks``: render one article, synthesize a range of a long one, assemble it,
  publish once per batch.
- ``client``: enqueue a batch, watch it, report it.
- ``store``: what lives in Redis: batches, claims, leases, the token bucket, the lock.
"""

from __future__ import annotations

from sawt.errors import ConfigError

EXTRA = "sawt-audio-edition[cluster]"


class ClusterUnavailable(ConfigError):
    """The cluster extra (Celery, redis) is not installed."""


def require() -> None:
    """Raise ClusterUnavailable (one line, exit code 2) unless Celery and redis import."""
    try:
        import celery  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        raise ClusterUnavailable(
            f"rendering on many machines needs the cluster extra ({exc.name} is missing): "
            f"pip install '{EXTRA}'"
        ) from None

"""The ``cluster:`` section of podcast.yaml: rendering on many machines (Celery + Redis)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

BROKER_ENV = "SAWT_BROKER"
DEFAULT_CACHE = ".sawt-cache"


def check_broker(value: str) -> str:
    """A Redis URL: ``redis://[:password@]host[:port][/db]``, ``rediss://`` or ``unix://``."""
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        raise ValueError("must be a Redis URL such as redis://host:6379/0")
    return value


class ClusterSettings(BaseModel):
    """How this show's workers meet: the broker, the shared folder, fan-out and leases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    broker: str | None = Field(None, description="redis://host:6379/0 (SAWT_BROKER overrides)")
    queue: str = Field("sawt", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    # The clip cache every worker shares; relative to podcast.yaml, like episodes_dir.
    # Both must be on storage every worker sees at the same path (NFS, a mounted bucket).
    cache_dir: str = DEFAULT_CACHE
    fan_out: int = Field(
        200, ge=0, description="an article with more pieces is split over workers (0: never)"
    )
    pieces_per_task: int = Field(100, ge=1, le=10_000, description="pieces per synthesis task")
    lease: float = Field(
        30.0, ge=1, le=3600, description="seconds a claim or lock outlives a silent holder"
    )
    visibility_timeout: float = Field(
        300.0, ge=5, le=86_400, description="seconds before a task taken by a lost worker returns"
    )
    max_attempts: int = Field(3, ge=1, le=100, description="starts of an article before it fails")

    @field_validator("broker")
    @classmethod
    def _broker(cls, value: str | None) -> str | None:
        return check_broker(value) if value is not None else None

    @model_validator(mode="after")
    def _lease_fits(self) -> ClusterSettings:
        if self.lease * 2 > self.visibility_timeout:
            raise ValueError("visibility_timeout must be at least twice the lease")
        return self

    def broker_url(self) -> str | None:
        """The broker: SAWT_BROKER, else ``cluster.broker``."""
        env = os.environ.get(BROKER_ENV)
        return check_broker(env) if env else self.broker

    def cache_path(self, root: Path) -> Path:
        """The shared clip cache: SAWT_CACHE_DIR, else ``cluster.cache_dir`` beside podcast.yaml."""
        env = os.environ.get("SAWT_CACHE_DIR")
        if env:
            return Path(env)
        return (root / self.cache_dir).resolve()

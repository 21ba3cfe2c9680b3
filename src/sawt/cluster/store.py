"""What lives in Redis: leases (claims and the catalog lock, with fencing), the global
token bucket, and the state of each batch. Every check-and-set is one Lua script, so
it is atomic however many workers race for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import redis

from sawt.cluster.messages import BatchMeta, OutcomeRecord, PublishRecord
from sawt.errors import SawtError
from sawt.publishing.catalog import Fence, file_lock

PREFIX = "sawt:"
KEEP_S = 7 * 24 * 3600  # batches are kept for a week, for `sawt status`

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# Take a lease that is free, or already ours (a hand-over), for ARGV[2] ms.
_TAKE = """
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
# Hand a lease over: take it if it is free or held by ARGV[1], as ARGV[2].
_SWAP = """
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
# A token bucket that lends: each call takes one token, and answers how long the
# caller must wait for it (0 when the bucket had one). Redis's clock is the only
# clock, so machines whose clocks differ share one rate.
_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - ts) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(((cap - tokens) / rate + 1) * 1000))
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""
# Record an article's outcome once per batch; say whether the batch just completed.
# 0: already recorded; 1: recorded; 2: recorded and it was the last one.
_FINISH = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[4])
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  if redis.call('HSETNX', KEYS[2], 'complete', '1') == 1 then return 2 end
end
return 1
"""
# Mark one part of a fan-out done; 1 when it was the last part (assemble now).
_PART = """
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then return 1 end
end
return 0
"""


class ClusterError(SawtError):
    """A cluster operation failed (broker unreachable, lock lost, unknown batch)."""


class LockLost(ClusterError):
    """A lease expired while its holder still worked: it must not write."""

    exit_code = 1


def connect(url: str) -> redis.Redis:
    """A Redis client for ``url`` (strings in, strings out)."""
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


class Store:
    """The cluster's shared state in one Redis database."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._take = client.register_script(_TAKE)
        self._swap = client.register_script(_SWAP)
        self._bucket = client.register_script(_BUCKET)
        self._finish = client.register_script(_FINISH)
        self._part = client.register_script(_PART)

    def ping(self) -> None:
        """Raise ClusterError naming the broker if Redis does not answer."""
        try:
            self.client.ping()
        except redis.RedisError as exc:
            where = self.client.connection_pool.connection_kwargs.get("host", "?")
            raise ClusterError(
                f"cannot reach the broker at {where}: {exc}",
                hint="start Redis, or check cluster.broker in podcast.yaml / SAWT_BROKER",
            ) from exc

    # -- leases ------------------------------------------------------------------

    def take(self, key: str, token: str, ttl_s: float) -> bool:
        """Take the lease ``key`` if it is free or already ``token``'s."""
        return bool(self._take(keys=[PREFIX + key], args=[token, _ms(ttl_s)]))

    def swap(self, key: str, old: str, new: str, ttl_s: float) -> bool:
        """Take over the lease ``key`` from ``old`` (or take it if free) as ``new``.

        Exactly one of several callers with the same ``old`` gets it.
        """
        return bool(self._swap(keys=[PREFIX + key], args=[old, new, _ms(ttl_s)]))

    def renew(self, key: str, token: str, ttl_s: float) -> bool:
        """Extend our lease; False if it is no longer ours."""
        return bool(self._renew(keys=[PREFIX + key], args=[token, _ms(ttl_s)]))

    def release(self, key: str, token: str) -> None:
        """Give the lease up if it is still ours."""
        self._release(keys=[PREFIX + key], args=[token])

    def holder(self, key: str) -> str | None:
        """Who holds the lease now."""
        return cast("str | None", self.client.get(PREFIX + key))

    # -- the token bucket ------------------------------------------------------------

    def reserve(self, bucket: str, rate: float, capacity: float = 1.0) -> float:
        """Take a token from ``bucket``; seconds to wait before using it."""
        answer = self._bucket(keys=[PREFIX + "bucket:" + bucket], args=[rate, capacity])
        return float(answer)

    # -- batches -----------------------------------------------------------------------

    def create_batch(self, meta: BatchMeta) -> None:
        """Store a new batch."""
        key = f"{PREFIX}batch:{meta.id}"
        with self.client.pipeline() as pipe:
            pipe.hset(key, "meta", meta.model_dump_json())
            pipe.expire(key, KEEP_S)
            pipe.execute()

    def batch(self, batch: str) -> BatchMeta | None:
        """A batch's description, or None if there is no such batch (or it expired)."""
        raw = self.client.hget(f"{PREFIX}batch:{batch}", "meta")
        return BatchMeta.model_validate_json(cast(str, raw)) if raw else None

    def started(self, batch: str, task_id: str, worker: str) -> None:
        """Note which worker works on an article (for progress)."""
        key = f"{PREFIX}batch:{batch}:started"
        with self.client.pipeline() as pipe:
            pipe.hset(key, task_id, worker)
            pipe.expire(key, KEEP_S)
            pipe.execute()

    def workers(self, batch: str) -> set[str]:
        """Workers that have taken an article of the batch."""
        raw = self.client.hgetall(f"{PREFIX}batch:{batch}:started")
        return set(cast("dict[str, str]", raw).values())

    def finish(self, meta_total: int, batch: str, task_id: str, outcome: OutcomeRecord) -> int:
        """Record an outcome once (the first wins); 2 if this completed the batch."""
        keys = [f"{PREFIX}batch:{batch}:outcomes", f"{PREFIX}batch:{batch}"]
        args: list[str | int] = [task_id, outcome.model_dump_json(), meta_total, KEEP_S]
        return int(self._finish(keys=keys, args=args))

    def outcomes(self, batch: str) -> dict[str, OutcomeRecord]:
        """Outcomes so far, by task id."""
        raw = cast("dict[str, str]", self.client.hgetall(f"{PREFIX}batch:{batch}:outcomes"))
        return {k: OutcomeRecord.model_validate_json(v) for k, v in raw.items()}

    def outcome(self, batch: str, task_id: str) -> OutcomeRecord | None:
        """One article's outcome, if it has one."""
        raw = self.client.hget(f"{PREFIX}batch:{batch}:outcomes", task_id)
        return OutcomeRecord.model_validate_json(cast(str, raw)) if raw else None

    def set_published(self, batch: str, record: PublishRecord) -> None:
        """Record the end-of-batch rebuild."""
        self.client.hset(f"{PREFIX}batch:{batch}", "published", record.model_dump_json())

    def published(self, batch: str) -> PublishRecord | None:
        """The end-of-batch rebuild, once it ran."""
        raw = self.client.hget(f"{PREFIX}batch:{batch}", "published")
        return PublishRecord.model_validate_json(cast(str, raw)) if raw else None

    def attempt(self, batch: str, task_id: str) -> int:
        """Count a start of an article's render (a lost worker makes a second start)."""
        key = f"{PREFIX}attempts:{batch}:{task_id}"
        with self.client.pipeline() as pipe:
            pipe.incr(key)
            pipe.expire(key, KEEP_S)
            count, _ = pipe.execute()
        return int(count)

    def part_done(self, task_id: str, part: int, parts: int) -> bool:
        """Mark a fan-out part done; True for exactly one caller, once all parts are."""
        keys = [f"{PREFIX}fan:{task_id}:done", f"{PREFIX}fan:{task_id}:assembling"]
        return bool(self._part(keys=keys, args=[part, parts, KEEP_S]))

    def clear_fan_out(self, task_id: str) -> None:
        """Forget a finished fan-out (a later render may fan out again)."""
        self.client.delete(f"{PREFIX}fan:{task_id}:done", f"{PREFIX}fan:{task_id}:assembling")


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class Lease:
    """A Redis key held with expiry, renewed by a thread while its holder lives.

    If the holder dies (or stalls past the expiry) the key expires and someone
    else may take it; ``lost`` then turns true for the old holder.
    """

    def __init__(self, store: Store, key: str, token: str, ttl_s: float) -> None:
        self.store = store
        self.key = key
        self.token = token
        self.ttl_s = ttl_s
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def keep(self) -> Lease:
        """Start renewing every third of the expiry."""
        self._thread = threading.Thread(target=self._run, name="sawt-lease", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            try:
                if not self.store.renew(self.key, self.token, self.ttl_s):
                    self.lost = True
                    return
            except redis.RedisError:
                continue  # a blip: the next renewal may still be in time

    def stop(self) -> None:
        """Stop renewing (the key stays until it expires or is released)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def release(self) -> None:
        """Stop renewing and delete the key if it is still ours."""
        self.stop()
        with contextlib.suppress(redis.RedisError):
            self.store.release(self.key, self.token)

    def holds(self) -> bool:
        """Whether the key still holds our token, asked of Redis now."""
        return not self.lost and self.store.holder(self.key) == self.token


class RedisFence:
    """The fence of a catalog lock held in Redis: every write first checks it.

    The token is a number that grows with every acquisition (INCR), so a holder
    that stalled past the expiry finds a newer token in the key and stops
    before it writes anything.
    """

    def __init__(self, lease: Lease) -> None:
        self.lease = lease

    def check(self) -> None:
        """Raise LockLost if the lock expired and someone else may hold it."""
        if not self.lease.holds():
            raise LockLost(
                f"the catalog lock expired while this worker held it (token {self.lease.token})",
                hint="the worker stalled longer than cluster.lease; nothing was written",
            )


class RedisCatalogLock:
    """The catalog lock across machines: a Redis lease with expiry and a fencing token.

    It also takes the local ``flock``, so a plain ``sawt feed`` run on a worker's
    host waits for it too.
    """

    def __init__(self, store: Store, lease_s: float, wait_s: float = 600.0) -> None:
        self.store = store
        self.lease_s = lease_s
        self.wait_s = wait_s

    @contextlib.contextmanager
    def __call__(self, episodes: Path) -> Iterator[Fence]:
        """Hold the lock for ``episodes``; yields its fence."""
        name = "lock:" + hashlib.sha256(str(episodes.resolve()).encode()).hexdigest()[:20]
        token = str(self.store.client.incr(PREFIX + name + ":fence"))
        deadline = time.monotonic() + self.wait_s
        delay = 0.01
        while not self.store.take(name, token, self.lease_s):
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"the catalog lock of {episodes} stayed taken for {self.wait_s:.0f} s"
                )
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(0.25, delay * 2)
        lease = Lease(self.store, name, token, self.lease_s).keep()
        try:
            with file_lock(episodes):
                yield RedisFence(lease)
        finally:
            lease.release()


class TokenBucket:
    """A Pacer for ``speech.synth``: one rate for an engine across every worker."""

    def __init__(self, store: Store, engine: str, per_second: float | None) -> None:
        self.store = store
        self.engine = engine
        self.per_second = per_second

    def wait(self, stop: threading.Event) -> None:
        """Take a token from the shared bucket and wait until it is due."""
        if not self.per_second:
            return
        delay = self.store.reserve(self.engine, self.per_second)
        if delay > 0:
            stop.wait(delay)


def new_token() -> str:
    """A random token for a claim."""
    return uuid.uuid4().hex


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object from a Celery argument (it arrives as a dict)."""
    if not isinstance(value, dict):
        raise ClusterError(f"malformed task argument: {type(value).__name__}")
    return value

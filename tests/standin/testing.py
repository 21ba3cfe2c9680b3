"""Helpers for the tests that talk to a stand-in (they set up and run; the tests assert)."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from .faults import HANG_S, SLOW_MS
from .server import LOOPBACK, StandIn

ROOT = Path(__file__).resolve().parents[2]
Answer = TypeVar("Answer")


def fresh(
    fake: StandIn[Any], *, slow_ms: float = SLOW_MS, hang_s: float = HANG_S, latency_ms: float = 0
) -> None:
    """Make a shared stand-in as good as new for the next test.

    No faults, the given fault tuning and latency (default: the stand-in's
    defaults, no latency), not paused, nothing in flight (waits up to 10 s
    for hangs left over from an earlier test), counters and log zeroed.
    """
    fake.faults.clear()
    fake.faults.slow_ms = slow_ms
    fake.faults.hang_s = hang_s
    fake.latency_ms = latency_ms
    fake.resume()
    fake.wait_idle()
    fake.reset_counts()


@dataclass
class Burst(Generic[Answer]):
    """What :func:`burst` saw: each text's answer, the errors, and whether all were held at once."""

    answers: dict[str, Answer] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    all_in_flight: bool = False


def burst(fake: StandIn[Any], call: Callable[[str], Answer], texts: Sequence[str]) -> Burst[Answer]:
    """Run ``call(text)`` for every text, each in its own thread, all in flight at once.

    The stand-in is paused so that every request is held once counted; it is
    resumed when all are in (or after 20 s), then the threads are joined.
    """
    seen: Burst[Answer] = Burst()

    def worker(text: str) -> None:
        try:
            seen.answers[text] = call(text)
        except BaseException as exc:  # the caller asserts on seen.errors
            seen.errors.append(exc)

    fake.pause()
    threads = [threading.Thread(target=worker, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    try:
        seen.all_in_flight = fake.wait_in_flight(len(texts), timeout=20)
    finally:
        fake.resume()
        for thread in threads:
            thread.join(30)
    return seen


def connect_status(fake: StandIn[Any], target: str) -> int:
    """The status a stand-in answers to ``CONNECT target`` (e.g. ``example.com:443``)."""
    conn = http.client.HTTPConnection(LOOPBACK, fake.port, timeout=10)
    try:
        conn.request("CONNECT", target)
        return conn.getresponse().status
    finally:
        conn.close()


def new_threads(before: set[threading.Thread]) -> list[str]:
    """Names of the threads alive now that were not in ``before``."""
    return [t.name for t in threading.enumerate() if t not in before]


@dataclass
class Standalone:
    """A stand-in run as ``python -m <module>``; ``stderr`` and ``returncode`` once it ended."""

    proc: subprocess.Popen[str]
    stderr: str = ""
    returncode: int | None = None

    def line(self) -> str:
        """The next line it printed on stdout."""
        assert self.proc.stdout is not None
        return self.proc.stdout.readline()


@contextmanager
def standalone(module: str, *args: str) -> Iterator[Standalone]:
    """Start ``python -m module args`` from the checkout; SIGTERM it and wait at the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    run = Standalone(proc)
    try:
        yield run
    finally:
        proc.terminate()
        _out, run.stderr = proc.communicate(timeout=30)
        run.returncode = proc.returncode

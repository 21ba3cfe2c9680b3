"""A batch's worker processes: they stop when the batch stops, and die with it.

Signals are the parent's to decide. A worker ignores Ctrl-C and SIGTERM (the
parent hears them too, and either lets the articles in progress finish or
stops the batch). To stop now, the parent sends ``ABORT``: the article in
progress unwinds (its temporary files are removed), then the worker ends. A
worker whose parent dies (even by SIGKILL) gets ``ABORT`` from the kernel, so
no orphan goes on rendering a batch nobody waits for.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from types import FrameType

ABORT = signal.SIGUSR1
INTERRUPTED = 130
_PR_SET_PDEATHSIG = 1

_in_worker = False
_busy = False  # an article is being rendered: abort unwinds it first


def init_worker() -> None:
    """Run in each worker process as it starts (a pool's ``initializer``)."""
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(ABORT, _abort)
    _die_with_parent()


def _abort(_signum: int, _frame: FrameType | None) -> None:
    if _busy:
        raise KeyboardInterrupt  # unwinds the render: temp files go; see abortable
    os._exit(INTERRUPTED)


def _die_with_parent() -> None:
    """Ask Linux to send ABORT when the parent process dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(ABORT), 0, 0, 0)
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before we asked
        os.kill(os.getpid(), ABORT)


@contextmanager
def abortable() -> Iterator[None]:
    """Around one article: in a worker, an abort unwinds it and then ends the process."""
    global _busy
    _busy = True
    try:
        yield
    except KeyboardInterrupt:
        if _in_worker:
            os._exit(INTERRUPTED)  # cleaned up on the way here; nothing else to run
        raise
    finally:
        _busy = False


def abandon(pool: ProcessPoolExecutor) -> None:
    """Stop a batch now (Ctrl-C, SIGTERM): drop queued articles, abort the running ones."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive() and process.pid is not None:
            with suppress(ProcessLookupError):
                os.kill(process.pid, ABORT)
    for process in processes:
        process.join(timeout=30)  # each removes its temporary files first

"""The ``python -m tests.<stand-in>`` command line: serve on 127.0.0.1 until a signal.

Both stand-ins take ``--port``, ``--latency-ms`` and the same fault options
(``--fault KIND[:N|:*]`` repeatable, ``--fault-probability`` with
``--fault-kinds`` and ``--seed``, ``--slow-ms``, ``--hang-s``); a stand-in
adds its own options to :func:`parser` and says what to print in
:func:`serve`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from .faults import FaultKind, FaultPlan
from .server import StandIn


def fault_spec(kinds: type[FaultKind]) -> Callable[[str], tuple[FaultKind, int | None]]:
    """Parser of ``KIND`` or ``KIND:N`` (the next N) or ``KIND:*`` (every one)."""

    def parse(value: str) -> tuple[FaultKind, int | None]:
        kind, _, times = value.partition(":")
        try:
            fault = kinds.parse(kind)
        except ValueError:
            choices = ", ".join(f.value for f in kinds)
            raise argparse.ArgumentTypeError(f"unknown fault {kind!r} (one of {choices})") from None
        if times in ("*", "all"):
            return fault, None
        try:
            count = int(times) if times else 1
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad count in {value!r}") from None
        if count < 1:
            raise argparse.ArgumentTypeError(f"count must be >= 1 in {value!r}")
        return fault, count

    return parse


def parser(
    prog: str,
    description: str,
    kinds: type[FaultKind],
    transient: Sequence[FaultKind],
    *,
    unit: str,
    latency_help: str,
    hang_help: str,
) -> argparse.ArgumentParser:
    """The options every stand-in takes; ``unit`` is what a fault applies to ("requests")."""
    one = unit.removesuffix("s")
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free one)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help=latency_help)
    parser.add_argument(
        "--fault", type=fault_spec(kinds), action="append", default=[],
        metavar="KIND[:N|:*]",
        help=f"queue a fault for the next N {unit} (repeatable, applied in order); "
        "kinds: " + ", ".join(f.value for f in kinds),
    )  # fmt: skip
    parser.add_argument(
        "--fault-probability", type=float, default=0.0, metavar="P",
        help=f"give each other {one} a random fault with probability P",
    )  # fmt: skip
    parser.add_argument(
        "--fault-kinds", default="", metavar="K1,K2",
        help="pool for --fault-probability (default: " + ",".join(f.value for f in transient) + ")",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=None, help="seed for --fault-probability")
    parser.add_argument("--slow-ms", type=float, default=None, help="delay of the 'slow' fault")
    parser.add_argument("--hang-s", type=float, default=None, help=hang_help)
    return parser


def apply_faults(faults: FaultPlan[Any], args: argparse.Namespace) -> None:
    """Queue, randomise and tune ``faults`` as the fault options say."""
    for fault, times in args.fault:
        faults.queue(fault, times)
    if args.fault_probability:
        kinds = [k for k in args.fault_kinds.split(",") if k] or None
        faults.set_probability(args.fault_probability, kinds=kinds, seed=args.seed)
    if args.slow_ms is not None:
        faults.slow_ms = args.slow_ms
    if args.hang_s is not None:
        faults.hang_s = args.hang_s


def serve(
    fake: StandIn[Any],
    stdout: Callable[[], Sequence[str]],
    stderr: Callable[[], str],
    served: str,
) -> int:
    """Serve until SIGINT or SIGTERM; returns the exit status (0).

    Once listening, prints the ``stdout()`` lines (a parent process reads
    them, e.g. ``PORT <n>``) and ``stderr()`` on stderr; after stopping, how
    many ``served`` (e.g. "turns") and tunnels it answered.
    """
    done = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with fake:
        # A parent process reads these lines to learn the port; flush at once.
        for line in stdout():
            print(line, flush=True)
        print(stderr(), file=sys.stderr, flush=True)
        # Short waits so signal handlers get to run promptly on every platform.
        while not done.wait(0.2):
            pass
    print(
        f"{fake.name}: served {fake.request_count} {served}, "
        f"{fake.connect_count} tunnels, peak {fake.peak_in_flight} in flight",
        file=sys.stderr, flush=True,
    )  # fmt: skip
    return 0

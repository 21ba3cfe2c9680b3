"""Run the Edge read-aloud stand-in standalone (for benchmarks and manual tries).

    python -m tests.fakeedge --port 0 --latency-ms 150 --fault 429:2 --fault close

prints ``PORT <n>`` and ``CA <path>`` on stdout once listening, then serves
until SIGINT or SIGTERM. Point sawt at it with ``edge: {proxy:
http://127.0.0.1:<n>, ca_file: <path>}`` in podcast.yaml, or edge-tts with
``proxy=`` and an ``_SSL_CTX`` that trusts the CA file.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .faults import Fault
from .server import FakeEdge


def _fault_spec(value: str) -> tuple[Fault, int | None]:
    """``KIND`` or ``KIND:N`` (N turns) or ``KIND:*`` (every turn)."""
    kind, _, times = value.partition(":")
    try:
        fault = Fault.parse(kind)
    except ValueError:
        choices = ", ".join(f.value for f in Fault)
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakeedge",
        description="Edge read-aloud TTS stand-in on 127.0.0.1 (CONNECT proxy + TLS WebSocket).",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free one)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each answer")
    parser.add_argument(
        "--fault", type=_fault_spec, action="append", default=[], metavar="KIND[:N|:*]",
        help="queue a fault for the next N turns (repeatable, applied in order); "
        "kinds: " + ", ".join(f.value for f in Fault),
    )  # fmt: skip
    parser.add_argument(
        "--fault-probability", type=float, default=0.0, metavar="P",
        help="give each other turn a random fault with probability P",
    )  # fmt: skip
    parser.add_argument(
        "--fault-kinds", default="", metavar="K1,K2",
        help="pool for --fault-probability (default: 429,503,reset,close)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=None, help="seed for --fault-probability")
    parser.add_argument("--slow-ms", type=float, default=None, help="delay of the 'slow' fault")
    parser.add_argument("--hang-s", type=float, default=None, help="hang of 'stall'/'noturnend'")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    fake = FakeEdge(port=args.port, latency_ms=args.latency_ms)
    for fault, times in args.fault:
        fake.faults.queue(fault, times)
    if args.fault_probability:
        kinds = [k for k in args.fault_kinds.split(",") if k] or None
        fake.faults.set_probability(args.fault_probability, kinds=kinds, seed=args.seed)
    if args.slow_ms is not None:
        fake.faults.slow_ms = args.slow_ms
    if args.hang_s is not None:
        fake.faults.hang_s = args.hang_s

    done = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with fake:
        print(f"PORT {fake.port}", flush=True)
        print(f"CA {fake.ca_file}", flush=True)
        print(
            f"fakeedge: proxy={fake.proxy_url} ca_file={fake.ca_file}", file=sys.stderr, flush=True
        )
        while not done.wait(0.2):
            pass
        print(
            f"fakeedge: served {fake.request_count} turns, {fake.connect_count} tunnels, "
            f"peak {fake.peak_in_flight} in flight",
            file=sys.stderr, flush=True,
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the Edge read-aloud stand-in standalone (for benchmarks and manual tries).

    python -m tests.fakeedge --port 0 --latency-ms 150 --fault 429:2 --fault close

prints ``PORT <n>`` and ``CA <path>`` on stdout once listening, then serves
until SIGINT or SIGTERM. Point sawt at it with ``edge: {proxy:
http://127.0.0.1:<n>, ca_file: <path>}`` in podcast.yaml, or edge-tts with
``proxy=`` and an ``_SSL_CTX`` that trusts the CA file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tests.standin import cli

from .faults import TRANSIENT_FAULTS, Fault
from .server import FakeEdge


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; returns the exit status."""
    parser = cli.parser(
        "python -m tests.fakeedge",
        "Edge read-aloud TTS stand-in on 127.0.0.1 (CONNECT proxy + TLS WebSocket).",
        Fault,
        TRANSIENT_FAULTS,
        unit="turns",
        latency_help="delay before each answer",
        hang_help="hang of 'stall'/'noturnend'",
    )
    args = parser.parse_args(argv)
    fake = FakeEdge(port=args.port, latency_ms=args.latency_ms)
    cli.apply_faults(fake.faults, args)
    return cli.serve(
        fake,
        stdout=lambda: [f"PORT {fake.port}", f"CA {fake.ca_file}"],
        stderr=lambda: f"fakeedge: proxy={fake.proxy_url} ca_file={fake.ca_file}",
        served="turns",
    )


if __name__ == "__main__":
    sys.exit(main())

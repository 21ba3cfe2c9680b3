"""Run the fake Google TTS endpoint standalone (for benchmarks and manual tries).

    python -m tests.fakegoogle --port 0 --latency-ms 150 --fault 429:2 --fault reset

prints ``PORT <n>`` on stdout once listening, then serves until SIGINT or
SIGTERM. Point a client at it with ``HTTPS_PROXY=http://127.0.0.1:<n>``
(gTTS) or post to ``http://127.0.0.1:<n>/_/TranslateWebserverUi/data/batchexecute``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tests.standin import cli

from .server import TRANSIENT_FAULTS, FakeGoogle, Fault


def _parser() -> argparse.ArgumentParser:
    parser = cli.parser(
        "python -m tests.fakegoogle",
        "Fake Google Translate TTS endpoint on 127.0.0.1 (proxy + plain HTTP).",
        Fault,
        TRANSIENT_FAULTS,
        unit="requests",
        latency_help="delay added to each answer",
        hang_help="hang of the 'timeout' fault",
    )
    parser.add_argument(
        "--cert-backend", choices=("auto", "cryptography", "openssl"), default="auto"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    fake = FakeGoogle(port=args.port, latency_ms=args.latency_ms, cert_backend=args.cert_backend)
    cli.apply_faults(fake.faults, args)
    return cli.serve(
        fake,
        stdout=lambda: [f"PORT {fake.port}"],
        stderr=lambda: (
            f"fakegoogle: HTTPS_PROXY={fake.proxy_url} (cert: {fake.cert_backend}), "
            f"direct: {fake.tts_url}"
        ),
        served="TTS requests",
    )


if __name__ == "__main__":
    sys.exit(main())

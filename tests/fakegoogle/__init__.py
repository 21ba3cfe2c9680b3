"""Offline stand-in for Google Translate's TTS endpoint, for testing gTTS users.

See :class:`FakeGoogle`. Run standalone with ``python -m tests.fakegoogle``.
"""

from __future__ import annotations

from .server import (
    PROXY_ENV_NAMES,
    RPC_ID,
    TRANSIENT_FAULTS,
    TTS_PATH,
    CertBackend,
    FakeGoogle,
    Fault,
    Faults,
    RequestRecord,
    batchexecute_body,
    parse_tts_body,
    server_ssl_context,
    speech_duration_ms,
    synth_mp3,
)

__all__ = [
    "PROXY_ENV_NAMES",
    "RPC_ID",
    "TRANSIENT_FAULTS",
    "TTS_PATH",
    "CertBackend",
    "FakeGoogle",
    "Fault",
    "Faults",
    "RequestRecord",
    "batchexecute_body",
    "parse_tts_body",
    "server_ssl_context",
    "speech_duration_ms",
    "synth_mp3",
]

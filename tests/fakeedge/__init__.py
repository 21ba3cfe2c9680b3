"""Offline stand-in for Microsoft Edge's read-aloud TTS service, for testing edge-tts users.

See :class:`FakeEdge`. Run standalone with ``python -m tests.fakeedge``.
"""

from __future__ import annotations

from .audio import Boundary, Speech, synth_speech, word_ms, words_of
from .faults import HANDSHAKE_FAULTS, TRANSIENT_FAULTS, Fault, Faults
from .server import VOICES, FakeEdge, RequestRecord, trusted, voice_list

__all__ = [
    "HANDSHAKE_FAULTS",
    "TRANSIENT_FAULTS",
    "VOICES",
    "Boundary",
    "FakeEdge",
    "Fault",
    "Faults",
    "RequestRecord",
    "Speech",
    "synth_speech",
    "trusted",
    "voice_list",
    "word_ms",
    "words_of",
]

"""Deterministic speech-paced MP3 with word timing, the way Edge's service answers.

Every word of the text becomes a voiced-sounding tone burst (a fundamental and
two harmonics with a syllable-rate wobble) separated by silence, so where each
word sits in the audio is known to the sample and visible in the decoded
signal. Pitch and timbre derive from a hash of the voice and the word; the
SSML ``rate`` shortens or stretches every word and gap, ``pitch`` moves the
fundamental. The MP3 is what edge-tts asks for (``audio-24khz-48kbitrate-mono-mp3``):
raw MPEG-2 Layer III frames, 24 kHz mono, 48 kbps CBR, no ID3 or Xing header.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from tests.standin.ffmpeg import encode_mp3 as encode_raw_mp3
from tests.standin.ffmpeg import ffmpeg_exe as ffmpeg_exe  # re-exported for the tests

SAMPLE_RATE = 24000
BITRATE = 48000
FRAME_BYTES = 144  # MPEG-2 Layer III: 72 * 48000 / 24000
FRAME_SAMPLES = 576
BYTES_PER_SECOND = BITRATE // 8
TICKS_PER_SECOND = 10_000_000  # offsets and durations travel in 100-ns ticks
# LAME starts its output this many samples before the first input sample; with
# no LAME tag to say so, every decoder plays them, so boundary offsets include them.
ENCODER_DELAY = 1105

LEAD_MS = 80  # silence before the first word
TAIL_MS = 150  # silence after the last word
MS_PER_LETTER = 65
MIN_WORD_MS = 160
GAP_MS = 90  # between words
PAUSE_MS = 260  # after a word that ends a clause or sentence
FADE_MS = 8
AMPLITUDE = 0.3

_SENTENCE_END = set(".!?؟۔")
_CLAUSE_END = set(",;:،؛")


@dataclass(frozen=True)
class Boundary:
    """One boundary event: the text it covers and where, in 100-ns ticks."""

    kind: str  # "WordBoundary" or "SentenceBoundary"
    text: str
    offset: int
    duration: int

    @property
    def end(self) -> int:
        """Where the covered text ends, in ticks."""
        return self.offset + self.duration


@dataclass(frozen=True)
class Speech:
    """What the stand-in says for one request: MP3 bytes and every boundary event."""

    mp3: bytes
    words: tuple[Boundary, ...]
    sentences: tuple[Boundary, ...]

    @property
    def duration_s(self) -> float:
        """Length of the decoded audio (whole MP3 frames)."""
        return len(self.mp3) // FRAME_BYTES * FRAME_SAMPLES / SAMPLE_RATE


def _strip_punct(token: str) -> str:
    def is_punct(ch: str) -> bool:
        return unicodedata.category(ch)[0] in "PS"

    start, end = 0, len(token)
    while start < end and is_punct(token[start]):
        start += 1
    while end > start and is_punct(token[end - 1]):
        end -= 1
    return token[start:end]


def words_of(text: str) -> list[tuple[str, str]]:
    """(word, the punctuation after it) for every token of ``text`` with a letter or digit.

    Like the real service, boundary events name words without the
    punctuation around them; a token of punctuation alone is not a word.
    """
    out: list[tuple[str, str]] = []
    for token in text.split():
        word = _strip_punct(token)
        if re.search(r"\w", word):
            out.append((word, token[token.rfind(word) + len(word) :]))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + token)
    return out


def letters(word: str) -> int:
    """Letters and digits in ``word`` (diacritics do not lengthen it)."""
    return len(re.findall(r"\w", word))


def speed_factor(rate: str) -> float:
    """SSML ``rate`` like ``+20%`` as a speed multiplier (1.2)."""
    match = re.fullmatch(r"([+-]\d+)%", rate)
    return max(0.25, 1 + int(match.group(1)) / 100) if match else 1.0


def pitch_shift(pitch: str) -> float:
    """SSML ``pitch`` like ``-5Hz`` in Hz."""
    match = re.fullmatch(r"([+-]\d+)Hz", pitch)
    return float(match.group(1)) if match else 0.0


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).digest()


def _tone(word: str, voice: str, pitch: str, samples: int) -> np.ndarray:
    voice_hash, word_hash = _digest(voice), _digest(voice, word)
    f0 = 95 + voice_hash[0] % 120 + pitch_shift(pitch) + word_hash[0] % 30
    f0 = max(60.0, f0)
    wobble = 3.5 + (word_hash[1] % 30) / 10
    p1, p2 = (b / 255 * 6.28 for b in word_hash[2:4])
    t = np.arange(samples) / SAMPLE_RATE
    wave = (
        np.sin(2 * np.pi * f0 * t)
        + 0.5 * np.sin(4 * np.pi * f0 * t + p1)
        + 0.3 * np.sin(6 * np.pi * f0 * t + p2)
    ) / 1.8
    wave *= 0.75 + 0.25 * np.sin(2 * np.pi * wobble * t)
    fade = min(samples // 2, SAMPLE_RATE * FADE_MS // 1000)
    if fade:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade))
        wave[:fade] *= ramp
        wave[samples - fade :] *= ramp[::-1]
    return np.asarray(AMPLITUDE * wave)


def word_ms(word: str, rate: str = "+0%") -> float:
    """How long the stand-in speaks ``word`` at ``rate``."""
    return max(MIN_WORD_MS, MS_PER_LETTER * letters(word)) / speed_factor(rate)


def _samples(ms: float) -> int:
    return round(ms * SAMPLE_RATE / 1000)


def _ticks(samples: int) -> int:
    return samples * TICKS_PER_SECOND // SAMPLE_RATE


def synth_pcm(
    text: str, voice: str, rate: str = "+0%", pitch: str = "+0Hz"
) -> tuple[bytes, tuple[Boundary, ...], tuple[Boundary, ...]]:
    """16-bit PCM of ``text`` plus word and sentence boundaries (in ticks of the MP3)."""
    speed = speed_factor(rate)
    chunks: list[np.ndarray] = [np.zeros(_samples(LEAD_MS))]
    position = len(chunks[0])
    words: list[Boundary] = []
    sentences: list[Boundary] = []
    sentence_words: list[Boundary] = []
    items = words_of(text)
    for n, (word, after) in enumerate(items):
        length = _samples(word_ms(word, rate))
        chunks.append(_tone(word, voice, pitch, length))
        boundary = Boundary("WordBoundary", word, _ticks(position + ENCODER_DELAY), _ticks(length))
        words.append(boundary)
        sentence_words.append(boundary)
        position += length
        ends_sentence = any(ch in _SENTENCE_END for ch in after) or n == len(items) - 1
        pause = PAUSE_MS if ends_sentence or any(ch in _CLAUSE_END for ch in after) else GAP_MS
        if n < len(items) - 1:
            gap = _samples(pause / speed)
            chunks.append(np.zeros(gap))
            position += gap
        if ends_sentence:
            first, last = sentence_words[0], sentence_words[-1]
            spoken = " ".join(b.text for b in sentence_words)
            sentences.append(
                Boundary("SentenceBoundary", spoken, first.offset, last.end - first.offset)
            )
            sentence_words = []
    chunks.append(np.zeros(_samples(TAIL_MS)))
    signal = np.concatenate(chunks)
    pcm = np.round(signal * 32767).astype("<i2").tobytes()
    return pcm, tuple(words), tuple(sentences)


def encode_mp3(pcm: bytes) -> bytes:
    """24 kHz mono PCM → 48 kbps CBR MP3 frames, byte-identical for the same input."""
    args = [
        "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", "48k",
    ]  # fmt: skip
    return encode_raw_mp3(args, pcm, timeout=120)


def synth_speech(text: str, voice: str, rate: str = "+0%", pitch: str = "+0Hz") -> Speech:
    """The whole answer to one request: MP3 and its boundary events."""
    pcm, words, sentences = synth_pcm(text, voice, rate, pitch)
    return Speech(encode_mp3(pcm), words, sentences)

"""Assemble clips into one episode: trim, pause, join, normalise loudness, encode MP3."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sawt.config import AudioSettings
from sawt.engines.base import Clip
from sawt.errors import AudioError
from sawt.ffmpeg import pydub, run_ffmpeg

SILENCE_DBFS = -50.0  # below this a 10 ms window counts as silence
EDGE_KEEP_MS = 30  # keep a little of the fade so words do not start abruptly
LOUDNESS_TOLERANCE = 0.3  # LU: a miss larger than this is corrected by a second encode


@dataclass(frozen=True)
class Span:
    """Where one piece sits in the episode, in milliseconds."""

    index: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP, if measured) from ffmpeg's ebur128."""

    integrated: float
    true_peak: float | None = None


def trim_silence(clip: Clip) -> Clip:
    """Cut leading and trailing silence (keeping a few ms) from a clip."""
    audio_segment = pydub()
    from pydub.silence import detect_leading_silence

    seg = audio_segment(data=clip.pcm, sample_width=2, frame_rate=clip.sample_rate, channels=1)
    lead = detect_leading_silence(seg, silence_threshold=SILENCE_DBFS, chunk_size=10)
    trail = detect_leading_silence(seg.reverse(), silence_threshold=SILENCE_DBFS, chunk_size=10)
    if lead >= len(seg):  # all silence: keep nothing rather than a blank gap
        return Clip(b"", clip.sample_rate)
    start = max(0, lead - EDGE_KEEP_MS)
    end = min(len(seg), len(seg) - trail + EDGE_KEEP_MS)
    frames = clip.sample_rate / 1000
    return Clip(clip.pcm[int(start * frames) * 2 : int(end * frames) * 2], clip.sample_rate)


def write_pcm(
    clips: Iterable[tuple[int, Clip, int]],
    out: BinaryIO,
    sample_rate: int,
    on_piece: Callable[[int], None] | None = None,
) -> list[Span]:
    """Write (index, clip, pause_ms) in order to ``out`` as raw PCM; return their spans.

    Audio is streamed to disk piece by piece, so memory stays bounded by one clip.
    Times are counted in samples, so the spans are exact.
    """
    spans: list[Span] = []
    samples = 0
    for index, clip, pause_ms in clips:
        if clip.sample_rate != sample_rate:
            raise AudioError(
                f"piece {index} is {clip.sample_rate} Hz, the episode is {sample_rate} Hz"
            )
        start = samples
        out.write(clip.pcm)
        samples += len(clip.pcm) // 2
        end = samples
        pause = round(pause_ms * sample_rate / 1000)
        out.write(b"\0\0" * pause)
        samples += pause
        spans.append(Span(index, _ms(start, sample_rate), _ms(end, sample_rate)))
        if on_piece:
            on_piece(index)
    return spans


def _ms(samples: int, rate: int) -> int:
    return round(samples * 1000 / rate)


def _raw_input(path: Path, sample_rate: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", str(path)]


_I = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS", re.S)
_PEAK = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS", re.S)


def parse_ebur128(log: str) -> Loudness:
    """Read the summary ffmpeg's ebur128 filter prints."""
    i, p = _I.search(log), _PEAK.search(log)
    if not i:
        raise AudioError("could not read the loudness measurement from ffmpeg")
    return Loudness(float(i.group(1)), float(p.group(1)) if p else None)


def measure(args: list[str], *, true_peak: bool = False) -> Loudness:
    """Measure integrated loudness (and, costing 4× oversampling, true peak)."""
    graph = "ebur128=peak=true" if true_peak else "ebur128"
    log = run_ffmpeg([*args, "-af", graph, "-f", "null", "-"])
    return parse_ebur128(log)


def measure_file(path: Path, *, true_peak: bool = False) -> Loudness:
    """Measure an encoded audio file."""
    return measure(["-i", str(path)], true_peak=true_peak)


def encode_mp3(raw: Path, sample_rate: int, out: Path, settings: AudioSettings) -> Loudness:
    """Normalise the whole episode once and encode it as CBR MP3 with an Info header.

    Pass one measures; pass two applies one gain, a look-ahead limiter for the
    true-peak ceiling, resamples and encodes. The limiter and the encoder's
    low-pass lower loudness a little, so the MP3 itself is measured, and when it
    misses the target by more than LOUDNESS_TOLERANCE it is encoded once more
    with the gain corrected.
    Returns the measured loudness of the encoded episode.
    """
    before = measure(_raw_input(raw, sample_rate))
    if before.integrated == float("-inf") or before.integrated < -70:
        raise AudioError("the episode is silent: the engine produced no audible speech")
    gain = settings.loudness - before.integrated
    _encode(raw, sample_rate, out, settings, gain)
    after = measure_file(out)
    miss = settings.loudness - after.integrated
    if abs(miss) > LOUDNESS_TOLERANCE:
        _encode(raw, sample_rate, out, settings, gain + miss)
        after = measure_file(out)
    return after


def _encode(raw: Path, sample_rate: int, out: Path, settings: AudioSettings, gain: float) -> None:
    # The limiter acts on samples; leave 0.5 dB for inter-sample and encoder overshoot.
    ceiling = 10 ** ((settings.true_peak - 0.5) / 20)
    graph = (
        f"volume={gain:.2f}dB,aresample={settings.sample_rate},"
        f"alimiter=limit={ceiling:.4f}:level=false:latency=true:attack=5:release=50"
    )
    run_ffmpeg(
        [
            *_raw_input(raw, sample_rate),
            "-af",
            graph,
            "-ar",
            str(settings.sample_rate),
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            f"{settings.bitrate}k",
            "-write_xing",
            "1",
            "-id3v2_version",
            "0",
            "-map_metadata",
            "-1",
            "-f",
            "mp3",
            str(out),
        ]
    )

"""Assemble clips into one episode: trim, pause, join, normalise loudness, encode MP3."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from sawt.config import AudioSettings
from sawt.errors import AudioError
from sawt.ffmpeg import ffmpeg_exe, run_ffmpeg
from sawt.speech.engines.base import Clip

LOUDNESS_TOLERANCE = 0.3  # LU: a miss larger than this is corrected by a second encode
# Low-bitrate MP3 loses a little high-frequency energy, which K-weighting
# counts: measured 0.5 LU (gTTS) to 0.7 LU (espeak) on speech at 64 kbps.
CODEC_LOSS_LU = 0.6


@dataclass(frozen=True)
class Span:
    """Where one piece sits in the episode, in milliseconds."""

    index: int
    start_ms: int
    end_ms: int
    # (word, start ms, end ms) in episode time, when the engine timed its words.
    words: tuple[tuple[str, int, int], ...] | None = None


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP, if measured) from ffmpeg's ebur128."""

    integrated: float
    true_peak: float | None = None


class LoudnessMeter:
    """Measures integrated loudness of PCM while it is written (a parallel ffmpeg).

    Feeding the meter as pieces arrive overlaps the first loudness pass with
    synthesis, so only the encode is left once the last piece is spoken.
    """

    def __init__(self, sample_rate: int) -> None:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in result() or abort()
        cmd = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            *_raw_args(sample_rate),
            "-i",
            "pipe:0",
            "-af",
            "ebur128=framelog=quiet",
            "-f",
            "null",
            "-",
        ]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log
        )
        if self._proc.stdin is None:  # pragma: no cover - PIPE always gives one
            raise AudioError("could not start the loudness meter (ffmpeg)")
        self._stdin: IO[bytes] = self._proc.stdin

    def write(self, data: bytes) -> None:
        """Feed PCM."""
        try:
            self._stdin.write(data)
        except BrokenPipeError as exc:
            raise AudioError("the loudness meter (ffmpeg) stopped early") from exc

    def result(self) -> Loudness:
        """Close the input and read the measurement."""
        self._stdin.close()
        code = self._proc.wait()
        self._log.seek(0)
        log = self._log.read().decode("utf-8", "replace")
        self._log.close()
        if code != 0:
            raise AudioError(f"the loudness meter (ffmpeg) failed with exit {code}")
        return parse_ebur128(log)

    def abort(self) -> None:
        """Stop the meter after a failure."""
        self._proc.kill()
        self._proc.wait()
        self._log.close()


def write_pcm(
    clips: Iterable[tuple[int, Clip, int]],
    outs: Sequence[BinaryIO | LoudnessMeter],
    sample_rate: int,
    on_piece: Callable[[int], None] | None = None,
) -> list[Span]:
    """Write (index, clip, pause_ms) in order to every sink as raw PCM; return the spans.

    Audio is streamed piece by piece, so memory stays bounded by one clip.
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
        pause = round(pause_ms * sample_rate / 1000)
        data = clip.pcm + b"\0\0" * pause
        for out in outs:
            out.write(data)
        samples += len(clip.pcm) // 2
        end = samples
        samples += pause
        words = None
        if clip.words:
            offset = start * 1000 / sample_rate
            words = tuple(
                (w.text, round(offset + w.start_ms), round(offset + w.end_ms)) for w in clip.words
            )
        spans.append(Span(index, _ms(start, sample_rate), _ms(end, sample_rate), words))
        if on_piece:
            on_piece(index)
    return spans


def _ms(samples: int, rate: int) -> int:
    return round(samples * 1000 / rate)


def _raw_args(sample_rate: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1"]


def _raw_input(path: Path, sample_rate: int) -> list[str]:
    return [*_raw_args(sample_rate), "-i", str(path)]


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
    # framelog=quiet: by default ebur128 logs every 100 ms, megabytes for long episodes.
    graph = "ebur128=framelog=quiet" + (":peak=true" if true_peak else "")
    log = run_ffmpeg([*args, "-af", graph, "-f", "null", "-"])
    return parse_ebur128(log)


def measure_file(path: Path, *, true_peak: bool = False) -> Loudness:
    """Measure an encoded audio file."""
    return measure(["-i", str(path)], true_peak=true_peak)


def encode_mp3(
    raw: Path,
    sample_rate: int,
    out: Path,
    settings: AudioSettings,
    measured: Loudness | None = None,
) -> Loudness:
    """Normalise the whole episode once and encode it as CBR MP3 with an Info header.

    ``measured`` (or a pass over ``raw``) gives the episode's loudness. Then one
    gain and a look-ahead limiter (for the true-peak ceiling) are applied at the
    engine's rate, measuring the result; if the limiter pulled it off target by
    more than LOUDNESS_TOLERANCE the gain is corrected once. The last pass only
    resamples and encodes, so the slow 44.1 kHz work runs once.
    Returns the loudness of the limited episode, as it goes to the encoder.
    """
    before = measured or measure(_raw_input(raw, sample_rate))
    if before.integrated == float("-inf") or before.integrated < -70:
        raise AudioError("the episode is silent: the engine produced no audible speech")
    aim = settings.loudness + CODEC_LOSS_LU
    gain = aim - before.integrated
    limited = raw.with_suffix(".limited.pcm")
    try:
        after = _limit(raw, limited, sample_rate, settings, gain)
        miss = round(aim - after.integrated, 1)  # ebur128 reports 0.1 LU steps
        if abs(miss) > LOUDNESS_TOLERANCE:
            after = _limit(raw, limited, sample_rate, settings, gain + miss)
        _encode(limited, sample_rate, out, settings)
    finally:
        limited.unlink(missing_ok=True)
    return Loudness(after.integrated - CODEC_LOSS_LU)


def _limit(raw: Path, out: Path, rate: int, settings: AudioSettings, gain: float) -> Loudness:
    """Apply gain and the limiter at the engine's rate; measure what comes out."""
    # The limiter acts on samples; leave 0.5 dB for inter-sample and encoder overshoot.
    ceiling = 10 ** ((settings.true_peak - 0.5) / 20)
    graph = (
        f"[0:a]volume={gain:.2f}dB,"
        f"alimiter=limit={ceiling:.4f}:level=false:latency=true:attack=5:release=50,"
        "asplit=2[out][m];[m]ebur128=framelog=quiet,anullsink"
    )
    log = run_ffmpeg(
        [
            *_raw_input(raw, rate),
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            *_raw_args(rate),
            str(out),
        ]
    )
    return parse_ebur128(log)


def _encode(limited: Path, sample_rate: int, out: Path, settings: AudioSettings) -> None:
    """Resample and encode CBR MP3 with a Xing/Info header, no tags (mutagen adds them)."""
    run_ffmpeg(
        [
            *_raw_input(limited, sample_rate),
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

"""Where a render's time goes: each step of the pipeline timed alone, on one article.

Runs the steps of ``sawt.pipeline`` one at a time in this process (espeak
engine): read+clean+script (with the top functions from cProfile), synthesis
to raw PCM, then every ffmpeg pass of the assembly separately (the loudness
meter, the gain + limiter pass, the resample + MP3 encode), so their costs can
be told apart. It also says whether the corrective limiter pass fires for this
article, and what the MP3 measures.

    PYTHONPATH=src python bench/stages.py ARTICLE [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from sawt.audio.assemble import (
    CODEC_LOSS_LU,
    LOUDNESS_TOLERANCE,
    Loudness,
    LoudnessMeter,
    _encode,
    _limit,
    _raw_input,
    measure,
    measure_file,
    write_pcm,
)
from sawt.config import Settings
from sawt.ffmpeg import run_ffmpeg
from sawt.pipeline import prepare
from sawt.speech.engines import create_engine
from sawt.speech.synth import Synthesizer

T = TypeVar("T")


def timed(label: str, fn: Callable[[], T], rows: list[tuple[str, float]]) -> T:
    """Run ``fn``, append (label, seconds) to ``rows``, return its result."""
    start = time.perf_counter()
    result = fn()
    rows.append((label, time.perf_counter() - start))
    print(f"{label}: {rows[-1][1]:.2f} s", file=sys.stderr, flush=True)
    return result


def encode_only(raw: Path, rate: int, out: Path, graph: str) -> None:
    """One MP3 encode with a given filter graph (to isolate the limiter's cost)."""
    codec = ["-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", str(out)]
    run_ffmpeg([*_raw_input(raw, rate), "-af", graph, *codec])


def main() -> int:
    """Time every step and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("article", type=Path)
    parser.add_argument("--profile", type=int, default=12, help="top functions of the script")
    args = parser.parse_args()
    settings = Settings()
    engine = create_engine("espeak", settings)
    rows: list[tuple[str, float]] = []
    profiler = cProfile.Profile()
    prepared = timed(
        "read+clean+script",
        lambda: profiler.runcall(prepare, args.article, settings, engine.max_chars, engine.caps),
        rows,
    )
    rate = engine.sample_rate
    with tempfile.TemporaryDirectory() as tmp:
        raw, mp3 = Path(tmp) / "episode.pcm", Path(tmp) / "episode.mp3"

        def synthesize() -> None:
            with open(raw, "wb") as out:
                write_pcm(Synthesizer(engine).run(prepared.pieces), [out], rate)

        timed("synthesis + trim + write raw (no meter)", synthesize, rows)
        audio_s = raw.stat().st_size / 2 / rate

        def meter() -> Loudness:
            m = LoudnessMeter(rate)
            with open(raw, "rb") as f:
                while chunk := f.read(1 << 20):
                    m.write(chunk)
            return m.result()

        before = timed("loudness meter alone (overlaps synthesis in a render)", meter, rows)
        timed("measure raw (ebur128, file input)", lambda: measure(_raw_input(raw, rate)), rows)
        aim = settings.audio.loudness + CODEC_LOSS_LU
        gain = aim - before.integrated
        limited = Path(tmp) / "limited.pcm"
        first = timed(
            "gain + limiter at the engine's rate, measured in the same pass",
            lambda: _limit(raw, limited, rate, settings.audio, gain),
            rows,
        )
        miss = round(aim - first.integrated, 1)
        timed(
            "resample to 44.1 kHz + LAME encode",
            lambda: _encode(limited, rate, mp3, settings.audio),
            rows,
        )
        after = timed(
            "measure the MP3 (decode + ebur128; tests only)", lambda: measure_file(mp3), rows
        )
        timed(
            "LAME only, 22.05 kHz in, no resample",
            lambda: encode_only(limited, rate, Path(tmp) / "b.mp3", "anull"),
            rows,
        )
    print(f"\n{args.article.name}: {len(prepared.pieces)} pieces, {audio_s:.0f} s of audio")
    print(
        f"limiter pass landed {first.integrated:.1f} LUFS (aim {aim:.1f}): miss {miss:+.1f} LU "
        f"→ corrective limiter pass {'FIRES' if abs(miss) > LOUDNESS_TOLERANCE else 'not needed'}; "
        f"the MP3 measures {after.integrated:.1f} LUFS (target {settings.audio.loudness:.1f})"
    )
    print("\n| step | s | × real time |\n|---|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} | {audio_s / seconds:.0f}× |")
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(args.profile)
    print("\nread+clean+script, cProfile (cumulative):\n")
    print(stream.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

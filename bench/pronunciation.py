"""How well espeak can pronounce what sawt sends it, and what the Arabic front end costs.

For each article (the sample and tests/data/corpus/*.txt) it reports the share
of Arabic words whose espeak IPA has an impossible syllable (a word-initial
consonant cluster, or three consonants in a row):

- before: the text as written (what espeak heard before the front end);
- numbers only: numbers verbalized, no diacritics;
- full: every word diacritized (text2tashkeel, adapted for espeak);
- after: sawt's espeak front end (numbers, Latin, lexicon, selective diacritics).

Then it times the front end against a full offline render of the sample
(``python -m sawt render`` in a temporary folder).

    PYTHONPATH=src python bench/pronunciation.py [--no-render] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "000_f15fce85f70c3c01.txt"
CORPUS = sorted((ROOT / "tests" / "data" / "corpus").glob("*.txt"))


@dataclass
class Row:
    name: str
    words: int
    before: float
    numbers_only: float
    full: float
    after: float
    bad_after: list[str]


def _share(texts: list[str]) -> tuple[float, int, list[str]]:
    from sawt.speech.arabic.phonemes import bad_words

    bad, total, which = bad_words("\n".join(texts))
    return (100.0 * bad / total if total else 0.0), total, which


def _full_diacritics(text: str) -> str:
    from sawt.speech.arabic.diacritics import adapt_for_espeak, align_marks, strip_marks, tashkeel

    marked = align_marks(text, tashkeel(strip_marks(text)))
    if marked is None:
        return text
    plain = text.split()
    return " ".join(adapt_for_espeak(m) if m else p for m, p in zip(marked, plain, strict=True))


def measure(path: Path) -> Row:
    """Impossible-word shares for one article, before and after the front end."""
    from sawt.config import Settings
    from sawt.models import TextCaps
    from sawt.pipeline import prepare
    from sawt.speech.engines.espeak import EspeakEngine

    settings = Settings(root=path.parent)
    plain = prepare(path, settings, EspeakEngine.max_chars, TextCaps())
    numbers = prepare(path, settings, EspeakEngine.max_chars, TextCaps(verbalize_numbers=True))
    after = prepare(path, settings, EspeakEngine.max_chars, EspeakEngine.caps)
    before, words, _ = _share([p.original for p in plain.pieces])
    numbers_only, _, _ = _share([p.spoken for p in numbers.pieces])
    full, _, _ = _share([_full_diacritics(p.spoken) for p in numbers.pieces])
    after_share, _, bad = _share([p.spoken for p in after.pieces])
    return Row(path.name, words, before, numbers_only, full, after_share, bad)


def front_end_seconds(path: Path) -> tuple[float, float]:
    """(cold, warm) seconds the espeak front end adds to preparing ``path``.

    Cold includes loading the diacritizer model; run this first in a fresh process.
    """
    from sawt.config import Settings
    from sawt.models import TextCaps
    from sawt.pipeline import prepare
    from sawt.speech.engines.espeak import EspeakEngine

    settings = Settings(root=path.parent)
    t0 = time.perf_counter()
    prepare(path, settings, EspeakEngine.max_chars, TextCaps())
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    prepare(path, settings, EspeakEngine.max_chars, EspeakEngine.caps)
    cold = time.perf_counter() - t0 - t_plain
    from sawt.speech.arabic.diacritics import tashkeel
    from sawt.speech.arabic.phonemes import _ipa

    tashkeel.cache_clear()
    _ipa.cache_clear()
    t0 = time.perf_counter()
    prepare(path, settings, EspeakEngine.max_chars, EspeakEngine.caps)
    warm = time.perf_counter() - t0 - t_plain
    return cold, warm


def render_seconds(path: Path) -> float:
    """Wall time of ``python -m sawt render`` on a copy of ``path`` in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="sawt-bench-") as tmp:
        shutil.copy(path, Path(tmp) / path.name)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sawt", "render", path.name],
            cwd=tmp,
            env=env,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - t0


def main() -> None:
    """Print the measurements (as a Markdown table with --markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-render", action="store_true", help="skip the render timing")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    cold, warm = front_end_seconds(SAMPLE)  # first: the model is not loaded yet
    rows = [measure(p) for p in [SAMPLE, *CORPUS]]
    print("| article | Arabic words | before | numbers only | full tashkeel | after |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.name} | {r.words} | {r.before:.1f}% | {r.numbers_only:.1f}% "
            f"| {r.full:.1f}% | **{r.after:.1f}%** |"
        )
    for r in rows:
        if r.bad_after:
            print(f"\n{r.name} still impossible: {' '.join(r.bad_after)}")
    print(f"\nfront end on the sample: {cold:.3f} s cold (model load), {warm:.3f} s warm")
    if not args.no_render:
        runs = sorted(render_seconds(SAMPLE) for _ in range(3))
        median = runs[1]
        print(
            f"offline render of the sample (python -m sawt render, median of 3): {median:.2f} s"
            f" → front end {100 * cold / median:.1f}% cold, {100 * warm / median:.1f}% warm"
        )


if __name__ == "__main__":
    main()

"""De-duplication at scale: the indexed dedupe decides exactly as the old one, in linear work."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sawt.read.clean import dedupe
from sawt.read.document import Article, Block
from tests.conftest import ROOT
from tests.dedupe_reference import reference_dedupe

# Few words, some the start of others, so copies, cuts and overlaps are frequent.
VOCAB = ("ب", "بي", "بيت", "كتاب", "كتب", "في", "من", "قال", "قالت", "الوزير", "الوزارة", "اليوم")


def _text(rng: random.Random, ws: list[str]) -> str:
    return " ".join(ws) + rng.choice((".", "،", "!", ""))


def random_blocks(rng: random.Random, count: int) -> tuple[Block, ...]:
    """Paragraphs and headings with exact, cut, edited, longer and shorter repeats."""
    texts: list[str] = []
    blocks: list[Block] = []
    for line in range(1, count + 1):
        roll = rng.random()
        if roll < 0.1:
            blocks.append(Block("heading", rng.choice(VOCAB), line))
            continue
        if not texts or roll < 0.35:
            text = _text(rng, rng.choices(VOCAB, k=rng.choice((0, 1, 2, 3, 4, 5, 8, 12, 20))))
        else:
            earlier = rng.choice(texts)
            ws = earlier.rstrip(".،!").split()
            kind = rng.randrange(6)
            if kind == 0:
                text = earlier
            elif kind == 1:  # cut anywhere, often mid-word
                text = earlier[: rng.randrange(1, len(earlier) + 1)] if earlier else earlier
            elif kind == 2:  # a fuller version: new words before or after
                extra = rng.choices(VOCAB, k=rng.randint(1, 6))
                text = _text(rng, extra + ws if rng.random() < 0.5 else ws + extra)
            elif kind == 3 and ws:  # one word changed
                ws[rng.randrange(len(ws))] = rng.choice(VOCAB)
                text = _text(rng, ws)
            elif kind == 4 and ws:  # one word left out
                del ws[rng.randrange(len(ws))]
                text = _text(rng, ws)
            else:  # two earlier paragraphs run together
                text = earlier + " " + rng.choice(texts)
        texts.append(text)
        blocks.append(Block("paragraph", text, line))
    return tuple(blocks)


@pytest.mark.parametrize("seed", range(40))
def test_same_decisions_as_the_quadratic_version(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        blocks = random_blocks(rng, rng.randint(1, 60))
        article = Article(path=Path("x.txt"), title="t", blocks=blocks)
        cleaned, report = dedupe(article)
        kept, dropped, replaced = reference_dedupe(blocks)
        assert list(cleaned.blocks) == kept
        assert list(report.dropped) == dropped
        assert list(report.replaced) == replaced


def test_the_generator_exercises_every_decision() -> None:
    """The comparison above means something only if every path is taken often."""
    rng = random.Random(0)
    totals = [0, 0, 0]
    for _ in range(200):
        _, dropped, replaced = reference_dedupe(random_blocks(rng, 40))
        totals[0] += len(dropped)
        totals[1] += len(replaced)
        totals[2] += 1
    assert totals[0] > 1000 and totals[1] > 100


def _bench_inputs() -> ModuleType:
    """bench/inputs.py, loaded by path: bench/ holds scripts, not a package."""
    spec = importlib.util.spec_from_file_location("bench_inputs", ROOT / "bench" / "inputs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_work_grows_linearly_with_paragraphs() -> None:
    """4× the paragraphs costs at most ~5× the candidate comparisons (quadratic would be 16×)."""
    make = _bench_inputs().paragraphs_with_repeats
    reports = {}
    for size in (2000, 8000):
        blocks = tuple(Block("paragraph", t, i + 1) for i, t in enumerate(make(size, 13)))
        _, report = dedupe(Article(path=Path("x.txt"), title="t", blocks=blocks))
        # The repeats are found at every size: one in ten paragraphs.
        assert report.removed == pytest.approx(size / 10, rel=0.05)
        reports[size] = report
    small, large = reports[2000].compared, reports[8000].compared
    assert small >= 200  # enough work measured for the ratio to mean something
    assert large / small <= 5

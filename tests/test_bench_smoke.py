"""The benchmark suite's input generator: deterministic, the right sizes, nothing de-duplicated."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sawt.read.article import read_article
from sawt.read.clean import dedupe
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _inputs() -> ModuleType:
    """bench/inputs.py, loaded by path: bench/ holds scripts, not a package."""
    path = ROOT / "bench" / "inputs.py"
    spec = importlib.util.spec_from_file_location("bench_inputs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def inputs() -> ModuleType:
    """The generator module."""
    return _inputs()


def test_same_seed_same_text(inputs: ModuleType) -> None:
    """The inputs are a function of the seed alone."""
    first = inputs.article_text(7, 20_000, title="t", sections=3)
    assert first == inputs.article_text(7, 20_000, title="t", sections=3)
    assert first != inputs.article_text(8, 20_000, title="t", sections=3)


def test_written_inputs_are_deterministic(inputs: ModuleType, tmp_path: Path) -> None:
    """Two writes with the same seed give byte-identical files."""
    a = inputs.write_inputs(tmp_path / "a", batch=3)
    b = inputs.write_inputs(tmp_path / "b", batch=3)
    for x, y in ((a.article_20k, b.article_20k), (a.text_150k, b.text_150k)):
        assert x.read_bytes() == y.read_bytes()
    names = sorted(p.name for p in a.batch_dir.glob("*.md"))
    assert names == sorted(p.name for p in b.batch_dir.glob("*.md"))
    assert len(names) == 3
    for name in names:
        assert (a.batch_dir / name).read_bytes() == (b.batch_dir / name).read_bytes()


@pytest.fixture(scope="module")
def written(inputs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One full set of inputs: the sample, 20k, 150k and a batch of 20."""
    return inputs.write_inputs(tmp_path_factory.mktemp("inputs"), batch=20)


def _chars(path: Path) -> int:
    return len(path.read_text("utf-8"))


def test_sizes(written: Any) -> None:
    """Each input is within 10% of its nominal size."""
    assert _chars(written.article_20k) == pytest.approx(20_000, rel=0.1)
    assert _chars(written.text_150k) == pytest.approx(150_000, rel=0.1)
    batch = sorted(written.batch_dir.glob("*.md"))
    assert len(batch) == 20
    for path in batch:
        assert _chars(path) == pytest.approx(3_000, rel=0.1)


def test_long_text_has_sections(written: Any) -> None:
    """The 150k text has ## sections, so its episode has chapters."""
    article = read_article(written.text_150k)
    assert sum(b.kind == "heading" for b in article.blocks) >= 10


def test_dedupe_keeps_every_paragraph(written: Any) -> None:
    """No generated paragraph repeats another: the de-duplicator drops none."""
    paths = [written.article_20k, written.text_150k]
    paths += sorted(written.batch_dir.glob("*.md"))
    for path in paths:
        article = read_article(path)
        cleaned, report = dedupe(article)
        assert report.removed == 0, path.name
        assert cleaned.blocks == article.blocks
        paragraphs = [b.text for b in article.blocks if b.kind == "paragraph"]
        assert len(set(paragraphs)) == len(paragraphs) >= 4


def test_batch_articles_are_distinct(written: Any) -> None:
    """The batch's articles differ from each other: 20 different episodes."""
    texts = {p.read_text("utf-8") for p in written.batch_dir.glob("*.md")}
    assert len(texts) == 20

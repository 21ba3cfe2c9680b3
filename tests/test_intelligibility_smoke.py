"""The intelligibility benchmark's scorer on one short piece (needs the ``bench`` extra).

Skips, saying why, when faster-whisper or the Whisper weight wheels are not
installed: they are never a dependency of sawt or of the default tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sawt.speech.arabic.spoken import spoken_form
from sawt.speech.engines.espeak import EspeakEngine
from tests.conftest import ROOT


def _load(name: str) -> ModuleType:
    """A bench/ script loaded by path: bench/ holds scripts, not a package."""
    path = ROOT / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


whisper_score = _load("whisper_score")
_MISSING = whisper_score.missing()
pytestmark = pytest.mark.skipif(
    _MISSING is not None, reason=f"bench extra not installed: {_MISSING}"
)

RIGHT = "استقبل المدير العام للأمن الوطني بالرباط وفدا أمنيا رفيع المستوى"
WRONG = "وتوقع البنك المركزي نمو الاقتصاد خلال العام المقبل بفضل الصادرات"


@pytest.fixture(scope="module")
def scorer() -> object:
    return whisper_score.Scorer(threads=2)


def test_weights_are_joined_once_and_checked(tmp_path: Path) -> None:
    folder = whisper_score.model_dir(tmp_path)
    model = folder / "model.bin"
    assert model.stat().st_size == whisper_score.MODEL_BYTES
    assert (folder / "model.sha256").read_text().strip() == whisper_score.MODEL_SHA256
    assert whisper_score._sha256(model) == whisper_score.MODEL_SHA256
    first = model.stat().st_mtime_ns
    assert whisper_score.model_dir(tmp_path) == folder
    assert model.stat().st_mtime_ns == first  # not joined again


def test_a_damaged_join_is_refused(tmp_path: Path) -> None:
    folder = whisper_score.model_dir(tmp_path)
    with open(folder / "model.bin", "r+b") as fh:
        fh.truncate(1000)
    # A wrong size makes it join again, from the wheels, and check the hash.
    assert (whisper_score.model_dir(tmp_path) / "model.bin").stat().st_size == (
        whisper_score.MODEL_BYTES
    )


def test_the_right_text_beats_a_mismatched_one(scorer: object) -> None:
    engine = EspeakEngine()
    pcm = engine.fetch(spoken_form(RIGHT, EspeakEngine.caps))
    audio = whisper_score.resample(pcm, engine.sample_rate)
    assert 2.0 < len(audio) / whisper_score.SAMPLE_RATE < whisper_score.WINDOW_S
    encoded = scorer.encode(audio)  # type: ignore[attr-defined]
    right = encoded.score(RIGHT)
    wrong = encoded.score(WRONG)
    assert len(right.logprobs) == len(right.spans) > 5
    assert all(p <= 0 for p in right.logprobs)
    assert right.mean - wrong.mean > 0.3, (right.mean, wrong.mean)
    # Backwards, the same audio no longer tells the texts apart as well.
    backwards = scorer.encode(audio[::-1].copy())  # type: ignore[attr-defined]
    reversed_margin = backwards.score(RIGHT).mean - backwards.score(WRONG).mean
    assert right.mean - wrong.mean > reversed_margin + 0.3

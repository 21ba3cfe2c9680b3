"""Arabic diacritisers from PyPI as drop-in models for the front end's selective marking.

Issue 14 asks whether another diacritiser than text2tashkeel's ``rawi-ensemble``
would make espeak easier to understand. Each entry here turns one sentence
without marks into the same sentence with marks, offline, from weights inside
its wheel (anything that downloads at run time was left out: see BENCHMARKS.md).
``voices.py`` swaps one in for the front end's model; the rest of the front end
(which words get marks, pause form, espeak adaptation) stays the same.

    PYTHONPATH=src python bench/diacritizers.py [NAME ...]
    PYTHONPATH=src python bench/diacritizers.py --changed out.json

The first prints, for each diacritiser, its speed on the sample article
(seconds per 1,000 characters, one piece per call as the front end calls it,
best of three after a warm-up call) and how many of the words the front end
marks it marked, on the corpus. The second reads ``intelligibility.py --json``
output and gives each ``frontend-NAME`` voice's paired difference against
``frontend`` on the pieces whose spoken text the swap changed (the others only
differ by espeak's noise).

The packages are not dependencies of sawt or of the ``bench`` extra; install the
ones to try: ``pip install dengjen-tashkeel-py mishkal arabic-diacritizer``
(arabic-diacritizer needs torch), ``pip install --no-deps arbtok``.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from sawt.speech.arabic.diacritics import (
    Tashkeel,
    diacritize_selectively,
    strip_marks,
    transfer_marks,
)

_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Diacritizer:
    """One diacritiser: where it comes from and how to load it."""

    name: str
    package: str  # PyPI distribution it ships in
    about: str
    load: Callable[[], Tashkeel]


def _text2tashkeel(model: str) -> Callable[[], Tashkeel]:
    def load() -> Tashkeel:
        os.environ.setdefault("TT_ORT_THREADS", "1")  # as the front end runs it
        engine = importlib.import_module("text2tashkeel").Diacritizer(model)
        return lambda text: str(engine.diacritize(text))

    return load


def _dengjen() -> Tashkeel:
    module = importlib.import_module("dengjen_tashkeel_py")
    return lambda text: str(module.tashkeel(text))


def _mishkal() -> Tashkeel:
    engine = importlib.import_module("mishkal.tashkeel").TashkeelClass()
    return lambda text: str(engine.tashkeel(text))


def _arabic_diacritizer() -> Tashkeel:
    importlib.import_module("torch").set_num_threads(1)
    pipeline = importlib.import_module("diacritize.pipeline")
    engine = pipeline.Diacritizer.from_pretrained()  # BiLSTM + its word cache, both in the wheel
    return lambda text: str(engine.diacritize(text))


def _arbtok() -> Tashkeel:
    engine = importlib.import_module("arbtok._ensemble").get_ensemble()
    return lambda text: str(engine.diacritize(text))


DIACRITIZERS: dict[str, Diacritizer] = {
    d.name: d
    for d in (
        Diacritizer(
            "rawi-ensemble",
            "text2tashkeel",
            "the front end's model",
            _text2tashkeel("rawi-ensemble"),
        ),
        *(
            Diacritizer(
                m.replace("+", "-"), "text2tashkeel", f"text2tashkeel {m}", _text2tashkeel(m)
            )
            for m in (
                "rawi-v2-int8",
                "rawi-v3-int8",
                "rawi-int8",
                "bilstm-int8",
                "rawi-v2-int8+rawi-v3-int8",
                "rawi-v2-int8+rawi-int8",
                "bilstm-int8+rawi-int8",
            )
        ),
        Diacritizer("dengjen", "dengjen-tashkeel-py", "Rust + ONNX, model in the .so", _dengjen),
        Diacritizer("mishkal", "mishkal", "rule-based, dictionaries in its wheels", _mishkal),
        Diacritizer(
            "arabic-diacritizer",
            "arabic-diacritizer",
            "BiLSTM (torch) behind a 30 MB word cache",
            _arabic_diacritizer,
        ),
        Diacritizer(
            "arbtok",
            "arbtok",
            "rawi-ensemble logits, argmax masked by the spelling",
            _arbtok,
        ),
    )
}


_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
_MARK = "\u064b-\u0652\u0670"
_WORD = re.compile(f"[{_LETTER}][{_LETTER}{_MARK}]*")
_FOLD = str.maketrans("أإآٱ", "اااا")


def keep_tokens(plain: str, marked: str) -> str:
    """``plain`` with the marks ``marked`` gives each of its Arabic words.

    Diacritisers differ in what they do to everything but the letters: mishkal
    puts spaces around punctuation, splits المغربي-الفرنسي and drops a final full
    stop. The front end aligns marks token by token, so it would find none for
    those pieces. Here the Arabic words of both are lined up by their letters
    (difflib on the bare words) and each matched word of ``plain`` takes its marks;
    spacing and punctuation stay ``plain``'s.
    """
    ours = list(_WORD.finditer(plain))
    theirs = [m[0] for m in _WORD.finditer(marked)]
    keys = [m[0].translate(_FOLD) for m in ours]
    their_keys = [strip_marks(w).translate(_FOLD) for w in theirs]
    matcher = difflib.SequenceMatcher(None, keys, their_keys, autojunk=False)
    words: dict[int, str] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            grafted = transfer_marks(ours[block.a + k][0], theirs[block.b + k])
            if grafted is not None:
                words[block.a + k] = grafted
    out: list[str] = []
    last = 0
    for i, match in enumerate(ours):
        out.extend((plain[last : match.start()], words.get(i, match[0])))
        last = match.end()
    out.append(plain[last:])
    return "".join(out)


@cache
def loaded(name: str) -> Tashkeel:
    """The named diacritiser, loaded once per process."""
    return DIACRITIZERS[name].load()


@cache
def model(name: str) -> Tashkeel:
    """A ``Tashkeel`` for ``diacritize_selectively``: sentence in, marked sentence out, cached."""

    @lru_cache(maxsize=4096)
    def run(sentence: str) -> str:
        return keep_tokens(sentence, loaded(name)(sentence))

    return run


def _sample_pieces() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from intelligibility import SAMPLE, load_items

    return [strip_marks(i.reference) for i in load_items([SAMPLE], 160)]


def _corpus_pieces() -> list[str]:
    """The corpus pieces as the front end hands them to ``diacritize_selectively``."""
    from dataclasses import replace

    from intelligibility import CORPUS, load_items

    from sawt.speech.arabic.number_marks import mark_numbers
    from sawt.speech.arabic.spoken import spoken_form
    from sawt.speech.engines.espeak import EspeakEngine

    caps = replace(EspeakEngine.caps, diacritize=False)
    return [
        mark_numbers(spoken_form(i.original, caps, i.context.lexicon, i.context.language))
        for i in load_items(CORPUS, 160)
        if i.context.language.lower().startswith("ar")
    ]


def _tokens(pieces: list[str]) -> list[str]:
    return [t for p in pieces for t in _TOKEN.findall(p)]


def main(argv: list[str]) -> int:
    """Speed on the sample and coverage of the front end's marked words, per diacritiser."""
    names = argv or list(DIACRITIZERS)
    sample = _sample_pieces()
    chars = sum(len(p) for p in sample)
    pieces = _corpus_pieces()
    plain = [diacritize_selectively(p, is_bad=lambda _w: False) for p in pieces]
    reference = _tokens([diacritize_selectively(p) for p in pieces])  # the front end's own path
    marked_by_reference = sum(a != b for a, b in zip(_tokens(plain), reference, strict=True))
    print(f"sample: {len(sample)} pieces, {chars} characters; corpus: {len(pieces)} pieces")
    print(f"rawi-ensemble marks {marked_by_reference} words of the corpus")
    print("| diacritiser | load s | s / 1,000 chars | words marked | differ from rawi-ensemble |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        start = time.perf_counter()
        run = loaded(name)
        run("كلمة أولى")
        load_s = time.perf_counter() - start
        times = []
        for _ in range(3):  # best of three: other sessions share the cores
            start = time.perf_counter()
            for piece in sample:
                run(piece)
            times.append(time.perf_counter() - start)
        speed = min(times) / chars * 1000
        ours = _tokens([diacritize_selectively(p, model=model(name)) for p in pieces])
        marked = sum(a != b for a, b in zip(_tokens(plain), ours, strict=True))
        differ = sum(a != b for a, b in zip(ours, reference, strict=True))
        print(f"| {name} | {load_s:.1f} | {speed:.3f} | {marked} | {differ} |")
    return 0


def changed(path: Path, rounds: int = 2000) -> int:
    """Paired Δ against ``frontend`` on the pieces a ``frontend-NAME`` voice speaks differently."""
    import json

    import numpy as np
    from intelligibility import CORPUS, _bootstrap, load_items
    from voices import VOICES

    per_piece: dict[str, list[dict[str, object]]] = json.loads(path.read_text("utf-8"))["per_piece"]
    items = {(i.article, i.index): i for i in load_items(CORPUS, 160)}

    def margins(voice: str) -> dict[tuple[str, int], float]:
        return {
            (str(p["article"]), int(str(p["index"]))): float(str(p["right"]))
            - float(str(p["wrong"]))
            for p in per_piece[voice]
        }

    base = margins("frontend")
    frontend = VOICES["frontend"]
    print("| voice | pieces changed | Δ on them |")
    print("|---|---:|---|")
    for voice in per_piece:
        if not voice.startswith("frontend-") or voice not in VOICES:
            continue
        ours = margins(voice)
        diffs = [
            ours[key] - base[key]
            for key, item in items.items()
            if key in ours
            and key in base
            and VOICES[voice].spoken(item.original, item.context)
            != frontend.spoken(item.original, item.context)
        ]
        if not diffs:
            print(f"| {voice} | 0 | – |")
            continue
        d = _bootstrap(np.array(diffs), np.ones(len(diffs)), rounds)
        print(f"| {voice} | {len(diffs)} | {d.mean:+.2f} [{d.low:+.2f}, {d.high:+.2f}] |")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--changed"]:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        sys.exit(changed(Path(sys.argv[2])))
    sys.exit(main(sys.argv[1:]))

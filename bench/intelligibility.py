"""Intelligibility of the offline Arabic voice, measured with Whisper base's forced score.

Each article of the corpus is cut into pieces with sawt's own script builder
(``render.prepare``); each piece is spoken by espeak through every voice asked
for (a text front end plus espeak settings, see ``voices.py``) and scored by
teacher forcing (``whisper_score.py``): the mean log-probability per token of
the piece's written text, minus that of another piece's text, given the audio.
Higher is better; audio played backwards scores about 0.

The reference is always the written text (digits, Latin, no marks), so every
voice is judged against the same tokens. Word classes: numbers (digits),
Latin (words and acronyms in Latin letters), diacritized (Arabic words espeak
misreads bare, the ones the front end marks) and plain (other Arabic words).
A word's margin is the mean log-prob of its tokens minus the mismatched text's
mean per token for the same audio. 95% intervals: bootstrap over pieces.

    PYTHONPATH=src python bench/intelligibility.py [--voices raw,frontend] [--max-pieces 120]
        [--json out.json] [--worst 25]

Needs the ``bench`` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from voices import VOICES, Context, Voice, resolve, speak
from whisper_score import WINDOW_S, Scorer, TokenScores, missing, resample

from sawt.config import Settings
from sawt.models import TextCaps
from sawt.pipeline import prepare
from sawt.speech.arabic.diacritics import strip_marks
from sawt.speech.arabic.lexicon import Lexicon
from sawt.speech.arabic.phonemes import is_arabic_word, to_ipa, word_is_bad
from sawt.speech.arabic.quantities import verbalize
from sawt.text.normalize import fold
from sawt.text.tidy import tidy

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "000_f15fce85f70c3c01.txt"
CORPUS = [
    SAMPLE,
    *sorted((ROOT / "tests" / "data" / "corpus").glob("*.txt")),
    *sorted((ROOT / "bench" / "corpus").glob("*.md")),
]
CLASSES = ("numbers", "latin", "diacritized", "plain")
_PUNCT = ".,،؛;:!?؟«»\"'()[]{}-–—…/%٪"
_DIGIT = re.compile(r"\d")
_LATIN = re.compile("[A-Za-z]")


@dataclass(frozen=True)
class Item:
    """One piece of one article, as written."""

    article: str
    index: int
    original: str
    reference: str  # what Whisper is asked to read: folded, unmarked, single-spaced
    context: Context
    number_words: frozenset[int] = frozenset()  # reference words that say a written number


@dataclass
class WordScore:
    """One written word of a piece, scored for one voice."""

    word: str
    cls: str
    logprob_sum: float
    tokens: int
    margin: float  # mean log-prob of its tokens minus the mismatched text's mean


@dataclass
class PieceScore:
    """One piece spoken by one voice."""

    article: str
    index: int
    right: float
    wrong: float
    audio_s: float
    spoken: str = ""  # the text espeak was given
    words: list[WordScore] = field(default_factory=list)

    @property
    def margin(self) -> float:
        """Right minus mismatched, nats per token."""
        return self.right - self.wrong


def word_class(word: str) -> str:
    """numbers, latin, diacritized, plain, or punct for a written word."""
    core = word.strip(_PUNCT)
    if _DIGIT.search(core):
        return "numbers"
    if _LATIN.search(core):
        return "latin"
    if not core or not is_arabic_word(core):
        return "punct"
    return "diacritized" if word_is_bad(strip_marks(core)) else "plain"


def make_reference(original: str, mode: str) -> tuple[str, frozenset[int]]:
    """The text Whisper is asked to read, and which of its words say a number.

    ``written``: as written (digits). ``words``: numbers, dates and times in words
    (sawt's own verbalizer), the rest as written; the same for every voice.
    """
    written = " ".join(strip_marks(fold(tidy(original))).split())
    if mode == "written":
        return written, frozenset(i for i, w in enumerate(written.split()) if _DIGIT.search(w))
    said = " ".join(strip_marks(verbalize(written)).split())
    before, after = written.split(), said.split()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    numbers = {
        j
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if tag in ("replace", "insert")
        for j in range(j1, j2)
    }
    return said, frozenset(numbers)


def load_items(
    paths: list[Path], max_chars: int, reference: str = "words", min_words: int = 4
) -> list[Item]:
    """The corpus cut into pieces by sawt's script builder (front end off: same cuts for all)."""
    items: list[Item] = []
    for path in paths:
        settings = Settings(root=path.parent)
        prepared = prepare(path, settings, max_chars, TextCaps())
        article = prepared.article
        arabic = article.language.lower().startswith("ar")
        lexicon = Lexicon.build(article.lexicon, settings.lexicon, builtin=arabic)
        context = Context(lexicon, article.language)
        for piece in prepared.pieces:
            text, numbers = make_reference(piece.original, reference)
            if len(text.split()) < min_words:
                continue
            items.append(Item(path.name, piece.index, piece.original, text, context, numbers))
    return items


def _words(reference: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m[0]) for m in re.finditer(r"\S+", reference)]


def word_scores(
    reference: str, scores: TokenScores, wrong_mean: float, numbers: frozenset[int] = frozenset()
) -> list[WordScore]:
    """Token log-probs grouped by the reference word they fall in."""
    words = _words(reference)
    sums = [0.0] * len(words)
    counts = [0] * len(words)
    w = 0
    for logprob, (_start, end) in zip(scores.logprobs, scores.spans, strict=True):
        last = max(0, end - 1)
        while w < len(words) - 1 and last >= words[w][1]:
            w += 1
        sums[w] += logprob
        counts[w] += 1
    out = []
    for k, ((_a, _b, word), total, n) in enumerate(zip(words, sums, counts, strict=True)):
        if n:
            cls = "numbers" if k in numbers else word_class(word)
            out.append(WordScore(word, cls, total, n, total / n - wrong_mean))
    return out


def score_voice(
    scorer: Scorer, voice: Voice, items: list[Item], shift: int
) -> tuple[list[PieceScore], int]:
    """Every piece in ``voice``; the mismatched text is the piece ``shift`` places on.

    Pieces whose audio is longer than Whisper's 30 s window are skipped (counted).
    """
    out: list[PieceScore] = []
    too_long = 0
    n = len(items)
    for i, item in enumerate(items):
        spoken = voice.spoken(item.original, item.context)
        pcm, rate = speak(voice, spoken)
        audio = resample(pcm, rate)
        seconds = len(audio) / 16_000
        if seconds > WINDOW_S:
            too_long += 1
            continue
        encoded = scorer.encode(audio)
        right = encoded.score(item.reference)
        wrong = encoded.score(items[(i + shift) % n].reference)
        piece = PieceScore(item.article, item.index, right.mean, wrong.mean, seconds, spoken)
        piece.words = word_scores(item.reference, right, wrong.mean, item.number_words)
        out.append(piece)
    return out, too_long


@dataclass
class Interval:
    """A mean and its bootstrap 95% interval."""

    mean: float
    low: float
    high: float
    n: int

    def show(self) -> str:
        """ "1.23 [1.10, 1.35]"."""
        if self.n == 0:
            return "–"
        return f"{self.mean:.2f} [{self.low:.2f}, {self.high:.2f}]"


def _bootstrap(
    numerators: np.ndarray, denominators: np.ndarray, rounds: int, seed: int = 14
) -> Interval:
    """Ratio of sums over pieces, resampling pieces with replacement."""
    n = len(numerators)
    if n == 0 or denominators.sum() == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(rounds, n))
    num = numerators[idx].sum(axis=1)
    den = denominators[idx].sum(axis=1)
    ok = den > 0
    stats = num[ok] / den[ok]
    mean = float(numerators.sum() / denominators.sum())
    low, high = np.percentile(stats, [2.5, 97.5])
    return Interval(mean, float(low), float(high), int((denominators > 0).sum()))


def piece_margin(pieces: list[PieceScore], rounds: int) -> Interval:
    """Mean margin over pieces."""
    margins = np.array([p.margin for p in pieces])
    return _bootstrap(margins, np.ones(len(margins)), rounds)


def class_margin(pieces: list[PieceScore], cls: str, rounds: int) -> Interval:
    """Token-weighted margin of one word class."""
    num = np.array([sum(w.margin * w.tokens for w in p.words if w.cls == cls) for p in pieces])
    den = np.array([sum(w.tokens for w in p.words if w.cls == cls) for p in pieces], float)
    return _bootstrap(num, den, rounds)


def paired_difference(
    pieces: list[PieceScore], base: list[PieceScore], rounds: int, text_changed: bool = False
) -> Interval | None:
    """Mean per-piece margin difference against ``base`` over the pieces both scored.

    With ``text_changed``, only over the pieces whose spoken text differs from
    ``base``'s: what a text rule does where it acts.
    """
    theirs = {(p.article, p.index): p for p in base}
    diffs = [
        p.margin - other.margin
        for p in pieces
        if (other := theirs.get((p.article, p.index))) is not None
        and (not text_changed or p.spoken != other.spoken)
    ]
    if not diffs:
        return None
    return _bootstrap(np.array(diffs), np.ones(len(diffs)), rounds)


def changed_pieces(pieces: list[PieceScore], base: list[PieceScore]) -> int:
    """How many pieces ``base`` also scored got a different spoken text."""
    theirs = {(p.article, p.index): p.spoken for p in base}
    return sum(
        1
        for p in pieces
        if (p.article, p.index) in theirs and theirs[(p.article, p.index)] != p.spoken
    )


@dataclass
class VoiceReport:
    """Everything measured for one voice."""

    voice: str
    about: str
    pieces: int
    skipped_too_long: int
    margin: Interval
    versus_base: Interval | None
    text_changed: int  # pieces whose spoken text differs from the base voice's
    versus_base_changed: Interval | None  # the Δ over those pieces only
    classes: dict[str, Interval]
    right: float
    wrong: float
    audio_s: float
    seconds: float


@dataclass
class WorstWord:
    """A written word that scored low, with what espeak heard and said."""

    word: str
    cls: str
    margin: float
    spoken: str
    ipa: str
    article: str


def _spoken_word(word: str, spoken_piece: str, voice: Voice, context: Context) -> str:
    core = word.strip(_PUNCT)
    for token in spoken_piece.split():
        if strip_marks(token.strip(_PUNCT)) == core:
            return token.strip(_PUNCT)
    return voice.spoken(core, context)


def worst_words(
    voice: Voice, items: list[Item], pieces: list[PieceScore], count: int
) -> list[WorstWord]:
    """The lowest-scoring Arabic, number and Latin words of ``voice``."""
    by_key = {(it.article, it.index): it for it in items}
    chosen: list[tuple[WordScore, PieceScore]] = []
    for cls in CLASSES:  # the worst of each class, so numbers do not hide the rest
        ranked = sorted(
            ((w, p) for p in pieces for w in p.words if w.cls == cls and len(w.word) > 1),
            key=lambda wp: wp[0].margin,
        )
        chosen += ranked[:count]
    out: list[WorstWord] = []
    for w, p in chosen:
        item = by_key[(p.article, p.index)]
        spoken_piece = voice.spoken(item.original, item.context)
        said = _spoken_word(w.word, spoken_piece, voice, item.context)
        out.append(
            WorstWord(
                w.word,
                w.cls,
                w.margin,
                said,
                to_ipa(said, voice.espeak.voice.split("+")[0]),
                p.article,
            )
        )
    return out


def markdown(
    reports: list[VoiceReport], worst: list[WorstWord], worst_voice: str, base: str
) -> str:
    """The result as Markdown tables."""
    lines = [
        f"| voice | pieces | margin (nats/token) | Δ vs {base} | text changed | Δ there | "
        + " | ".join(CLASSES)
        + " | right | mismatched | audio s | wall s |",
        "|---|---:|---|---|---:|---|" + "---|" * len(CLASSES) + "---:|---:|---:|---:|",
    ]
    for r in reports:
        delta = r.versus_base.show() if r.versus_base and r.voice != base else "–"
        there = r.versus_base_changed.show() if r.versus_base_changed and r.voice != base else "–"
        changed = str(r.text_changed) if r.voice != base else "–"
        classes = " | ".join(r.classes[c].show() for c in CLASSES)
        lines.append(
            f"| {r.voice} | {r.pieces} | **{r.margin.show()}** | {delta} | {changed} | {there} "
            f"| {classes} "
            f"| {r.right:.2f} | {r.wrong:.2f} | {r.audio_s:.0f} | {r.seconds:.0f} |"
        )
    if worst:
        lines += [
            "",
            f"Worst words ({worst_voice}):",
            "",
            "| word | class | margin | spoken | espeak IPA | article |",
            "|---|---|---:|---|---|---|",
        ]
        lines += [
            f"| {w.word} | {w.cls} | {w.margin:.2f} | {w.spoken} | {w.ipa} | {w.article} |"
            for w in worst
        ]
    return "\n".join(lines)


def _spread(items: list[Item], limit: int) -> list[Item]:
    """At most ``limit`` pieces, taken evenly across the corpus."""
    if limit <= 0 or len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(k * step)] for k in range(limit)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print Markdown, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--voices",
        default="raw,frontend",
        help=f"comma list of {', '.join(VOICES)}; or NAME@voice=V;rate=R;pitch=P;gap=G",
    )
    parser.add_argument("--base", default="frontend", help="voice the Δ column compares with")
    parser.add_argument("--max-pieces", type=int, default=150, help="cap on pieces (0: all)")
    parser.add_argument("--max-chars", type=int, default=160, help="piece length for scoring")
    parser.add_argument("--worst", type=int, default=8, help="worst words to list per class")
    parser.add_argument(
        "--reference",
        choices=("words", "written"),
        default="words",
        help="numbers in the reference: in words (default) or as written digits",
    )
    parser.add_argument("--worst-voice", default="frontend")
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the full result here")
    parser.add_argument("files", nargs="*", type=Path, help="articles (default: the corpus)")
    args = parser.parse_args(argv)

    reason = missing()
    if reason:
        print(f"intelligibility: {reason}", file=sys.stderr)
        return 2
    names = [v.strip() for v in args.voices.split(",") if v.strip()]
    unknown = []
    for v in names:
        try:
            resolve(v)
        except KeyError:
            unknown.append(v)
    if unknown:
        print(f"unknown voices {unknown}; known: {', '.join(VOICES)}", file=sys.stderr)
        return 2
    items = _spread(
        load_items(args.files or CORPUS, args.max_chars, args.reference), args.max_pieces
    )
    scorer = Scorer(threads=args.threads)
    shift = max(1, len(items) // 2)
    results: dict[str, list[PieceScore]] = {}
    reports: list[VoiceReport] = []
    for name in names:
        voice = resolve(name)
        start = time.perf_counter()
        pieces, too_long = score_voice(scorer, voice, items, shift)
        seconds = time.perf_counter() - start
        results[name] = pieces
        print(f"{name}: {len(pieces)} pieces, {seconds:.0f} s", file=sys.stderr)
        reports.append(
            VoiceReport(
                name,
                voice.about,
                len(pieces),
                too_long,
                piece_margin(pieces, args.bootstrap),
                None,
                0,
                None,
                {c: class_margin(pieces, c, args.bootstrap) for c in CLASSES},
                float(np.mean([p.right for p in pieces])) if pieces else 0.0,
                float(np.mean([p.wrong for p in pieces])) if pieces else 0.0,
                sum(p.audio_s for p in pieces),
                seconds,
            )
        )
    if args.base in results:
        for report in reports:
            report.versus_base = paired_difference(
                results[report.voice], results[args.base], args.bootstrap
            )
            report.text_changed = changed_pieces(results[report.voice], results[args.base])
            report.versus_base_changed = paired_difference(
                results[report.voice], results[args.base], args.bootstrap, text_changed=True
            )
    worst: list[WorstWord] = []
    if args.worst and args.worst_voice in results:
        worst = worst_words(resolve(args.worst_voice), items, results[args.worst_voice], args.worst)
    articles = len({i.article for i in items})
    print(f"{len(items)} pieces from {articles} articles; Whisper base, forced score")
    print(markdown(reports, worst, args.worst_voice, args.base))
    if args.json:
        payload = {
            "pieces": len(items),
            "reports": [asdict(r) for r in reports],
            "worst": [asdict(w) for w in worst],
            "per_piece": {k: [asdict(p) for p in v] for k, v in results.items()},
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

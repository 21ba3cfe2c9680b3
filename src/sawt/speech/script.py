"""Article → the spoken script: pieces no longer than the engine's limit, with pauses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sawt.config import Pauses
from sawt.read.document import Article
from sawt.text.tidy import speakable

Role = Literal["title", "source", "heading", "body"]

# Sentence ends: Arabic and Latin full stop, ! ? ؟, semicolons ؛ ; , colon, line end.
_SENTENCE = re.compile(r"(?<=[.!?؟؛;:۔…])\s+|\n+")
# Clause ends, used only when a sentence is longer than the engine's limit.
_CLAUSE = re.compile(r"(?<=[،,])\s+")


@dataclass(frozen=True)
class Piece:
    """One unit sent to an engine, and what to show for it."""

    index: int
    role: Role
    block: int  # index of the Article block it comes from; -1 for title and source
    sentence: int  # sentence number within its block
    original: str  # as written: for transcripts, captions and tags
    spoken: str  # what the engine hears
    pause_ms: int  # silence after this piece

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def split_sentences(text: str) -> list[str]:
    """Split at sentence punctuation and line ends, keeping the punctuation."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def split_to_limit(sentence: str, limit: int) -> list[tuple[str, bool]]:
    """Cut a sentence into chunks of at most ``limit`` characters, never mid-word.

    Cuts prefer clause punctuation (، ,); each chunk comes with whether it ends
    at such punctuation. Only a single word longer than the limit is split.
    """
    if len(sentence) <= limit:
        return [(sentence, False)]
    out: list[tuple[str, bool]] = []
    clauses = [c for c in _CLAUSE.split(sentence) if c]
    current = ""
    for clause in clauses:
        if current and len(current) + 1 + len(clause) <= limit:
            current = f"{current} {clause}"
            continue
        if len(clause) <= limit:
            if current:
                out.append((current, True))
            current = clause
            continue
        # An over-long clause is packed by words, continuing the current chunk.
        *full, current = _pack_words(clause.split(), limit, start=current)
        out.extend((chunk, False) for chunk in full)
    if current:
        out.append((current, False))
    return out


def _pack_words(ws: list[str], limit: int, start: str = "") -> list[str]:
    chunks: list[str] = []
    current = start
    for word in ws:
        while len(word) > limit:  # the only place a word may be cut
            if current:
                chunks.append(current)
                current = ""
            chunks.append(word[:limit])
            word = word[limit:]
        if current and len(current) + 1 + len(word) <= limit:
            current = f"{current} {word}"
        else:
            if current:
                chunks.append(current)
            current = word
    if current:
        chunks.append(current)
    return chunks


def build_script(
    article: Article,
    max_chars: int,
    pauses: Pauses,
    voice: Callable[[str], str] = speakable,
) -> list[Piece]:
    """Turn a cleaned article into pieces: title, source, then the body.

    ``voice`` gives the spoken form of a piece of original text (numbers in
    words, diacritics…); pieces are cut so that the spoken form fits ``max_chars``.
    """
    ms = {k: round(v * 1000) for k, v in pauses.model_dump().items()}
    raw: list[tuple[Role, int, int, str, str, int]] = []

    def add(role: Role, block: int, text: str, after_sentence: int, after_last: int) -> None:
        for s_index, sentence in enumerate(split_sentences(text)):
            chunks = fit_spoken(sentence, max_chars, voice)
            for c_index, (orig, spoken, at_clause) in enumerate(chunks):
                last_chunk = c_index == len(chunks) - 1
                pause = after_sentence if last_chunk else (ms["clause"] if at_clause else 0)
                raw.append((role, block, s_index, orig, spoken, pause))
        if raw:
            role_, block_, s_, o_, sp_, _ = raw[-1]
            raw[-1] = (role_, block_, s_, o_, sp_, after_last)

    add("title", -1, article.title, ms["sentence"], ms["title"])
    if article.author:
        add("source", -1, article.author, ms["sentence"], ms["title"])
    for b_index, block in enumerate(article.blocks):
        if block.kind == "heading":
            if raw and raw[-1][0] != "title" and raw[-1][0] != "source":
                role_, block_, s_, o_, sp_, _ = raw[-1]
                raw[-1] = (role_, block_, s_, o_, sp_, max(ms["heading"], raw[-1][5]))
            add("heading", b_index, block.text, ms["sentence"], ms["heading"])
        else:
            add("body", b_index, block.text, ms["sentence"], ms["paragraph"])
    if raw:
        role_, block_, s_, o_, sp_, _ = raw[-1]
        raw[-1] = (role_, block_, s_, o_, sp_, ms["end"])
    return [Piece(i, *fields) for i, fields in enumerate(raw)]


def fit_spoken(
    sentence: str, max_chars: int, voice: Callable[[str], str], limit: int | None = None
) -> list[tuple[str, str, bool]]:
    """(original, spoken, ends at a clause) chunks of a sentence, each spoken form ≤ max_chars.

    The original is cut, then each part is voiced, so every piece's original is
    exactly the text it speaks (the spoken form may be longer: numbers in words,
    diacritics); a part that speaks too long is cut again, tighter.
    """
    out: list[tuple[str, str, bool]] = []
    for chunk, at_clause in split_to_limit(sentence, limit or max_chars):
        spoken = voice(chunk)
        if len(spoken) <= max_chars:
            out.append((chunk, spoken, at_clause))
        elif len(chunk.split()) > 1:
            tighter = max(1, min(len(chunk) - 1, len(chunk) * max_chars // len(spoken)))
            parts = fit_spoken(chunk, max_chars, voice, tighter)
            orig, said, _ = parts[-1]
            parts[-1] = (orig, said, at_clause)
            out.extend(parts)
        else:
            # One written word that speaks longer than the limit (a long number):
            # its spoken words are packed, each part showing the same original.
            said_parts = _pack_words(spoken.split(), max_chars)
            out.extend((chunk, said, False) for said in said_parts)
    return out

"""The de-duplicator as it was before issue 13 (quadratic), kept as the oracle.

The linear ``sawt.read.clean.dedupe`` must decide exactly as this does, on
every input; ``tests/test_clean.py`` compares them on generated articles.
"""

from __future__ import annotations

from sawt.read.clean import (
    DROP_IF_CONTAINED,
    MIN_EXTRA_WORDS,
    SHINGLE,
    SUPERSEDE_IF_CONTAINED,
)
from sawt.read.document import Block
from sawt.text.tidy import words

Shingle = tuple[str, ...]


def _shingles(ws: list[str]) -> set[Shingle]:
    if len(ws) < SHINGLE:
        return {tuple(ws)} if ws else set()
    return {tuple(ws[i : i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)}


def _is_truncated_copy(ws: list[str], earlier: list[str]) -> bool:
    if not ws or len(ws) > len(earlier):
        return False
    head, last = ws[:-1], ws[-1]
    return earlier[: len(head)] == head and earlier[len(head)].startswith(last)


def _containment(part: set[Shingle], whole: set[Shingle]) -> float:
    return len(part & whole) / len(part) if part else 1.0


def reference_dedupe(
    blocks: tuple[Block, ...],
) -> tuple[list[Block], list[Block], list[tuple[Block, Block]]]:
    """(kept, dropped, replaced) as the old algorithm decided them."""
    kept: list[Block] = []
    kept_words: list[list[str]] = []
    kept_sh: list[set[Shingle]] = []
    seen: set[Shingle] = set()
    dropped: list[Block] = []
    replaced: list[tuple[Block, Block]] = []
    for block in blocks:
        if block.kind != "paragraph":
            kept.append(block)
            kept_words.append([])
            kept_sh.append(set())
            continue
        ws = words(block.text)
        sh = _shingles(ws)
        target = None
        for index, kw in enumerate(kept_words):
            longer = len(kw) >= SHINGLE and len(ws) >= len(kw) + MIN_EXTRA_WORDS
            if longer and _containment(kept_sh[index], sh) >= SUPERSEDE_IF_CONTAINED:
                target = index
                break
        if target is not None:
            replaced.append((kept[target], block))
            kept[target], kept_words[target], kept_sh[target] = block, ws, sh
        elif any(ws == k or _is_truncated_copy(ws, k) for k in kept_words) or (
            len(ws) >= SHINGLE and _containment(sh, seen) >= DROP_IF_CONTAINED
        ):
            dropped.append(block)
            continue
        else:
            kept.append(block)
            kept_words.append(ws)
            kept_sh.append(sh)
        seen |= sh
    return kept, dropped, replaced

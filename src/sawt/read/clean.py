"""Clean an Article: drop repeated paragraphs that scraped pages are full of."""

from __future__ import annotations

from dataclasses import dataclass

from sawt.read.document import Article, Block
from sawt.text.tidy import words

SHINGLE = 4  # words per shingle: long enough to be specific, short enough for edits
DROP_IF_CONTAINED = 0.8  # share of a paragraph already read for it to count as a repeat
SUPERSEDE_IF_CONTAINED = 0.9  # share of an earlier paragraph found inside a longer one
MIN_EXTRA_WORDS = 3


@dataclass(frozen=True)
class CleanReport:
    """What cleaning changed, for the user and the episode record."""

    dropped: tuple[Block, ...]
    replaced: tuple[tuple[Block, Block], ...]  # (earlier, fuller later version read in its place)

    @property
    def removed(self) -> int:
        """How many paragraphs of the file are not read where they stood."""
        return len(self.dropped) + len(self.replaced)


def _shingles(ws: list[str]) -> set[tuple[str, ...]]:
    if len(ws) < SHINGLE:
        return {tuple(ws)} if ws else set()
    return {tuple(ws[i : i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)}


def _is_truncated_copy(ws: list[str], earlier: list[str]) -> bool:
    """``ws`` is ``earlier`` cut short, possibly mid-word."""
    if not ws or len(ws) > len(earlier):
        return False
    head, last = ws[:-1], ws[-1]
    return earlier[: len(head)] == head and earlier[len(head)].startswith(last)


def containment(part: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> float:
    """Share of ``part``'s shingles found in ``whole``."""
    return len(part & whole) / len(part) if part else 1.0


def dedupe(article: Article) -> tuple[Article, CleanReport]:
    """Drop exact, truncated and mostly-contained repeats of earlier paragraphs.

    A later paragraph that contains an earlier one plus more (a reworded lead)
    is read once, in the earlier place, in its fuller form, so nothing is lost.
    """
    kept: list[Block] = []
    kept_words: list[list[str]] = []
    kept_sh: list[set[tuple[str, ...]]] = []
    seen: set[tuple[str, ...]] = set()  # every shingle read so far
    owners: dict[tuple[str, ...], set[int]] = {}  # shingle → kept paragraphs holding it
    dropped: list[Block] = []
    replaced: list[tuple[Block, Block]] = []
    for block in article.blocks:
        if block.kind != "paragraph":
            kept.append(block)
            kept_words.append([])
            kept_sh.append(set())
            continue
        ws = words(block.text)
        sh = _shingles(ws)
        # Only paragraphs sharing a shingle can be contained: keeps this linear.
        candidates = sorted(set().union(*(owners.get(x, set()) for x in sh)))
        target = _superseded(ws, sh, [(i, kept_words[i], kept_sh[i]) for i in candidates])
        if target is not None:
            replaced.append((kept[target], block))
            kept[target], kept_words[target], kept_sh[target] = block, ws, sh
        elif any(ws == k or _is_truncated_copy(ws, k) for k in kept_words) or (
            len(ws) >= SHINGLE and containment(sh, seen) >= DROP_IF_CONTAINED
        ):
            dropped.append(block)
            continue
        else:
            target = len(kept)
            kept.append(block)
            kept_words.append(ws)
            kept_sh.append(sh)
        seen |= sh
        for x in sh:
            owners.setdefault(x, set()).add(target)
    report = CleanReport(tuple(dropped), tuple(replaced))
    note = None
    if report.removed:
        note = (
            f"dropped {report.removed} repeated paragraph{'s' if report.removed != 1 else ''}"
            + (f" ({len(replaced)} read in a fuller later version)" if replaced else "")
        )
    return article.with_blocks(tuple(kept), note), report


def _superseded(
    ws: list[str],
    sh: set[tuple[str, ...]],
    candidates: list[tuple[int, list[str], set[tuple[str, ...]]]],
) -> int | None:
    """Index of an earlier paragraph that this longer one contains almost whole."""
    for index, kw, ksh in candidates:
        longer = len(kw) >= SHINGLE and len(ws) >= len(kw) + MIN_EXTRA_WORDS
        if longer and containment(ksh, sh) >= SUPERSEDE_IF_CONTAINED:
            return index
    return None

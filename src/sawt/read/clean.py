"""Clean an Article: drop repeated paragraphs that scraped pages are full of."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sawt.read.document import Article, Block
from sawt.text.tidy import words

SHINGLE = 4  # words per shingle: long enough to be specific, short enough for edits
DROP_IF_CONTAINED = 0.8  # share of a paragraph already read for it to count as a repeat
SUPERSEDE_IF_CONTAINED = 0.9  # share of an earlier paragraph found inside a longer one
MIN_EXTRA_WORDS = 3

Shingle = tuple[str, ...]
_K = TypeVar("_K")


@dataclass(frozen=True)
class CleanReport:
    """What cleaning changed, for the user and the episode record."""

    dropped: tuple[Block, ...]
    replaced: tuple[tuple[Block, Block], ...]  # (earlier, fuller later version read in its place)
    # The cost: earlier paragraphs the indexes offered as candidates. It grows
    # with the number of paragraphs (not its square); bench and tests read it.
    compared: int = field(default=0, compare=False)

    @property
    def removed(self) -> int:
        """How many paragraphs of the file are not read where they stood."""
        return len(self.dropped) + len(self.replaced)


def _windows(ws: list[str]) -> Iterator[Shingle]:
    """Every run of SHINGLE words, in text order (zip stops at the shortest slice)."""
    return zip(*(ws[i:] for i in range(SHINGLE)), strict=False)


def _shingles(ws: list[str]) -> set[Shingle]:
    if len(ws) < SHINGLE:
        return {tuple(ws)} if ws else set()
    return set(_windows(ws))


def _is_truncated_copy(ws: list[str], earlier: list[str]) -> bool:
    """``ws`` is ``earlier`` cut short, possibly mid-word."""
    if not ws or len(ws) > len(earlier):
        return False
    head, last = ws[:-1], ws[-1]
    return earlier[: len(head)] == head and earlier[len(head)].startswith(last)


def containment(part: set[Shingle], whole: set[Shingle]) -> float:
    """Share of ``part``'s shingles found in ``whole``."""
    return len(part & whole) / len(part) if part else 1.0


def _least_shared(size: int, share: float) -> int:
    """The fewest of ``size`` shingles that ``containment`` counts as ``>= share``."""
    need = max(0, min(size, int(size * share)))
    while need > 0 and (need - 1) / size >= share:
        need -= 1
    while need < size and need / size < share:
        need += 1
    return need


# A truncated copy keeps every word of the earlier paragraph up to its last,
# which may be cut mid-word: its words joined by spaces start the earlier
# paragraph's joined words. Short copies (up to HEAD_WORDS words) are looked
# up in the sorted first HEAD_WORDS words of every kept paragraph. Longer ones
# are looked up by their first 4, 8, 16, ... words (the most that all but their
# last word covers), so only paragraphs sharing at least half their words
# are compared, however many paragraphs open alike ("وقال المتحدث باسم ...").
HEAD_WORDS = SHINGLE


def _head_lengths(count: int) -> Iterator[int]:
    """HEAD_WORDS, doubled, while shorter than ``count`` words."""
    length = HEAD_WORDS
    while length < count:
        yield length
        length *= 2


class _Kept:
    """The paragraphs read so far, with indexes that make each lookup cheap.

    - ``exact``: word tuples of the kept blocks (headings count as no words);
    - ``starts`` (a sorted list: each insert is one memmove, negligible even
      at 10,000 paragraphs) and ``heads``: where truncated copies find their originals;
    - ``probes``: for each paragraph that a longer one may supersede, the
      ``n - need + 1`` rarest of its ``n`` shingles (``need`` = shingles a
      superseding paragraph must share). Any paragraph holding ``need`` of
      them holds one of these, so looking up a new paragraph's shingles finds
      every earlier paragraph it could be superseded by (prefix filtering).
    """

    def __init__(self, rarity: Counter[Shingle]) -> None:
        self.rarity = rarity
        self.blocks: list[Block] = []
        self.words: list[list[str]] = []
        self.shingles: list[set[Shingle]] = []
        self.exact: Counter[Shingle] = Counter()
        self.starts: list[str] = []
        self.heads: dict[Shingle, set[int]] = {}
        self.probes: dict[Shingle, set[int]] = {}
        self.compared = 0

    def add(self, block: Block, ws: list[str], sh: set[Shingle]) -> None:
        self.blocks.append(block)
        self.words.append(ws)
        self.shingles.append(sh)
        self._index(len(self.blocks) - 1, add=True)

    def replace(self, index: int, block: Block, ws: list[str], sh: set[Shingle]) -> None:
        self._index(index, add=False)
        self.blocks[index], self.words[index], self.shingles[index] = block, ws, sh
        self._index(index, add=True)

    def _index(self, index: int, *, add: bool) -> None:
        kw, ksh = self.words[index], self.shingles[index]
        self.exact[tuple(kw)] += 1 if add else -1
        start = " ".join(kw[:HEAD_WORDS])
        if add:
            bisect.insort(self.starts, start)
        else:
            del self.starts[bisect.bisect_left(self.starts, start)]
        for length in _head_lengths(len(kw)):
            _toggle(self.heads, tuple(kw[:length]), index, add)
        if len(kw) >= SHINGLE:
            spare = len(ksh) - _least_shared(len(ksh), SUPERSEDE_IF_CONTAINED) + 1
            ordered = dict.fromkeys(_windows(kw))  # distinct, in text order: deterministic
            for x in sorted(ordered, key=self.rarity.__getitem__)[:spare]:
                _toggle(self.probes, x, index, add)

    def superseded(self, ws: list[str], sh: set[Shingle]) -> int | None:
        """The first earlier paragraph that this longer one contains almost whole."""
        found: set[int] = set()
        for x in sh:
            holders = self.probes.get(x)
            if holders:
                found |= holders
                self.compared += len(holders)
        for index in sorted(found):
            kw, ksh = self.words[index], self.shingles[index]
            longer = len(kw) >= SHINGLE and len(ws) >= len(kw) + MIN_EXTRA_WORDS
            if longer and containment(ksh, sh) >= SUPERSEDE_IF_CONTAINED:
                return index
        return None

    def repeats(self, ws: list[str]) -> bool:
        """``ws`` equals a kept block's words, or is a kept paragraph cut short."""
        if self.exact[tuple(ws)] > 0:
            return True
        if not ws:
            return False
        if len(ws) <= HEAD_WORDS:
            # The starts that begin with this text sit together, from where it would go.
            query = " ".join(ws)
            at = bisect.bisect_left(self.starts, query)
            return at < len(self.starts) and self.starts[at].startswith(query)
        # The longest indexed head within all but the last word: an original has it.
        length = max(_head_lengths(len(ws)))
        found = self.heads.get(tuple(ws[:length]), set())
        self.compared += len(found)
        return any(_is_truncated_copy(ws, self.words[i]) for i in found)


def _toggle(table: dict[_K, set[int]], key: _K, index: int, add: bool) -> None:
    if add:
        table.setdefault(key, set()).add(index)
        return
    holders = table[key]
    holders.discard(index)
    if not holders:
        del table[key]


def dedupe(article: Article) -> tuple[Article, CleanReport]:
    """Drop exact, truncated and mostly-contained repeats of earlier paragraphs.

    A later paragraph that contains an earlier one plus more (a reworded lead)
    is read once, in the earlier place, in its fuller form, so nothing is lost.
    Each paragraph is checked against indexes of what was read before it, not
    against every earlier paragraph, so the cost grows with the text's length.
    """
    split = [words(b.text) for b in article.blocks if b.kind == "paragraph"]
    shingled = [(ws, _shingles(ws)) for ws in split]
    # How many paragraphs hold each shingle: rare ones make selective probes.
    kept = _Kept(Counter(x for _, sh in shingled for x in sh))
    paragraphs = iter(shingled)
    seen: set[Shingle] = set()  # every shingle read so far
    dropped: list[Block] = []
    replaced: list[tuple[Block, Block]] = []
    for block in article.blocks:
        if block.kind != "paragraph":
            kept.add(block, [], set())
            continue
        ws, sh = next(paragraphs)
        target = kept.superseded(ws, sh)
        if target is not None:
            replaced.append((kept.blocks[target], block))
            kept.replace(target, block, ws, sh)
        elif kept.repeats(ws) or (
            len(ws) >= SHINGLE and containment(sh, seen) >= DROP_IF_CONTAINED
        ):
            dropped.append(block)
            continue
        else:
            kept.add(block, ws, sh)
        seen |= sh
    report = CleanReport(tuple(dropped), tuple(replaced), kept.compared)
    note = None
    if report.removed:
        note = (
            f"dropped {report.removed} repeated paragraph{'s' if report.removed != 1 else ''}"
            + (f" ({len(replaced)} read in a fuller later version)" if replaced else "")
        )
    return article.with_blocks(tuple(kept.blocks), note), report

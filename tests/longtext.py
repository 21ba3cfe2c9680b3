"""A deterministic long Arabic text with distinct paragraphs and sections."""

from __future__ import annotations

import random
import re
from pathlib import Path

from tests.conftest import SAMPLE


def long_article(chars: int, seed: int = 1, section_every: int = 20) -> str:
    """Markdown of about ``chars`` characters; no paragraph repeats another."""
    vocabulary = sorted(set(re.findall(r"[\u0621-\u064a]{3,}", SAMPLE.read_text("utf-8"))))
    rng = random.Random(seed)
    lines = ["# نص طويل للاختبار", ""]
    size = 0
    paragraph = 0
    while size < chars:
        if paragraph % section_every == 0:
            lines += [f"## القسم {paragraph // section_every + 1}", ""]
        sentences = [
            " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 16)))
            + rng.choice([".", ".", "؟", "!"])
            for _ in range(rng.randint(2, 5))
        ]
        text = " ".join(sentences)
        lines += [text, ""]
        size += len(text)
        paragraph += 1
    return "\n".join(lines)


def write_long_article(folder: Path, chars: int, name: str = "long.md") -> Path:
    """Write ``long_article(chars)`` into ``folder``."""
    path = folder / name
    path.write_text(long_article(chars), "utf-8")
    return path

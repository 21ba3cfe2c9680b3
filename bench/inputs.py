"""Deterministic benchmark inputs: Arabic-like news text from a fixed word list and a seed.

Nothing here is copied from real articles: sentences are drawn word by word
from the lists below with a seeded RNG. Every paragraph carries its own unique
tokens (a serial number and a varying figure), so sawt's de-duplicator keeps
every one of them and the render speaks all the text generated.

    python bench/inputs.py OUT_DIR     # write the suite's inputs to OUT_DIR
"""

from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "000_f15fce85f70c3c01.txt"
SEED = 6  # issue 6

# fmt: off
SUBJECTS = (
    "الوزارة", "الحكومة", "اللجنة", "المجلس", "الوفد", "البرلمان", "الهيئة", "الشركة",
    "البلدية", "الجامعة", "المنظمة", "الوكالة", "المديرية", "الاتحاد", "المصرف", "الخبراء",
    "المسؤولون", "الباحثون", "المزارعون", "التجار", "المعلمون", "الأطباء", "السكان", "الشباب",
)
VERBS = (
    "أعلنت", "أكدت", "ناقشت", "أطلقت", "درست", "اعتمدت", "رفضت", "قدمت", "استعرضت",
    "تابعت", "وقعت", "أصدرت", "نظمت", "دعت", "طالبت", "أوضحت", "كشفت", "بحثت", "رصدت",
    "خصصت", "عززت", "راجعت", "وضعت", "شاركت",
)
OBJECTS = (
    "خطة", "مشروع", "برنامج", "تقرير", "اتفاقية", "ميزانية", "مبادرة", "دراسة", "استراتيجية",
    "قانون", "مرسوم", "حملة", "منصة", "شبكة", "مؤسسة", "ورشة", "سياسة", "آلية", "إصلاحات",
    "إجراءات", "توصيات", "نتائج", "بيانات", "مؤشرات",
)
DOMAINS = (
    "التعليم", "الصحة", "النقل", "الطاقة", "المياه", "الزراعة", "السياحة", "الصناعة",
    "الاتصالات", "السكن", "التشغيل", "البيئة", "الثقافة", "الرياضة", "التجارة", "الاستثمار",
    "الأمن الغذائي", "البحث العلمي", "التنمية المحلية", "الطاقات المتجددة", "الاقتصاد الرقمي",
)
PLACES = (
    "العاصمة", "الشمال", "الجنوب", "المناطق الجبلية", "المدن الساحلية", "الأرياف", "الضواحي",
    "الجهات الشرقية", "الواحات", "الموانئ", "المناطق الحدودية", "الأحياء القديمة",
)
LINKS = (
    "في إطار", "من أجل", "بهدف", "على مستوى", "بالتعاون مع", "بعد", "قبل", "خلال",
    "إلى جانب", "رغم", "بفضل", "وفق", "ضمن", "عقب",
)
ADJECTIVES = (
    "الجديدة", "الوطنية", "الإقليمية", "المشتركة", "الشاملة", "المستدامة", "العاجلة",
    "الأولى", "الكبرى", "المحلية", "الدولية", "السنوية", "الرقمية", "المقبلة", "الحالية",
)
CLOSERS = (
    "حسب بيان رسمي", "وفق مصادر مطلعة", "كما جاء في التقرير", "بحسب الأرقام المتاحة",
    "على حد قول المتحدث", "وفق ما أفاد به المشاركون", "بحسب المعطيات الأولية",
)
UNITS = ("بالمئة", "مليون درهم", "مليار دينار", "كيلومترا", "ألف مستفيد", "مؤسسة", "يوما")
ORDINALS = (
    "الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع",
    "العاشر", "الحادي عشر", "الثاني عشر", "الثالث عشر", "الرابع عشر", "الخامس عشر",
    "السادس عشر", "السابع عشر", "الثامن عشر", "التاسع عشر", "العشرون",
)
# fmt: on


def _clause(rng: random.Random) -> str:
    """A short news clause: who did what in which field, and where."""
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(DOMAINS)]
    if rng.random() < 0.7:
        parts.append(rng.choice(ADJECTIVES))
    if rng.random() < 0.6:
        parts += [rng.choice(LINKS), rng.choice(PLACES)]
    return " ".join(parts)


def _sentence(rng: random.Random) -> str:
    """One to three clauses, sometimes a figure, ending with a full stop."""
    clauses = [_clause(rng) for _ in range(rng.randint(1, 3))]
    text = "، و".join(clauses)
    if rng.random() < 0.4:
        text += f" بنسبة {rng.randint(2, 98)} {rng.choice(UNITS)}"
    if rng.random() < 0.3:
        text += f"، {rng.choice(CLOSERS)}"
    return text + "."


def paragraph(rng: random.Random, serial: int, target_chars: int) -> str:
    """A paragraph of about ``target_chars`` with tokens no other paragraph has.

    The serial number and the figure next to it make each paragraph's first
    words unique; the random word choices make the rest unlike any other.
    """
    lead = f"وفي الملف رقم {serial}، سجلت المصادر {rng.randint(100, 99_999)} حالة."
    sentences = [lead]
    length = len(lead)
    while length < target_chars:
        sentence = _sentence(rng)
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)


def paragraphs_with_repeats(count: int, seed: int, repeats: bool = True) -> list[str]:
    """``count`` paragraphs of 150-600 characters; with ``repeats``, every tenth repeats one.

    The repeats are what scraped pages carry, in turn: an exact copy, a copy
    cut mid-word, and a fuller later version (the earlier one with a new lead).
    """
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(count):
        if repeats and i >= 10 and i % 10 == 9:
            earlier = out[rng.randrange(len(out))]
            kind = i // 10 % 3
            if kind == 0:
                out.append(earlier)
            elif kind == 1:
                out.append(earlier[: max(1, len(earlier) * 2 // 3)])
            else:
                out.append("وفي تطور لاحق للملف، " + earlier)
            continue
        out.append(paragraph(rng, i + 1, rng.randint(150, 600)))
    return out


def article_text(seed: int, chars: int, *, title: str, sections: int = 0) -> str:
    """A Markdown article of about ``chars`` characters; ``sections`` ## headings if > 0."""
    rng = random.Random(seed)
    head = f"---\ntitle: {title}\nauthor: وكالة الأنباء التجريبية\ndate: 2026-11-29\n---\n\n"
    parts: list[str] = [head]
    length = len(head)
    serial = 0
    per_section = chars / sections if sections else chars
    section = 0
    while length < chars:
        if sections and length >= section * per_section and section < sections:
            heading = f"## المحور {ORDINALS[section % len(ORDINALS)]}: {rng.choice(DOMAINS)}\n\n"
            parts.append(heading)
            length += len(heading)
            section += 1
        serial += 1
        # Paragraphs of 250-900 characters, like news copy; the last one is
        # shortened so short articles land near their size.
        target = min(rng.randint(250, 900), max(150, chars - length - 100))
        text = paragraph(rng, serial, target) + "\n\n"
        parts.append(text)
        length += len(text)
    return "".join(parts)


@dataclass(frozen=True)
class Inputs:
    """The files one suite run renders."""

    sample: Path
    article_20k: Path
    text_150k: Path
    batch_dir: Path


def write_inputs(folder: Path, *, batch: int = 20, seed: int = SEED) -> Inputs:
    """Write the sample, the 20k article, the 150k text and ``batch`` 3k articles."""
    folder.mkdir(parents=True, exist_ok=True)
    sample = folder / SAMPLE.name
    shutil.copy(SAMPLE, sample)
    a20 = folder / "article_20k.md"
    a20.write_text(article_text(seed, 20_000, title="تقرير تجريبي متوسط الطول"), "utf-8")
    t150 = folder / "text_150k.md"
    t150.write_text(
        article_text(seed + 1, 150_000, title="تقرير تجريبي طويل", sections=12), "utf-8"
    )
    batch_dir = folder / "batch"
    batch_dir.mkdir(exist_ok=True)
    for old in batch_dir.glob("*.md"):
        old.unlink()  # a smaller --quick batch must not pick up a larger run's files
    for i in range(batch):
        text = article_text(seed * 1000 + 100 + i, 3_000, title=f"خبر تجريبي رقم {i + 1}")
        (batch_dir / f"article_{i + 1:02d}.md").write_text(text, "utf-8")
    return Inputs(sample, a20, t150, batch_dir)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    made = write_inputs(Path(sys.argv[1]))
    for path in (made.sample, made.article_20k, made.text_150k):
        print(f"{path}  {len(path.read_text('utf-8'))} chars")
    print(f"{made.batch_dir}/  {len(list(made.batch_dir.glob('*.md')))} articles")

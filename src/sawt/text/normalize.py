"""Unicode folding for what engines hear, and boilerplate lines that are never read aloud."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from sawt.errors import ConfigError

# Persian/Urdu look-alikes typed on Persian keyboards into Arabic text.
_LOOKALIKES = str.maketrans(
    {
        "\u06cc": "\u064a",  # ی farsi yeh → ي
        "\u06d2": "\u064a",  # ے yeh barree → ي
        "\u06a9": "\u0643",  # ک keheh → ك
        "\u06aa": "\u0643",  # ڪ swash kaf → ك
        "\u06c1": "\u0647",  # ہ heh goal → ه
        "\u06d5": "\u0647",  # ە ae → ه
        "\u06c0": "\u0629",  # ۀ heh with yeh above → ة
    }
)
# Arabic-Indic (٠-٩) and extended/Persian (۰-۹) digits, and the Arabic decimal
# and thousands separators, read as the ASCII forms the number rules know.
_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u066b": ".",
        "\u066c": ",",
    }
)
_TATWEEL = "\u0640"


def fold(text: str) -> str:
    """Presentation forms to letters (NFKC), look-alike letters and all digits to standard ones."""
    text = unicodedata.normalize("NFKC", text).replace(_TATWEEL, "")
    return text.translate(_LOOKALIKES).translate(_DIGITS)


# ------------------------------------------------------------------ boilerplate

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_MATCH_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_EDGE = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_SEP = r"(?:\s*[:：\-–—|»›>/]\s*.*|\s*\(.*)?"

# Regexes over the match-folded line (alef forms → ا, ى → ي, ة → ه, no marks, lower case,
# punctuation at both ends stripped). Each entry is (pattern, most words the line may have):
# "شارك" alone is a share button, "شارك الوزير في…" is news.
DEFAULT_BOILERPLATE: tuple[tuple[str, int], ...] = (
    (r"اقرا (?:ايضا|كذلك|المزيد)\b.*", 40),
    (r"(?:اقرا|شاهد) ايضا.*", 40),
    (r"(?:مواضيع|اخبار|مقالات|قصص) (?:ذات صله|متعلقه|مشابهه|قد تهمك)\b.*", 40),
    (r"(?:ذات صله|قد يهمك ايضا|قد يعجبك ايضا|الاكثر قراءه|الاكثر مشاهده)\b.*", 40),
    (
        r"(?:شارك|شاركوا|مشاركه)(?: (?:هذا |هذه )?(?:الخبر|المقال|المقاله|الموضوع|الصفحه))?"
        r"(?: (?:عبر|علي|في) .*)?",
        8,
    ),
    (r"تابعونا(?: .*)?", 12),
    (r"تابعوا (?:اخر|اخبار|اهم|جديد|صفحتنا|حسابنا|قناتنا).*", 14),
    (r"(?:ال)?صوره(?: ارشيفيه| من الارشيف| توضيحيه)?" + _SEP, 14),
    (r"(?:مصدر|حقوق|تعليق) الصوره\b.*", 14),
    (r"تصوير\s*[:：\-–|].*", 10),
    (r"(?:photo|photos|credit|credits|crédit|getty images|afp|reuters|©)\b.*", 10),
    (r"(?:اشترك|اشتركوا|للاشتراك|سجل)(?: الان)? (?:في|ب|على) (?:النشره|نشرتنا|قناتنا).*", 16),
    (r"(?:اضغط|انقر) هنا\b.*", 16),
    (r"(?:حمل|حملوا|نزل) (?:تطبيق|التطبيق)\b.*", 16),
    (r"(?:اعلان|advertisement|publicite)", 1),
    (r"(?:جميع )?(?:الحقوق|حقوق النشر) محفوظه\b.*", 16),
    (r"(?:التعليقات|تعليقات|اضف تعليق|اضف تعليقا|اترك تعليقا|اكتب تعليقك)\b.*", 8),
    (r"(?:الوسوم|وسوم|كلمات مفتاحيه|الكلمات المفتاحيه|tags)\s*:.*", 30),
)


def match_form(line: str) -> str:
    """A line folded for matching: no marks, one alef, lower case, no edge punctuation."""
    text = _MARKS.sub("", fold(line)).translate(_MATCH_FOLD).casefold()
    text = _EDGE.sub("", text)
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Boilerplate:
    """Compiled boilerplate rules: default regexes plus a newsroom's own phrases."""

    rules: tuple[tuple[re.Pattern[str], int], ...]
    # A newsroom's regexes, tried on the line as written. They run on the regex module with
    # a time-out: one that backtracks without end stops the render with an error, not a hang.
    raw_rules: tuple[regex.Pattern[str], ...] = ()

    @classmethod
    def build(cls, extra: Iterable[str] = (), defaults: bool = True) -> Boilerplate:
        """Default rules plus ``extra``: plain phrases, or regexes written as ``re:…``."""
        rules = [(re.compile(p), n) for p, n in DEFAULT_BOILERPLATE] if defaults else []
        raw: list[regex.Pattern[str]] = []
        for entry in extra:
            if entry.startswith("re:"):
                raw.append(regex.compile(entry[3:], regex.IGNORECASE))
            elif match_form(entry):
                # A phrase drops a line that is the phrase, or the phrase then ": …".
                rules.append((re.compile(re.escape(match_form(entry)) + _SEP), 10_000))
        return cls(tuple(rules), tuple(raw))

    def matches(self, line: str) -> bool:
        """Whether a whole line is boilerplate."""
        form = match_form(line)
        if not form:
            return False
        written = fold(line).strip()
        if any(_fullmatch(rx, written) or _fullmatch(rx, form) for rx in self.raw_rules):
            return True
        n_words = form.count(" ") + 1
        return any(n_words <= most and rx.fullmatch(form) for rx, most in self.rules)

    def blank_lines(self, text: str) -> str:
        """``text`` with boilerplate lines emptied (line numbers stay as they were)."""
        lines = text.split("\n")
        return "\n".join("" if self.matches(line) else line for line in lines)


REGEX_TIMEOUT_S = 2.0


def _fullmatch(rx: regex.Pattern[str], line: str) -> bool:
    try:
        return rx.fullmatch(line, timeout=REGEX_TIMEOUT_S) is not None
    except TimeoutError as exc:
        raise ConfigError(
            f"boilerplate regex {rx.pattern!r} took over {REGEX_TIMEOUT_S:.0f} s on one line "
            "(it backtracks without end)",
            hint="simplify the pattern: avoid nested repeats like (a+)+",
        ) from exc

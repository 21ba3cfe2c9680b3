"""Numbers in running text: dates, times, money, percentages, ranges, phone numbers → words.

The words come from ``numbers``; this module decides which form the context
asks for (genitive after "في", a year, a counted feminine noun, a date…).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sawt.speech.arabic.numbers import (
    MONTHS,
    NUMBER_WORDS,
    SCALE_WORDS,
    Case,
    cardinal,
    counted,
    date_words,
    digits,
    number_words,
    ordinal,
    plain_number,
    time_of_day,
)

_MONTH_NAMES = (
    "يناير|فبراير|مارس|أبريل|ابريل|إبريل|مايو|ماي|يونيو|يوليو|يوليوز|أغسطس|غشت|سبتمبر|شتنبر"
    "|أكتوبر|اكتوبر|نوفمبر|نونبر|ديسمبر|دجنبر|كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب"
    "|أيلول|تشرين الأول|تشرين الثاني|كانون الأول"
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words after which a number is in the genitive (prepositions, and nouns it completes).
GENITIVE_AFTER = _wordset(
    "عام العام لعام وعام سنة السنة لسنة في منذ من إلى الى حتى نحو حوالي بحوالي بنحو قرابة"
    " بين بنسبة نسبة بقيمة قيمة بمبلغ مبلغ خلال عن على مع بعد قبل عامي سنوات أعوام"
)
# إنّ and its sisters put the number in the accusative; like the genitive, that
# is the oblique -ين/-ين form in writing, so it shares the "gen" forms.
ACCUSATIVE_AFTER = _wordset("إن أن لأن لكن كأن ليت لعل وإن وأن ولكن")
# Words that cannot be a counted noun right after a number.
_NOT_COUNTED = _wordset("التي الذي الذين اللذين في من على إلى الى عن مع و أو ثم حيث")
_DIGITS_ONLY = re.compile(r"[\d.,%٪]+")
_PREFIX_GENITIVE = ("ب", "ل")  # attached prepositions: "ب5" is "بخمسة" in the genitive

# 1,000,000 groups thousands; "2,5" (Maghreb and European style) is a decimal comma.
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?!\d)|\d+(?:\.\d+)?"
_B = r"(?<![\d.,])"  # not inside a longer number
_E = r"(?![\d]|[.,]\d)"

_CURRENCY_SYMBOL = {
    "$": ("دولار", "دولاران", "دولارات"),
    "€": ("يورو", "يورو", "يورو"),
    "£": ("جنيه", "جنيهان", "جنيهات"),
}


def _case_before(text: str, start: int) -> Case:
    """Genitive after a preposition or a definite noun ("الدقيقة 34"), else nominative.

    After a definite noun the number is its complement or an object: the -ين
    form is right for both genitive and accusative.
    """
    words = text[:start].split()
    attached = start > 0 and not text[start - 1].isspace()
    if attached and words:
        glue = words.pop().rstrip("ـ")
        if glue in _PREFIX_GENITIVE:  # "ب5", "لـ2024"
            return "gen"
        if glue != "و":
            return "nom"
        # "بين 40 و70": the second number takes the case of the first.
        seen_number = False
        # Within one pass the earlier number is still in digits.
        while words and (_bare(words[-1]) in NUMBER_WORDS or _DIGITS_ONLY.fullmatch(words[-1])):
            words.pop()
            seen_number = True
        if not seen_number:
            return "nom"
    word = words[-1].strip("«»\"'()[]،,") if words else ""
    if word in GENITIVE_AFTER or word in ACCUSATIVE_AFTER:
        return "gen"
    if word.startswith("ال") and len(word) > 3 and word not in _NOT_COUNTED:
        return "gen"
    return "nom"


def _bare(word: str) -> str:
    word = word.strip("«»\"'()[]،,.")
    return word[1:] if word.startswith("و") and word[1:] in NUMBER_WORDS else word


def _feminine_noun_after(m: re.Match[str]) -> bool:
    """The number is followed by an indefinite feminine noun ("14 درجة", "3 سنوات")."""
    rest = m.string[m.end() :]
    if not rest.startswith(" "):
        return False
    words = rest.split(maxsplit=1)
    if not words:
        return False
    word = words[0].strip("«»\"'()[]،,.؛:")
    # A definite word, or one with a preposition ("الدقيقة 34 بضربة"), is not the counted noun.
    if re.match("(?:[وفبلك]?ال|لل|ب|ل)", word):
        return False
    return word.endswith("ة") or (word.endswith("ات") and len(word) > 3)


def _looks_like_year(m: re.Match[str]) -> bool:
    """A bare 19xx/20xx not followed by a counted noun: read as a year, in the genitive."""
    if not re.fullmatch(r"(?:19|20)\d\d", m[0]):
        return False
    before = m.string[: m.start()].split()
    if before and before[-1].startswith("ال"):  # "كأس العالم 2030": a definite noun's year
        return True
    after = m.string[m.end() :].split()
    if not after or after[0] in _NOT_COUNTED:
        return True
    # "2025 و2030" is a list of years, not a year counting a noun.
    return not re.match(r"[\u0621-\u064a](?!\d)", after[0])


Rule = tuple["re.Pattern[str]", Callable[["re.Match[str]"], str]]


def _rules() -> list[Rule]:
    month_re = rf"(?P<month>{_MONTH_NAMES})"

    def numeric_date(m: re.Match[str]) -> str:
        d, mo, y = int(m["d"]), int(m["m"]), int(m["y"])
        if not (1 <= d <= 31 and 1 <= mo <= 12):
            return " ".join(number_words(p, "nom") for p in (m["d"], m["m"], m["y"]))
        return date_words(d, MONTHS[mo], y)

    def named_date(m: re.Match[str]) -> str:
        year = int(m["y"]) if m["y"] else None
        return date_words(int(m["d"]), m["month"], year)

    def time(m: re.Match[str]) -> str:
        return time_of_day(int(m["h"]), int(m["min"]))

    def phone(m: re.Match[str]) -> str:
        return ("زائد " if m[0].startswith("+") else "") + digits(m[0])

    def percent(m: re.Match[str]) -> str:
        # RTL text puts the sign on either side of the number.
        case = _case_before(m.string, m.start())
        return f"{number_words(m['n'] or m['n2'], case)} في المائة"

    def money_symbol(m: re.Match[str]) -> str:
        noun = _CURRENCY_SYMBOL[m["sym"]]
        case = _case_before(m.string, m.start())
        if m["scale"]:
            return f"{_scale(m['n'], m['scale'], case, construct=True)} {noun[0]}"
        return counted(m["n"], noun, case)

    def scale(m: re.Match[str]) -> str:
        # "372 مليار درهم": the scale word governs the noun after it.
        governs = bool(re.match(r" [\u0621-\u064a]", m.string[m.end() : m.end() + 2]))
        governs = governs and not m.string[m.end() + 1 :].startswith("و")
        return _scale(m["n"], m["scale"], _case_before(m.string, m.start()), governs)

    def range_(m: re.Match[str]) -> str:
        a, b = int(m["a"]), int(m["b"])
        if a >= b:
            return f"{cardinal(a)} {cardinal(b)}"
        before = m.string[: m.start()].split()
        if before and before[-1] == "بين":  # "بين 10-15" → "بين عشرة وخمسة عشر"
            return f"{cardinal(a, 'gen')} و{cardinal(b, 'gen')}"
        start = "" if before and before[-1] == "من" else "من "  # "من 2018-2024"
        return f"{start}{cardinal(a, 'gen')} إلى {cardinal(b, 'gen')}"

    def ordinal_suffix(m: re.Match[str]) -> str:
        return ordinal(int(m["n"]))

    def article_ordinal(m: re.Match[str]) -> str:
        # "الدورة الـ15": the ordinal agrees with the noun before it; ة marks a feminine one.
        before = m.string[: m.start()].split()
        feminine = bool(before) and before[-1].endswith("ة")
        return ordinal(int(m["n"]), feminine=feminine)

    def number(m: re.Match[str]) -> str:
        if _looks_like_year(m):
            return number_words(m[0], "gen")
        case = _case_before(m.string, m.start())
        return number_words(m[0], case, feminine=_feminine_noun_after(m))

    return [
        (
            re.compile(rf"{_B}(?P<y>\d{{4}})[/.-](?P<m>\d{{1,2}})[/.-](?P<d>\d{{1,2}}){_E}"),
            numeric_date,
        ),
        (
            re.compile(rf"{_B}(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}){_E}"),
            numeric_date,
        ),
        (re.compile(rf"{_B}(?P<d>\d{{1,2}})\s+{month_re}(?:\s+(?P<y>\d{{4}}))?{_E}"), named_date),
        (re.compile(rf"{_B}(?P<h>[01]?\d|2[0-4]):(?P<min>[0-5]\d){_E}"), time),
        (re.compile(r"(?<![\w.,])(?:\+\d[\d -]{6,}\d|0\d(?:[ -]?\d){6,})(?![\d])"), phone),
        (re.compile(rf"(?:[%٪]\s?(?P<n>{_NUM}){_E}|{_B}(?P<n2>{_NUM})\s?[%٪])"), percent),
        (
            re.compile(rf"(?P<sym>[$€£])\s?(?P<n>{_NUM})(?:\s(?P<scale>مليون|مليار|ألف))?{_E}"),
            money_symbol,
        ),
        (
            re.compile(rf"{_B}(?P<n>{_NUM})(?:\s(?P<scale>مليون|مليار|ألف))?\s?(?P<sym>[$€£])"),
            money_symbol,
        ),
        (re.compile(rf"{_B}(?P<n>{_NUM})\s(?P<scale>مليون|مليار|ألف)(?!\w)"), scale),
        (re.compile(rf"{_B}(?P<a>\d{{1,4}})\s?[-–]\s?(?P<b>\d{{1,4}}){_E}"), range_),
        (
            re.compile(r"(?<![\d])(?P<n>\d{1,3})(?:st|nd|rd|th|er|ère|re|ème|e)(?![a-zA-Z\d])"),
            ordinal_suffix,
        ),
        # "الـ12", also once tatweel is folded away ("ال12"): the article makes it ordinal.
        (re.compile(r"(?<!\w)الـ?\s?(?P<n>\d{1,3})(?!\d)"), article_ordinal),
        (re.compile(rf"{_B}{_NUM}{_E}|(?<![\d])\d+"), number),
    ]


def _scale(value: str, scale_word: str, case: Case, construct: bool = False) -> str:
    """ "5 مليون" → "خمسة ملايين"; "2.5 مليار" → "اثنان فاصلة خمسة مليار"."""
    singular, plural = SCALE_WORDS[scale_word]
    return (
        counted(value, (singular, singular + "ان", plural), case, construct=True)
        if (plain_number(value) == "1")
        else counted(value, (singular, singular + "ان", plural), case, construct)
    )


_RULES = _rules()
_ANY_DIGIT = re.compile(r"\d")


def verbalize(text: str) -> str:
    """Replace every number-like expression in ASCII-digit text with Arabic words."""
    if not _ANY_DIGIT.search(text):
        return text
    for pattern, handler in _RULES:
        text = pattern.sub(handler, text)
    return text

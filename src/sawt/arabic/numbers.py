"""Numbers, dates, times, money and percentages as the Arabic words a voice should say.

num2words gives nominative forms only, "ألفا" for 2000, "مئتا" for 200 and a
broken reading of 1.5, so the cardinal is built here from tables that the
tests check form by form. Masculine forms are used unless the counted noun is
feminine (minutes); ordinals use the genitive/accusative ending (-ين), the form
heard in dates and after "في".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

Case = Literal["nom", "gen"]

_UNITS_M = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]
_UNITS_F = ["", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع"]
_TENS = ["", "", "عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"]  # + ون / ين
_HUNDREDS = [
    "", "مائة", "", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة", "تسعمائة",
]
# (singular, dual stem, plural for 3-10): the dual takes ان/ين, or ا/ي in construct.
_SCALES = [
    (1_000_000_000, "مليار", "مليار", "مليارات"),
    (1_000_000, "مليون", "مليون", "ملايين"),
    (1_000, "ألف", "ألف", "آلاف"),
]

_ORD_M = ["", "الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن",
          "التاسع", "العاشر"]
_ORD_F = ["", "الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة",
          "الثامنة", "التاسعة", "العاشرة"]

DIGITS = ["صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]


def _dual(stem: str, case: Case, construct: bool = False) -> str:
    if construct:
        return stem + ("ا" if case == "nom" else "ي")
    return stem + ("ان" if case == "nom" else "ين")


def _below_100(n: int, case: Case, feminine: bool) -> str:
    units = _UNITS_F if feminine else _UNITS_M
    if n < 10:
        return _dual("اثنت" if feminine else "اثن", case) if n == 2 else units[n]
    if n == 10:
        return "عشر" if feminine else "عشرة"
    if n < 20:
        ten = "عشرة" if feminine else "عشر"
        u = n - 10
        if u == 1:
            return f"{'إحدى' if feminine else 'أحد'} {ten}"
        if u == 2:
            return f"{_dual('اثنت' if feminine else 'اثن', case, construct=True)} {ten}"
        return f"{units[u]} {ten}"
    tens = _TENS[n // 10] + ("ون" if case == "nom" else "ين")
    u = n % 10
    if u == 0:
        return tens
    unit = _dual("اثنت" if feminine else "اثن", case) if u == 2 else units[u]
    if u == 1 and feminine:
        unit = "إحدى"
    return f"{unit} و{tens}"


def _below_1000(n: int, case: Case, feminine: bool = False, construct: bool = False) -> str:
    """1..999; ``construct`` when a noun follows directly (مائتا ألف, not مائتان ألف)."""
    h, rest = divmod(n, 100)
    parts: list[str] = []
    if h:
        parts.append(_dual("مائت", case, construct and not rest) if h == 2 else _HUNDREDS[h])
    if rest:
        parts.append(_below_100(rest, case, feminine))
    return " و".join(parts)


def _scaled(count: int, singular: str, dual: str, plural: str, case: Case) -> str:
    """``count`` thousands/millions/billions with the counted noun in the right form."""
    if count == 1:
        return singular
    if count == 2:
        return _dual(dual, case)
    last = count % 100
    if 3 <= last <= 10:
        return f"{_below_1000(count, case)} {plural}"
    if 11 <= last <= 99:
        return f"{_below_1000(count, case)} {singular}ا"  # tamyiz: singular accusative
    # A round hundred (or a hundred plus one or two) counts a singular genitive noun.
    return f"{_below_1000(count, case, construct=True)} {singular}"


def cardinal(n: int, case: Case = "nom", feminine: bool = False) -> str:
    """The Arabic words for a whole number (negative numbers get "سالب")."""
    if n < 0:
        return f"سالب {cardinal(-n, case, feminine)}"
    if n == 0:
        return "صفر"
    parts: list[str] = []
    rest = n
    for value, singular, dual, plural in _SCALES:
        count, rest = divmod(rest, value)
        if count >= 1000:  # beyond billions: say the count of billions in full
            parts.append(f"{cardinal(count, case)} {singular}")
        elif count:
            parts.append(_scaled(count, singular, dual, plural, case))
    if rest:
        parts.append(_below_1000(rest, case, feminine))
    return " و".join(parts)


def ordinal(n: int, feminine: bool = False) -> str:
    """The definite ordinal ("الخامس", "الحادي والعشرين"); large ones fall back to cardinals."""
    base = _ORD_F if feminine else _ORD_M
    if n <= 0:
        return cardinal(n)
    if n <= 10:
        return base[n]
    if n < 20:
        unit = ("الحادية" if feminine else "الحادي") if n == 11 else base[n - 10]
        return f"{unit} {'عشرة' if feminine else 'عشر'}"
    if n < 100:
        tens = "ال" + _TENS[n // 10] + "ين"
        u = n % 10
        if u == 0:
            return tens
        unit = ("الحادية" if feminine else "الحادي") if u == 1 else base[u]
        return f"{unit} و{tens}"
    return "ال" + cardinal(n, "gen", feminine)


def digits(text: str) -> str:
    """Read a digit string one digit at a time (phone numbers, codes)."""
    return " ".join(DIGITS[int(c)] for c in text if c.isdigit())


def decimal(text: str, case: Case = "nom") -> str:
    """A decimal like "1.5" → "واحد فاصلة خمسة"; leading zeros after the point are read."""
    whole, _, frac = text.partition(".")
    out = cardinal(int(whole or "0"), case)
    if not frac:
        return out
    zeros = len(frac) - len(frac.lstrip("0"))
    spoken = ["صفر"] * zeros
    if frac.lstrip("0"):
        spoken.append(cardinal(int(frac), case))
    return f"{out} فاصلة {' '.join(spoken)}"


# ----------------------------------------------------------------- in running text

MONTHS = {
    1: "يناير", 2: "فبراير", 3: "مارس", 4: "أبريل", 5: "مايو", 6: "يونيو",
    7: "يوليو", 8: "أغسطس", 9: "سبتمبر", 10: "أكتوبر", 11: "نوفمبر", 12: "ديسمبر",
}
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
# Words that cannot be a counted noun right after a number.
_NOT_COUNTED = _wordset("التي الذي الذين اللذين في من على إلى الى عن مع و أو ثم حيث")
_DIGITS_ONLY = re.compile(r"[\d.,%٪]+")
_PREFIX_GENITIVE = ("ب", "ل")  # attached prepositions: "ب5" is "بخمسة" in the genitive

# 1,000,000 groups thousands; "2,5" (Maghreb and European style) is a decimal comma.
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?!\d)|\d+(?:\.\d+)?"
_B = r"(?<![\d.,])"  # not inside a longer number
_E = r"(?![\d]|[.,]\d)"

_CURRENCY_SYMBOL = {"$": ("دولار", "دولاران", "دولارات"), "€": ("يورو", "يورو", "يورو"),
                    "£": ("جنيه", "جنيهان", "جنيهات")}
_SCALE_WORDS = {"ألف": ("ألف", "آلاف"), "مليون": ("مليون", "ملايين"), "مليار": ("مليار", "مليارات")}


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
    if word in GENITIVE_AFTER:
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


def _plain(text: str) -> str:
    """"1,000" → "1000"; a decimal comma "2,5" → "2.5"."""
    return text.replace(",", ".") if re.fullmatch(r"\d+,\d{1,2}", text) else text.replace(",", "")


def _number(text: str, case: Case, feminine: bool = False) -> str:
    plain = _plain(text)
    if "." in plain:
        return decimal(plain, case)
    if len(plain) > 1 and plain.startswith("0"):
        return digits(plain)
    if len(plain) > 12:
        return digits(plain)
    n = int(plain)
    return cardinal(n, case, feminine=feminine and n >= 3)


def counted(
    value: str, noun: tuple[str, str, str], case: Case = "nom", construct: bool = False
) -> str:
    """A number and its counted noun (singular, dual, plural) in the form the number needs.

    1 → noun + "واحد"; 2 → the dual; 3-10 → plural; 11-99 → singular accusative;
    round hundreds and above → singular genitive ("مائة دولار"). ``construct``
    when another noun follows ("مليونا درهم", "خمسين مليون قنطار").
    """
    singular, dual, plural = noun
    plain = _plain(value)
    if "." in plain:
        return f"{decimal(plain, case)} {singular}"
    n = int(plain)
    if n == 1:
        return singular if construct else f"{singular} واحد"
    if n == 2:
        stem = dual[:-2]
        return stem + ("ا" if case == "nom" else "ي") if construct else _dual(stem, case)
    last = n % 100
    if 3 <= last <= 10:
        return f"{cardinal(n, case)} {plural}"
    if 11 <= last <= 99:
        # Tamyiz takes the accusative alif, except on nouns ending in a vowel (يورو)
        # and before a noun it governs.
        bare = construct or singular.endswith("و")
        return f"{cardinal(n, case)} {singular}" + ("" if bare else "ا")
    if n < 1000 and last == 0:
        return f"{_below_1000(n, case, construct=True)} {singular}"
    return f"{cardinal(n, case)} {singular}"


Rule = tuple["re.Pattern[str]", Callable[["re.Match[str]"], str]]


def _hour(h: int) -> str:
    return "الثانية عشرة" if h == 0 else ordinal(h, feminine=True)


def time_of_day(h: int, m: int) -> str:
    """"08:30" → "الثامنة والنصف"; minutes other than 15/20/30 are counted."""
    out = _hour(h)
    if m == 0:
        return out
    special = {15: "والربع", 20: "والثلث", 30: "والنصف"}
    if m in special:
        return f"{out} {special[m]}"
    if m == 1:
        return f"{out} ودقيقة"
    if m == 2:
        return f"{out} ودقيقتان"
    if m <= 10:
        return f"{out} و{cardinal(m, feminine=True)} دقائق"
    return f"{out} و{cardinal(m, feminine=True)} دقيقة"


def date_words(day: int, month: str, year: int | None) -> str:
    """"29 نوفمبر 2026" → "التاسع والعشرين من نوفمبر ألفين وستة وعشرين"."""
    out = f"{ordinal(day)} من {month}"
    return f"{out} {cardinal(year, 'gen')}" if year is not None else out


def _rules() -> list[Rule]:
    month_re = rf"(?P<month>{_MONTH_NAMES})"

    def numeric_date(m: re.Match[str]) -> str:
        d, mo, y = int(m["d"]), int(m["m"]), int(m["y"])
        if not (1 <= d <= 31 and 1 <= mo <= 12):
            return " ".join(_number(p, "nom") for p in (m["d"], m["m"], m["y"]))
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
        return f"{_number(m['n'] or m['n2'], case)} في المائة"

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
            return _number(m[0], "gen")
        case = _case_before(m.string, m.start())
        return _number(m[0], case, feminine=_feminine_noun_after(m))

    return [
        (re.compile(rf"{_B}(?P<y>\d{{4}})[/.-](?P<m>\d{{1,2}})[/.-](?P<d>\d{{1,2}}){_E}"),
         numeric_date),
        (re.compile(rf"{_B}(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}){_E}"),
         numeric_date),
        (re.compile(rf"{_B}(?P<d>\d{{1,2}})\s+{month_re}(?:\s+(?P<y>\d{{4}}))?{_E}"), named_date),
        (re.compile(rf"{_B}(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d){_E}"), time),
        (re.compile(r"(?<![\w.,])(?:\+\d[\d -]{6,}\d|0\d(?:[ -]?\d){6,})(?![\d])"), phone),
        (re.compile(rf"(?:[%٪]\s?(?P<n>{_NUM}){_E}|{_B}(?P<n2>{_NUM})\s?[%٪])"),
         percent),
        (re.compile(rf"(?P<sym>[$€£])\s?(?P<n>{_NUM})(?:\s(?P<scale>مليون|مليار|ألف))?{_E}"),
         money_symbol),
        (re.compile(rf"{_B}(?P<n>{_NUM})(?:\s(?P<scale>مليون|مليار|ألف))?\s?(?P<sym>[$€£])"),
         money_symbol),
        (re.compile(rf"{_B}(?P<n>{_NUM})\s(?P<scale>مليون|مليار|ألف)(?!\w)"), scale),
        (re.compile(rf"{_B}(?P<a>\d{{1,4}})\s?[-–]\s?(?P<b>\d{{1,4}}){_E}"), range_),
        (re.compile(r"(?<![\d])(?P<n>\d{1,3})(?:st|nd|rd|th|er|ère|re|ème|e)(?![a-zA-Z])"),
         ordinal_suffix),
        # "الـ12", also once tatweel is folded away ("ال12"): the article makes it ordinal.
        (re.compile(r"(?<!\w)الـ?\s?(?P<n>\d{1,3})(?!\d)"), article_ordinal),
        (re.compile(rf"{_B}{_NUM}{_E}|(?<![\d])\d+"), number),
    ]


def _scale(value: str, scale_word: str, case: Case, construct: bool = False) -> str:
    """"5 مليون" → "خمسة ملايين"; "2.5 مليار" → "اثنان فاصلة خمسة مليار"."""
    singular, plural = _SCALE_WORDS[scale_word]
    return counted(value, (singular, singular + "ان", plural), case, construct=True) if (
        _plain(value) == "1"
    ) else counted(value, (singular, singular + "ان", plural), case, construct)


def _number_words() -> frozenset[str]:
    words: set[str] = set()
    for n in range(1000):
        for case in ("nom", "gen"):
            forms = (cardinal(n, case), cardinal(n * 1000, case), cardinal(n, case, True))
            words.update(w.removeprefix("و") for w in " ".join(forms).split())
    for singular, plural in _SCALE_WORDS.values():
        words.update({singular, singular + "ا", singular + "ان", singular + "ين", plural})
    return frozenset(words)


NUMBER_WORDS = _number_words()  # every word a cardinal is made of, for "40 و70"
_RULES = _rules()
_ANY_DIGIT = re.compile(r"\d")


def verbalize(text: str) -> str:
    """Replace every number-like expression in ASCII-digit text with Arabic words."""
    if not _ANY_DIGIT.search(text):
        return text
    for pattern, handler in _RULES:
        text = pattern.sub(handler, text)
    return text

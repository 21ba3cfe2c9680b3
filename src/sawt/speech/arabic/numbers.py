"""Arabic number words: cardinals in both cases, ordinals, decimals, counted nouns, times, dates.

num2words gives nominative forms only, "ألفا" for 2000, "مئتا" for 200 and a
broken reading of 1.5, so the cardinal is built here from tables that the
tests check form by form. Masculine forms are used unless the counted noun is
feminine (minutes); ordinals use the genitive/accusative ending (-ين), the form
heard in dates and after "في".
"""

from __future__ import annotations

import re
from typing import Literal

Case = Literal["nom", "gen"]

_UNITS_M = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]
_UNITS_F = ["", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع"]
_TENS = ["", "", "عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"]  # + ون / ين
_HUNDREDS = [
    "",
    "مائة",
    "",
    "ثلاثمائة",
    "أربعمائة",
    "خمسمائة",
    "ستمائة",
    "سبعمائة",
    "ثمانمائة",
    "تسعمائة",
]
# (singular, dual stem, plural for 3-10): the dual takes ان/ين, or ا/ي in construct.
_SCALES = [
    (1_000_000_000, "مليار", "مليار", "مليارات"),
    (1_000_000, "مليون", "مليون", "ملايين"),
    (1_000, "ألف", "ألف", "آلاف"),
]

_ORD_M = [
    "",
    "الأول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
]
_ORD_F = [
    "",
    "الأولى",
    "الثانية",
    "الثالثة",
    "الرابعة",
    "الخامسة",
    "السادسة",
    "السابعة",
    "الثامنة",
    "التاسعة",
    "العاشرة",
]

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


SCALE_WORDS = {"ألف": ("ألف", "آلاف"), "مليون": ("مليون", "ملايين"), "مليار": ("مليار", "مليارات")}

MONTHS = {
    1: "يناير",
    2: "فبراير",
    3: "مارس",
    4: "أبريل",
    5: "مايو",
    6: "يونيو",
    7: "يوليو",
    8: "أغسطس",
    9: "سبتمبر",
    10: "أكتوبر",
    11: "نوفمبر",
    12: "ديسمبر",
}


def plain_number(text: str) -> str:
    """ "1,000" → "1000"; a decimal comma "2,5" → "2.5"."""
    return text.replace(",", ".") if re.fullmatch(r"\d+,\d{1,2}", text) else text.replace(",", "")


def number_words(text: str, case: Case, feminine: bool = False) -> str:
    """A written number (digits, maybe with separators) read as Arabic words."""
    plain = plain_number(text)
    if "." in plain:
        return decimal(plain, case)
    if len(plain) > 1 and plain.startswith("0"):
        return digits(plain)
    # Up to hundreds of billions is a quantity; a longer bare digit string is a code,
    # though "1,000,000,000,000" written with separators is still a quantity.
    if len(plain) > (15 if "," in text else 12):
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
    plain = plain_number(value)
    if "." in plain:
        return f"{decimal(plain, case)} {singular}"
    n = int(plain)
    if n == 0:
        return f"صفر {singular}"
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


def _hour(h: int) -> str:
    return "الثانية عشرة" if h == 0 else ordinal(h, feminine=True)


def time_of_day(h: int, m: int) -> str:
    """ "08:30" → "الثامنة والنصف"; minutes other than 15/20/30 are counted."""
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
    """ "29 نوفمبر 2026" → "التاسع والعشرين من نوفمبر ألفين وستة وعشرين"."""
    out = f"{ordinal(day)} من {month}"
    return f"{out} {cardinal(year, 'gen')}" if year is not None else out


def _number_words() -> frozenset[str]:
    words: set[str] = set()
    for n in range(1000):
        for case in ("nom", "gen"):
            forms = (cardinal(n, case), cardinal(n * 1000, case), cardinal(n, case, True))
            words.update(w.removeprefix("و") for w in " ".join(forms).split())
    for singular, plural in SCALE_WORDS.values():
        words.update({singular, singular + "ا", singular + "ان", singular + "ين", plural})
    return frozenset(words)


NUMBER_WORDS = _number_words()  # every word a cardinal is made of, for "40 و70"

"""Vowel marks for the words sawt says numbers with, in the form espeak reads right.

espeak reads many bare number words wrongly: «ألف» as ʔallaf, «مائة» with its
silent alif voiced (miaːʔa), «ثلاثة» as θlaːθt. The diacritizer only sees the
ones that come out as impossible syllables, and sometimes marks them wrongly
(«وَسِتُّوَنَ»). Number words are a closed set, so they are marked here from a
table, each form checked against espeak's phonemes (tests/test_number_marks.py).

Forms are pausal on the last letter (no case vowel): «ثَلَاثَة» is read θalaːθat,
as in connected speech. The oblique dual is written -ِين (أَلْفِين, ʔalfiːn): with
-َيْن espeak says a diphthong (ʔalfain), and Whisper scored those words 0.9
nats/token lower (BENCHMARKS.md). «فاصلة» is left bare: espeak reads it well.
«مائة» is written «مِئَة», the spelling without the silent alif. Only bare words
are marked; the writer's own marks win.
"""

from __future__ import annotations

import re

# fmt: off
_TABLE: dict[str, str] = {
    # units, masculine and feminine
    "صفر": "صِفْر", "واحد": "وَاحِد", "واحدة": "وَاحِدَة",
    "اثنان": "اِثْنَان", "اثنين": "اِثْنِين", "اثنا": "اِثْنَا", "اثني": "اِثْنِي",
    "اثنتان": "اِثْنَتَان", "اثنتين": "اِثْنَتِين", "اثنتا": "اِثْنَتَا", "اثنتي": "اِثْنَتِي",
    "ثلاثة": "ثَلَاثَة", "أربعة": "أَرْبَعَة", "خمسة": "خَمْسَة", "ستة": "سِتَّة",
    "سبعة": "سَبْعَة", "ثمانية": "ثَمَانِيَة", "تسعة": "تِسْعَة",
    "ثلاث": "ثَلَاث", "أربع": "أَرْبَع", "خمس": "خَمْس", "ست": "سِتّ", "سبع": "سَبْع",
    "ثماني": "ثَمَانِي", "تسع": "تِسْع",
    "أحد": "أَحَد", "إحدى": "إِحْدَى",
    # tens
    "عشرون": "عِشْرُون", "عشرين": "عِشْرِين", "ثلاثون": "ثَلَاثُون", "ثلاثين": "ثَلَاثِين",
    "أربعون": "أَرْبَعُون", "أربعين": "أَرْبَعِين", "خمسون": "خَمْسُون", "خمسين": "خَمْسِين",
    "ستون": "سِتُّون", "ستين": "سِتِّين", "سبعون": "سَبْعُون", "سبعين": "سَبْعِين",
    "ثمانون": "ثَمَانُون", "ثمانين": "ثَمَانِين", "تسعون": "تِسْعُون", "تسعين": "تِسْعِين",
    # hundreds: مئة, without the alif espeak would voice
    "مائة": "مِئَة", "مئة": "مِئَة", "مائتان": "مِئَتَان", "مائتين": "مِئَتِين",
    "مائتا": "مِئَتَا", "مائتي": "مِئَتِي", "مئتان": "مِئَتَان", "مئتين": "مِئَتِين",
    "ثلاثمائة": "ثَلَاثُمِئَة", "أربعمائة": "أَرْبَعُمِئَة", "خمسمائة": "خَمْسُمِئَة",
    "ستمائة": "سِتُّمِئَة", "سبعمائة": "سَبْعُمِئَة", "ثمانمائة": "ثَمَانِمِئَة",
    "تسعمائة": "تِسْعُمِئَة",
    "المائة": "المِئَة", "بالمائة": "بالمِئَة", "المئة": "المِئَة", "بالمئة": "بالمِئَة",
    # scales
    "ألف": "أَلْف", "ألفا": "أَلْفًا", "ألفان": "أَلْفَان", "ألفين": "أَلْفِين", "آلاف": "آلَاف",
    "مليون": "مِلْيُون", "مليونا": "مِلْيُونًا", "مليونان": "مِلْيُونَان",
    "مليونين": "مِلْيُونِين", "ملايين": "مَلاييِن",
    "مليار": "مِلْيَار", "مليارا": "مِلْيَارًا", "ملياران": "مِلْيَارَان",
    "مليارين": "مِلْيَارِين", "مليارات": "مِلْيَارَات",
    # the rest of what the verbalizer says
    "سالب": "سَالِب", "دقيقة": "دَقِيقَة", "دقائق": "دَقَائِق",
    "دقيقتان": "دَقِيقَتَان",
    # feminine ordinals (hours, feminine nouns): bare, espeak drops their vowels
    "الثالثة": "الثالِثَة", "الخامسة": "الخامِسَة", "السادسة": "السادِسَة",
    "السابعة": "السابِعَة", "الثامنة": "الثامِنَة", "التاسعة": "التاسِعَة",
    "العاشرة": "العاشِرَة",
}
# fmt: on

# «عشر» and «عشرة» read differently after a unit (أحد عشر = ʔaħada ʕaʃara).
_TEEN_TEN = {"عشر": "عَشَرَ", "عشرة": "عَشْرَة"}
_ALONE_TEN = {"عشر": "عَشْر", "عشرة": "عَشَرَة"}
_TEEN_UNITS = frozenset(
    [
        "أحد",
        "إحدى",
        "اثنا",
        "اثني",
        "اثنتا",
        "اثنتي",
        "ثلاثة",
        "أربعة",
        "خمسة",
        "ستة",
        "سبعة",
        "ثمانية",
        "تسعة",
        "ثلاث",
        "أربع",
        "خمس",
        "ست",
        "سبع",
        "ثماني",
        "تسع",
        "الحادي",
        "الحادية",
        "الثاني",
        "الثانية",
        "الثالث",
        "الثالثة",
        "الرابع",
        "الرابعة",
        "الخامس",
        "الخامسة",
        "السادس",
        "السادسة",
        "السابع",
        "السابعة",
        "الثامن",
        "الثامنة",
        "التاسع",
        "التاسعة",
    ]
)
_TOKEN = re.compile(r"\S+")
_MARKS = re.compile("[\u064b-\u0652\u0670]")
_PUNCT = ".,،؛;:!?؟«»\"'()[]{}-–—…"

NUMBER_MARKS: dict[str, str] = dict(_TABLE)


def _marked(core: str, previous: str) -> str | None:
    """The marked form of one bare word (maybe with the conjunction و), or None."""
    if core in _ALONE_TEN:
        prev = previous.removeprefix("و") if previous.removeprefix("و") in _TEEN_UNITS else previous
        return (_TEEN_TEN if prev in _TEEN_UNITS else _ALONE_TEN)[core]
    if core in _TABLE:
        return _TABLE[core]
    if core.startswith("و") and len(core) > 2:
        rest = _marked(core[1:], "")
        if rest is not None:
            # Hamzat al-wasl is silent after wa: written without its alif, espeak
            # says waθnaːn (with it, waːθnaːn or waːiθnaː).
            return "وَ" + (rest[2:] if rest.startswith("اِ") else rest)
    return None


def mark_numbers(text: str) -> str:
    """``text`` with every bare number word marked the way espeak reads it right."""
    parts = _TOKEN.split(text)
    tokens = _TOKEN.findall(text)
    out = [parts[0]]
    previous = ""
    for token, gap in zip(tokens, parts[1:], strict=True):
        core = token.strip(_PUNCT)
        new = token
        if core and not _MARKS.search(core):
            marked = _marked(core, previous)
            if marked is not None:
                start = token.index(core)
                new = token[:start] + marked + token[start + len(core) :]
        out.extend((new, gap))
        previous = core
    return "".join(out)

"""espeak's own reading of a word (IPA), and whether it is an impossible Arabic syllable.

Uses the process-wide libespeak-ng of the espeak engine: loading a second copy
would give a second, unsynchronised state in a library that is not thread-safe.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from functools import lru_cache

from sawt.speech.engines.espeak import _Library

_PHONEME_IPA = 0x02
_CHARS_UTF8 = 1
_VOWELS = frozenset("aeiouəɛɪæɑɔʊyɐʌɜøœɒɨʉ")
_AFFRICATES = ("dʒ", "tʃ", "ts", "dz")
_MARKS = re.compile("[ˈˌ.‿|]")
_LANG_SWITCH = re.compile(r"\([a-z-]+\)")
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")


def _bind(lib: ctypes.CDLL) -> None:
    fn = lib.espeak_TextToPhonemes
    if fn.restype is not ctypes.c_char_p:
        fn.restype = ctypes.c_char_p
        fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]


def to_ipa(text: str, voice: str = "ar") -> str:
    """espeak-ng's IPA for ``text`` (clauses joined by spaces)."""
    return _ipa(text, voice)


@lru_cache(maxsize=65536)
def _ipa(text: str, voice: str) -> str:
    library = _Library.get()
    out: list[str] = []
    with library.lock:
        _bind(library.lib)
        library.lib.espeak_SetVoiceByName(voice.encode())
        buf = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
        ptr = ctypes.c_void_p(ctypes.addressof(buf))
        # The call consumes one clause and advances the pointer; NULL at the end.
        while ptr.value:
            chunk = library.lib.espeak_TextToPhonemes(ctypes.byref(ptr), _CHARS_UTF8, _PHONEME_IPA)
            if chunk:
                out.append(chunk.decode("utf-8", "replace"))
    return " ".join(part.strip() for part in out if part.strip())


def segments(ipa_word: str) -> list[str]:
    """Split one IPA word into phones: length marks, diacritics and affricates stay attached."""
    text = _MARKS.sub("", _LANG_SWITCH.sub("", ipa_word))
    phones: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _AFFRICATES:
            phones.append(pair)
            i += 2
            continue
        ch = text[i]
        attaches = ch in "ːˑʲʷˤˠʰ" or unicodedata.combining(ch)
        if attaches and phones:
            phones[-1] += ch
        else:
            phones.append(ch)
        i += 1
    return phones


def is_vowel(phone: str) -> bool:
    """Whether a phone from :func:`segments` is a vowel."""
    return phone[0] in _VOWELS


def impossible(ipa_word: str) -> bool:
    """A word-initial consonant cluster, or three consonants in a row: not Arabic."""
    phones = segments(ipa_word)
    if len(phones) >= 2 and not is_vowel(phones[0]) and not is_vowel(phones[1]):
        return True
    run = 0
    for phone in phones:
        run = 0 if is_vowel(phone) else run + 1
        if run >= 3:
            return True
    return False


def is_arabic_word(word: str) -> bool:
    """Whether a token contains Arabic letters (only those are measured)."""
    return bool(_ARABIC_LETTER.search(word))


def word_is_bad(word: str, voice: str = "ar") -> bool:
    """Whether espeak reads this one written word with an impossible syllable."""
    return any(impossible(w) for w in to_ipa(word, voice).split())


def bad_words(text: str, voice: str = "ar") -> tuple[int, int, list[str]]:
    """(bad, total, the bad words) over the Arabic words of ``text``."""
    words = [w for w in re.findall(r"\S+", text) if is_arabic_word(w)]
    bad = [w for w in words if word_is_bad(_strip_punct(w), voice)]
    return len(bad), len(words), bad


def _strip_punct(word: str) -> str:
    return word.strip(".,،؛;:!?؟«»\"'()[]{}-–—…")

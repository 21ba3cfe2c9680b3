"""Text for the terminal: user text made safe to print, counted nouns, OS errors in words.

Everything sawt prints that comes from users or files (titles, paths, notes,
error messages) passes through :func:`terminal_text` or :func:`line`:

- it is never read as console markup or emoji codes (``[/b]``, ``:smile:``
  print as written): :func:`line` builds a ``rich.text.Text``, which rich
  does not parse;
- C0 and C1 control characters, DEL and ANSI escape sequences are removed,
  so a file cannot move the cursor, recolour the terminal or hide text;
- right-to-left runs (Arabic, Hebrew…) are wrapped in FSI … PDI (U+2068,
  U+2069), so a terminal that does bidi shows them right without scrambling
  the English around them. Stray bidi controls from the text are dropped
  first: only sawt's own isolates remain, always balanced.
"""

from __future__ import annotations

import errno
import os
import re

from rich.console import Console
from rich.text import Text

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE

# ANSI/VT escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ST),
# DCS/SOS/PM/APC strings, and two-character escapes; also the 8-bit CSI.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
    | \x9b[0-?]*[ -/]*[@-~]            # 8-bit CSI
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c)  # OSC, DCS, SOS, PM, APC … terminator
    | \x1b[ -/]*[0-~]                  # other escapes (ESC c, ESC ( B, …)
    """,
    re.VERBOSE | re.DOTALL,
)
# Controls no message needs: C0 but tab and newline, DEL, C1; and explicit bidi
# embeddings, overrides and isolates (sawt adds its own, balanced).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_RTL = (
    "\u0590-\u08ff"  # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic ext.
    "\ufb1d-\ufdff"  # Hebrew and Arabic presentation forms A
    "\ufe70-\ufefe"  # Arabic presentation forms B
    "\U00010800-\U00010fff\U0001e800-\U0001efff"
)
# A right-to-left run: from its first RTL letter to its last letter or digit,
# through spaces, digits and punctuation, but never across Latin letters, a
# line end or the quotes and brackets that usually surround it.
_INSIDE = "^A-Za-z\\n()\\[\\]{}<>\"'`“”«»‘’"
_RUN = re.compile(f"[{_RTL}](?:[{_INSIDE}]*[{_RTL}0-9\u0660-\u0669\u06f0-\u06f9])?")


def strip_controls(text: str) -> str:
    """``text`` without ANSI escape sequences, control characters or bidi controls."""
    return _CONTROLS.sub("", _ANSI.sub("", text))


def isolate(text: str) -> str:
    """Wrap each right-to-left run of ``text`` in FSI … PDI (bidi isolation)."""
    return _RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


def terminal_text(text: object) -> str:
    """Any value as text that is safe in an English line on a terminal."""
    return isolate(strip_controls(str(text)))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 episode``, ``2 episodes`` (``nouns`` for an irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


Part = str | tuple[str, str]


def line(*parts: Part | object) -> Text:
    """One line of output: plain parts are user text, ``(text, style)`` parts are sawt's own.

    Nothing is parsed as markup; every part is made safe with :func:`terminal_text`.
    """
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(terminal_text(part[0]), style=str(part[1]))
        else:
            text.append(terminal_text(part))
    return text


def say(console: Console, *parts: Part | object) -> None:
    """Print :func:`line` of ``parts`` on ``console`` (long lines are not cut)."""
    console.print(line(*parts), soft_wrap=True)


_CAUSES = {
    errno.ENOSPC: "no space left on the disk",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "it already exists",
    errno.EDQUOT: "disk quota exceeded",
    errno.EIO: "input/output error",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "the name is too long",
}


def describe_os_error(exc: OSError) -> str:
    """One line naming the path and the cause: ``/ro/episodes/a.mp3: the file system is …``."""
    cause = _CAUSES.get(exc.errno or 0) or exc.strerror or str(exc) or type(exc).__name__
    paths = [p for p in (exc.filename, exc.filename2) if p not in (None, "")]
    where = " → ".join(os.fsdecode(p) if isinstance(p, bytes) else str(p) for p in paths)
    return f"{where}: {cause}" if where else cause

"""Web addresses and dates as articles and podcast.yaml give them: checked, and made ASCII."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from urllib.parse import quote, urlsplit, urlunsplit

_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A language tag as feeds, pages and ID3 need it: ar, ar-MA, en-US, zh-Hant-TW.
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def check_language(value: str) -> str:
    """A language tag like ``ar`` or ``ar-MA`` (BCP 47 form); ValueError says what is wrong."""
    if not _LANGUAGE.fullmatch(value.strip()):
        raise ValueError("must be a language code like ar, ar-MA or en")
    return value.strip()


def check_web_url(value: str) -> str:
    """An absolute http(s) URL with a valid host and port; ValueError says what is wrong."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    try:
        parts = urlsplit(value.strip())
        port = parts.port  # raises for a port out of range or not a number
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    if port == 0:
        raise ValueError("has port 0")
    return value.strip()


def encode_url(url: str) -> str:
    """Percent-encode a URL's path, query and fragment (and IDNA its host), once.

    The result is ASCII: what ID3 URL frames (Latin-1), feeds and pages need
    for an IRI such as ``https://www.aljazeera.net/news/اقتصاد``.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:  # pragma: no cover - credentials in a feed URL are unusual
        netloc = f"{quote(parts.username, safe='')}@{netloc}"

    def enc(text: str, safe: str) -> str:
        # "%XX" already there is kept; a lone "%" is encoded.
        return quote(_LONE_PERCENT.sub("%25", text), safe=safe + "%")

    sub = "!$&'()*+,;=:@"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            enc(parts.path, sub + "/"),
            enc(parts.query, sub + "/?"),
            enc(parts.fragment, sub + "/?"),
        )
    )


def parse_date(text: str) -> datetime | None:
    """An ISO date or date-time as an aware datetime (UTC if no zone); None if not one."""
    value = text.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        when = datetime(day.year, day.month, day.day)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)

"""The `sources:` of podcast.yaml: feeds sawt follows, and how politely it fetches.

Only models here (pydantic, no I/O), so ``sawt.config`` can import them; the
pass itself lives in ``sawt.update``.
"""

from __future__ import annotations

import fnmatch
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sawt.models import LexiconEntry


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pattern_ok(pattern: str) -> str:
    if pattern.startswith("re:"):
        try:
            re.compile(pattern[3:])
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regex: {exc}") from exc
    elif not pattern:
        raise ValueError("an empty pattern matches nothing useful")
    return pattern


def url_matches(url: str, pattern: str) -> bool:
    """Whether ``url`` matches a glob (``*/news/*``) or, with ``re:``, a regex (search)."""
    if pattern.startswith("re:"):
        return re.search(pattern[3:], url) is not None
    return fnmatch.fnmatchcase(url, pattern)


class Source(_Strict):
    """One RSS or Atom feed whose articles become episodes."""

    feed: str = Field(description="the feed's http(s) URL")
    include: tuple[str, ...] = Field((), description="article URLs must match one (glob or re:)")
    exclude: tuple[str, ...] = Field((), description="article URLs matching one are skipped")
    max_age_days: float | None = Field(None, gt=0, description="skip older articles")
    language: str | None = Field(None, min_length=2, max_length=12)
    limit: int | None = Field(None, ge=1, le=10_000, description="articles rendered per pass")
    engine: str | None = None
    lexicon: tuple[LexiconEntry, ...] = ()

    @field_validator("feed")
    @classmethod
    def _feed_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_pattern_ok(p) for p in value)

    def wants(self, url: str) -> bool:
        """Whether an article URL passes the include and exclude patterns."""
        if self.include and not any(url_matches(url, p) for p in self.include):
            return False
        return not any(url_matches(url, p) for p in self.exclude)


class FetchSettings(_Strict):
    """How sawt fetches feeds and pages (`sawt render URL`, `sawt update`)."""

    timeout: float = Field(20.0, gt=0, le=300, description="seconds to wait for each read")
    deadline: float = Field(120.0, gt=0, le=3600, description="seconds for one whole response")
    max_bytes: int = Field(10_000_000, ge=1_000, description="largest feed or page accepted")
    max_redirects: int = Field(5, ge=0, le=30)
    retries: int = Field(2, ge=0, le=10, description="retries on 5xx, 429 and network errors")
    backoff: float = Field(1.0, ge=0, le=60, description="first retry delay, seconds")
    max_retry_after: float = Field(
        120.0, ge=0, le=3600, description="longest Retry-After waited for; longer ones fail"
    )
    per_host: int = Field(2, ge=1, le=8, description="requests at once to one host")
    max_crawl_delay: float = Field(
        30.0, ge=0, le=600, description="longest robots.txt Crawl-delay honoured, seconds"
    )

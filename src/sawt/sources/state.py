"""``episodes/sources.json``: what `sawt update` knows about each feed and article.

Written atomically after every step that changes it, so a crash mid-pass loses
nothing: the next pass does only what is left (articles still ``pending``).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sawt.errors import ConfigError
from sawt.files import write_atomic
from sawt.read.fetch import RobotsMemo

STATE_NAME = "sources.json"
STATE_VERSION = 1

# pending: to fetch (and render if new or changed); done: its episode is current;
# failed: a transient error, retried every pass; rejected: refused for good
# (not HTML, no article, disallowed, not http) until the feed changes;
# missing: 404/410 while its episode is kept; gone/expired: episode removed;
# queued: handed to the cluster (`sawt update --cluster`), waiting for its outcome.
Status = Literal["pending", "done", "failed", "rejected", "missing", "gone", "expired", "queued"]


def now_iso() -> str:
    """The current time, UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedState(_Model):
    """One feed: its validators for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None


class Queued(_Model):
    """An article sent to the cluster: what its outcome is matched with, and what it sets."""

    batch: str  # the cluster batch (`sawt status <batch>`)
    task_id: str  # its task in the batch (from the article's fingerprint)
    page: str  # the page copy the workers read (absolute; deleted once the outcome is in)
    kind: Literal["new", "changed"]
    title: str
    fingerprint: str  # of the extracted text: the article's once its outcome is in
    etag: str | None = None
    last_modified: str | None = None
    # False until every task is sent: a pass killed while sending leaves False, and the
    # next pass checks the article again (a task that did go out is then a duplicate,
    # which the cluster skips).
    sent: bool = False


class ArticleState(_Model):
    """One article seen in a feed, keyed in the state by its feed link."""

    source: str  # the feed it came from
    url: str  # the link in the feed: what is fetched
    guid: str | None = None  # the feed item's id
    canonical: str | None = None  # the page's canonical URL (the episode's source_url)
    slug: str | None = None  # assigned once, before the first render
    fingerprint: str | None = None  # of the extracted text of the rendered version
    etag: str | None = None  # page validators of the rendered version
    last_modified: str | None = None
    pub_date: str | None = None  # the first pubDate the feed gave
    first_seen: str = Field(default_factory=now_iso)
    rendered_at: str | None = None
    status: Status = "pending"
    error: str | None = None
    queued: Queued | None = None  # with status "queued"


class RobotsEntry(_Model):
    """A robots.txt kept between runs (for at most 24 hours)."""

    status: int
    text: str
    fetched_at: float


class State(_Model):
    """The whole state file."""

    version: int = STATE_VERSION
    feeds: dict[str, FeedState] = {}
    articles: dict[str, ArticleState] = {}
    robots: dict[str, RobotsEntry] = {}

    def slugs_in_use(self) -> set[str]:
        """Slugs given to articles that still have (or are getting) an episode."""
        return {
            a.slug for a in self.articles.values() if a.slug and a.status not in ("gone", "expired")
        }

    def by_canonical(self, canonical: str, other_than: str) -> str | None:
        """The key of another article with this canonical URL (the same article)."""
        for key, article in self.articles.items():
            if key != other_than and article.canonical == canonical and article.slug:
                return key
        return None

    def robots_memo(self) -> RobotsMemo:
        """The robots.txt bodies, in the form the Fetcher keeps them."""
        return RobotsMemo({o: (r.status, r.text, r.fetched_at) for o, r in self.robots.items()})

    def keep_robots(self, memo: RobotsMemo) -> None:
        """Remember the robots.txt bodies a run fetched."""
        self.robots = {
            o: RobotsEntry(status=s, text=t, fetched_at=f) for o, (s, t, f) in memo.entries.items()
        }


def load_state(episodes: Path) -> State:
    """Read ``episodes/sources.json``; no file means a first pass."""
    path = episodes / STATE_NAME
    try:
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        return State()
    except OSError as exc:
        raise ConfigError(f"cannot read the sources state: {exc}", path=path) from exc
    try:
        return State.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        raise ConfigError(
            f"the sources state is damaged: {str(exc).splitlines()[0]}",
            path=path,
            hint="move it aside: the next pass rebuilds it without re-rendering unchanged ones",
        ) from exc


def save_state(episodes: Path, state: State) -> None:
    """Write ``episodes/sources.json`` atomically."""
    write_atomic(episodes / STATE_NAME, state.model_dump_json(indent=2) + "\n")

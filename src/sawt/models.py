"""Typed data shared by every stage: the episode record and the small types under it.

This module sits at the bottom of the import graph: it imports nothing from
sawt but ``errors``, so readers, the front end, engines, audio and publishing
can all use it without import loops.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sawt.errors import InputError

# ── Text capabilities of an engine (what the Arabic front end obeys) ─────────

LatinMode = Literal["native", "ssml", "letters"]


@dataclass(frozen=True)
class TextCaps:
    """What an engine needs done to text before it hears it (the Arabic front end obeys).

    The defaults suit an engine that reads digits and Latin words well itself.
    """

    verbalize_numbers: bool = False  # spell numbers, dates, money out in Arabic words
    diacritize: bool = False  # add vowel marks where the plain reading goes wrong
    # Latin words: "native" as they are (the engine switches language itself),
    # "ssml" inside <voice xml:lang="en">, "letters" spelled out in Arabic letter names.
    latin: LatinMode = "native"


class LexiconEntry(BaseModel):
    """One entry: ``match`` (a word/phrase, or a regex with ``regex: true``) → ``say``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match: str = Field(min_length=1)
    say: str
    regex: bool = False

    @model_validator(mode="after")
    def _compiles(self) -> LexiconEntry:
        if self.regex:
            try:
                regex.compile(self.match)  # the matcher sawt uses, with a time-out
            except regex.error as exc:
                raise ValueError(f"match is not a valid regex: {exc}") from exc
            # ``say`` is a template (\1, \g<name>): try it on a match that has the
            # pattern's groups, so a bad reference fails here with its line, not mid-render.
            try:
                probe = regex.compile(f"{self.match}|").match("", timeout=1.0)
            except TimeoutError:  # the render reports a pattern that backtracks
                probe = None
            if probe is not None:
                try:
                    probe.expand(self.say)
                except (IndexError, regex.error) as exc:
                    raise ValueError(
                        f"say is not a valid replacement for the regex: {exc}"
                    ) from exc
        return self


# ── What the text alone loses: links and images, kept for the web edition ────


@dataclass(frozen=True)
class Link:
    """A link kept from the article: its visible text and its target."""

    text: str
    href: str


@dataclass(frozen=True)
class Image:
    """An image kept from the article: where it is and its alt text (not read aloud)."""

    src: str
    alt: str


@dataclass(frozen=True)
class BlockMedia:
    """The links and images of one block of the (cleaned) article, by block index."""

    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()


# ── The timeline and chapters ────────────────────────────────────────────────


@dataclass(frozen=True)
class Entry:
    """One spoken piece with its exact place in the episode."""

    index: int
    role: str
    block: int
    sentence: int
    start_ms: int
    end_ms: int
    original: str
    spoken: str
    # (spoken word, start ms, end ms) in episode time; None when the engine gives no timing.
    words: tuple[tuple[str, int, int], ...] | None = None

    def __post_init__(self) -> None:
        # Read back from a JSON record, the words are lists: make them tuples again.
        if self.words is not None:
            words = tuple((str(t), int(a), int(b)) for t, a, b in self.words)
            object.__setattr__(self, "words", words)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (no ``words`` key without word timing)."""
        data = asdict(self)
        if self.words is None:
            del data["words"]
        else:
            data["words"] = [list(w) for w in self.words]
        return data


@dataclass(frozen=True)
class Chapter:
    """A navigation point: title and time range in milliseconds."""

    title: str
    start_ms: int
    end_ms: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


# ── The episode record ───────────────────────────────────────────────────────

# 1: sawt 0.1.0 (no schema_version key). 2: typed record, same keys plus
# schema_version and source_id.
SCHEMA_VERSION = 2


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AudioFacts(_Record):
    """The episode's MP3 as written."""

    file: str = Field(min_length=1)
    bytes: int = Field(ge=0)
    type: str = "audio/mpeg"
    bitrate_kbps: int | None = None
    sample_rate: int | None = None
    loudness_target_lufs: float | None = None
    loudness_lufs: float | None = None


class CleaningFacts(_Record):
    """What cleaning removed from the article (lines in the source file)."""

    dropped_paragraphs: int = 0
    dropped_lines: tuple[int, ...] = ()
    replaced: tuple[tuple[int, int], ...] = ()  # (dropped line, fuller version's line)


@dataclass(frozen=True)
class FallbackFact:
    """An engine of the chain that could not make the episode, and why."""

    engine: str
    reason: str


class SynthesisStats(_Record):
    """How the speech was made: requests sent, retries, pieces served from the cache."""

    requests: int = 0
    retries: int = 0
    cached_pieces: int = 0


class EpisodeRecord(_Record):
    """What a render produces: the single source for the feed and every side file.

    Stored as ``episodes/<slug>.json``. ``guid`` and ``pub_date`` are given by
    the catalog when the record is first saved and kept on every re-render.
    """

    schema_version: int = SCHEMA_VERSION
    slug: str = Field(min_length=1)
    title: str
    author: str | None = None
    date: str | None = None  # the article's own date, as written
    source_url: str | None = None
    source_id: str | None = None  # which article owns this slug (path or URL)
    language: str = "ar"
    image: str | None = None
    summary: str | None = None
    source_file: str | None = None
    engine: str = ""
    engine_identity: str | None = None
    engine_requested: str | None = None
    engine_chain: tuple[str, ...] = ()
    fallbacks: tuple[FallbackFact, ...] = ()
    fallback_reason: str | None = None
    word_timing: bool = False
    rendered_at: str | None = None
    sawt_version: str | None = None
    duration_ms: int = Field(ge=0)
    audio: AudioFacts
    cleaning: CleaningFacts = CleaningFacts()
    chapters: tuple[Chapter, ...]
    timeline: tuple[Entry, ...]
    blocks: tuple[BlockMedia, ...] = ()  # links and images per block, for the web edition
    image_alt: str | None = None
    fingerprint: str | None = None
    timing_s: dict[str, float] = Field(default_factory=dict)
    synthesis: SynthesisStats = SynthesisStats()
    guid: str | None = None
    pub_date: str | None = None

    def to_json(self) -> str:
        """Pretty UTF-8 JSON, as written to disk."""
        data = self.model_dump(mode="json")
        data["timeline"] = [e.to_dict() for e in self.timeline]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class RecordError(InputError):
    """An episode record that cannot be used: corrupt, or from a newer sawt."""


def parse_record(text: str, path: Path) -> EpisodeRecord:
    """Validate a record's JSON text; the error names the file and what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RecordError(f"not valid JSON: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise RecordError("record is not a JSON object", path=path)
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise RecordError(
            f"record schema_version {version!r} is newer than this sawt understands "
            f"({SCHEMA_VERSION})",
            path=path,
            hint="upgrade sawt to publish this episode",
        )
    data["schema_version"] = SCHEMA_VERSION  # records of 0.1.0 (version 1) load as they are
    try:
        record = EpisodeRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise RecordError(f"invalid field '{where}': {first['msg']}", path=path) from exc
    if record.slug != path.stem:
        raise RecordError(f"record slug '{record.slug}' does not match its file name", path=path)
    return record

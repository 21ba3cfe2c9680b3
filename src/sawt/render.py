"""The one function that runs the flow: read → clean → script → speak → assemble → tag."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sawt import __version__
from sawt.arabic.lexicon import Lexicon
from sawt.arabic.normalize import Boilerplate
from sawt.arabic.spoken import FrontEnd
from sawt.article import Article, read_article
from sawt.audio import encode_mp3, trim_silence, write_pcm
from sawt.catalog import episode_paths, make_slug, write_record
from sawt.clean import CleanReport, dedupe
from sawt.config import Settings
from sawt.engines import Engine, create_engine
from sawt.engines.base import Clip, TextCaps
from sawt.errors import EngineError
from sawt.files import staged
from sawt.progress import NullReporter, Reporter
from sawt.script import Piece, build_script
from sawt.tags import TagInfo, write_tags
from sawt.text import first_words
from sawt.timeline import Chapter, Entry, build_chapters, build_timeline

ISO639_2 = {"ar": "ara", "en": "eng", "fr": "fra", "es": "spa", "de": "deu", "fa": "fas"}


@dataclass(frozen=True)
class Prepared:
    """An article read, cleaned and scripted: everything before any audio."""

    article: Article
    clean: CleanReport
    pieces: list[Piece]
    slug: str


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote and measured."""

    slug: str
    mp3: Path
    record: Path
    duration_ms: int
    engine: str
    chapters: list[Chapter]
    timeline: list[Entry]
    notes: tuple[str, ...]


def prepare(
    path: Path, settings: Settings, max_chars: int, caps: TextCaps | None = None
) -> Prepared:
    """Read, clean and script an article for an engine with ``caps``; pure apart from reading."""
    article = read_article(path, Boilerplate.build(settings.boilerplate))
    article, report = dedupe(article)
    arabic = article.language.lower().startswith("ar")  # built-ins say acronyms in Arabic
    lexicon = Lexicon.build(article.lexicon, settings.lexicon, builtin=arabic)
    voice = FrontEnd(caps or TextCaps(), lexicon, article.language)
    pieces = build_script(article, max_chars, settings.pauses, voice)
    slug = make_slug(article.slug, path.stem, article.title)
    return Prepared(article, report, pieces, slug)


def render(
    path: Path,
    settings: Settings,
    engine_name: str | None = None,
    reporter: Reporter | None = None,
) -> RenderResult:
    """Render one article to ``episodes/<slug>.mp3`` plus its record; atomic."""
    reporter = reporter or NullReporter()
    engine = create_engine(engine_name or settings.engine, settings)
    # Plug-in engines written before caps existed get the defaults.
    prepared = prepare(path, settings, engine.max_chars, getattr(engine, "caps", None))
    for note in prepared.article.notes:
        reporter.note(note)
    paths = episode_paths(settings.episodes_path(), prepared.slug)
    with tempfile.TemporaryDirectory(prefix="sawt-") as tmp:
        raw = Path(tmp) / "episode.pcm"
        reporter.stage("speaking", len(prepared.pieces))
        with open(raw, "wb") as out:
            spans = write_pcm(
                _speak(engine, prepared.pieces),
                out,
                engine.sample_rate,
                on_piece=lambda _i: reporter.advance(),
            )
        duration_ms = _duration_ms(raw, engine.sample_rate)
        timeline = build_timeline(prepared.pieces, spans)
        chapters = build_chapters(timeline, prepared.article.title, duration_ms)
        reporter.stage("encoding")
        with staged(paths["mp3"]) as mp3_tmp:
            loudness = encode_mp3(raw, engine.sample_rate, mp3_tmp, settings.audio)
            write_tags(mp3_tmp, _tag_info(prepared.article, settings, chapters))
            size = mp3_tmp.stat().st_size
            record = _record(
                prepared,
                settings,
                engine,
                duration_ms,
                chapters,
                timeline,
                size,
                loudness.integrated,
            )
            # The record lands first: a record without audio is caught by `check`,
            # while audio without a record would be invisible to the catalog.
            write_record(paths["record"], record)
    return RenderResult(
        prepared.slug,
        paths["mp3"],
        paths["record"],
        duration_ms,
        engine.name,
        chapters,
        timeline,
        prepared.article.notes,
    )


def _speak(engine: Engine, pieces: list[Piece]) -> Iterator[tuple[int, Clip, int]]:
    for piece in pieces:
        try:
            clip = engine.synthesize(piece.spoken)
        except EngineError as exc:
            exc.message = f"piece {piece.index} ({first_words(piece.original)}): {exc.message}"
            raise
        yield piece.index, trim_silence(clip), piece.pause_ms


def _duration_ms(raw: Path, sample_rate: int) -> int:
    return round(raw.stat().st_size / 2 * 1000 / sample_rate)


def _full_text(article: Article) -> str:
    parts = [article.title, *([article.author] if article.author else [])]
    parts += [b.text for b in article.blocks]
    return "\n\n".join(parts)


def _lead(article: Article, limit: int = 300) -> str:
    first = next((b.text for b in article.blocks if b.kind == "paragraph"), article.title)
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _tag_info(article: Article, settings: Settings, chapters: list[Chapter]) -> TagInfo:
    image = settings.image_path()
    return TagInfo(
        title=article.title,
        author=article.author,
        album=settings.title,
        date=article.date,
        language=ISO639_2.get(article.language, article.language),
        summary=_lead(article),
        source_url=article.source_url,
        full_text=_full_text(article),
        chapters=tuple(chapters),
        cover=image if image and image.exists() else None,
    )


def _record(
    prepared: Prepared,
    settings: Settings,
    engine: Engine,
    duration_ms: int,
    chapters: list[Chapter],
    timeline: list[Entry],
    size: int,
    measured_lufs: float,
) -> dict[str, Any]:
    article = prepared.article
    return {
        "slug": prepared.slug,
        "title": article.title,
        "author": article.author,
        "date": article.date,
        "source_url": article.source_url,
        "language": article.language,
        "image": article.image,
        "summary": _lead(article),
        "source_file": article.path.name,
        "engine": engine.name,
        "engine_identity": engine.identity(),
        "rendered_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sawt_version": __version__,
        "duration_ms": duration_ms,
        "audio": {
            "file": f"{prepared.slug}.mp3",
            "bytes": size,
            "type": "audio/mpeg",
            "bitrate_kbps": settings.audio.bitrate,
            "sample_rate": settings.audio.sample_rate,
            "loudness_target_lufs": settings.audio.loudness,
            "loudness_lufs": measured_lufs,
        },
        "cleaning": {
            "dropped_paragraphs": prepared.clean.removed,
            "dropped_lines": [b.line for b in prepared.clean.dropped],
            "replaced": [[a.line, b.line] for a, b in prepared.clean.replaced],
        },
        "chapters": [c.to_dict() for c in chapters],
        "timeline": [e.to_dict() for e in timeline],
    }

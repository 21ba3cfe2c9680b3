"""The one function that runs the flow: read → clean → script → speak → assemble → tag."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sawt.audio.assemble import LoudnessMeter, encode_mp3, write_pcm
from sawt.audio.tags import TagInfo, write_tags
from sawt.audio.timeline import build_chapters, build_timeline
from sawt.config import Settings
from sawt.config.artwork import read_image_info
from sawt.errors import ConfigError, EngineUnavailable, InputError
from sawt.files import (
    staged,
    sweep_parts,
    sweep_temp_dirs,
    temp_dir,
    write_atomic_if_changed,
)
from sawt.models import (
    AudioFacts,
    BlockMedia,
    Chapter,
    CleaningFacts,
    Entry,
    EpisodeRecord,
    FallbackFact,
    RecordError,
    SynthesisStats,
    TextCaps,
)
from sawt.progress import NullReporter, Reporter
from sawt.publishing.catalog import (
    EpisodePaths,
    episode_paths,
    make_slug,
    read_record,
    resolve_slug,
    save_record,
)
from sawt.read.article import load_bytes, read_article
from sawt.read.clean import CleanReport, dedupe
from sawt.read.document import Article
from sawt.speech.arabic.lexicon import Lexicon
from sawt.speech.arabic.spoken import FrontEnd
from sawt.speech.cache import ClipCache
from sawt.speech.engines import Engine, create_engine, engine_chain, engine_info
from sawt.speech.script import Piece, build_script
from sawt.speech.synth import Synthesizer
from sawt.text.normalize import Boilerplate
from sawt.version import __version__

# Show fields that only the feed uses (the album tag is the show's title, the cover its image).
FEED_ONLY: tuple[str, ...] = ("description", "author", "owner", "base_url", "image_alt", "category")
FEED_ONLY += ("subcategory", "explicit", "copyright", "link", "type", "locked")

ISO639_2 = {"ar": "ara", "en": "eng", "fr": "fra", "es": "spa", "de": "deu", "fa": "fas"}


def id3_language(tag: str) -> str:
    """The three-letter code ID3 needs (COMM, USLT) for a language tag; ``und`` if unknown."""
    primary = tag.split("-")[0].strip().lower()
    if primary in ISO639_2:
        return ISO639_2[primary]
    return primary if len(primary) == 3 and primary.isascii() and primary.isalpha() else "und"


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
    requests: int = 0
    cached_pieces: int = 0
    skipped: bool = False  # unchanged since the last render: nothing was done


def prepare(
    path: Path,
    settings: Settings,
    max_chars: int,
    caps: TextCaps | None = None,
    *,
    slug: str | None = None,
) -> Prepared:
    """Read, clean and script an article for an engine with ``caps``; pure apart from reading.

    ``slug``: the one a batch already resolved for this article (else it is resolved here).
    """
    article = read_article(path, Boilerplate.build(settings.boilerplate))
    article, report = dedupe(article)
    arabic = article.language.lower().startswith("ar")  # built-ins say acronyms in Arabic
    lexicon = Lexicon.build(article.lexicon, settings.lexicon, builtin=arabic)
    voice = FrontEnd(caps or TextCaps(), lexicon, article.language)
    pieces = build_script(article, max_chars, settings.pauses, voice)
    return Prepared(article, report, pieces, slug or article_slug(path, article, settings))


def with_voice(settings: Settings, engine: str, voice: str | None) -> Settings:
    """Settings with an article's front-matter ``voice:`` for the engine that speaks it.

    The voice belongs to ``engine`` (espeak or edge); with ``auto``, an Edge
    voice name (``…Neural``) goes to edge and any other to espeak, so the
    fallback keeps its own default voice.
    """
    if not voice:
        return settings
    target = engine
    if engine == "auto":
        target = "edge" if voice.endswith("Neural") else "espeak"
    if target == "espeak":
        return settings.model_copy(
            update={"espeak": settings.espeak.model_copy(update={"voice": voice})}
        )
    if target == "edge":
        return settings.model_copy(
            update={"edge": settings.edge.model_copy(update={"voice": voice})}
        )
    return settings


def article_slug(
    path: Path, article: Article, settings: Settings, taken: Set[str] = frozenset()
) -> str:
    """The slug ``article`` is published under: its own, unless another article owns it."""
    base = make_slug(article.slug, path.stem, article.title)
    return resolve_slug(
        settings.episodes_path(),
        base,
        source_id(path, article, settings),
        explicit=bool(article.slug),
        taken=taken,
    )


def render(
    path: Path,
    settings: Settings,
    engine_name: str | None = None,
    reporter: Reporter | None = None,
    *,
    force: bool = False,
    shared_clips: bool = False,
    slug: str | None = None,
    unavailable: Mapping[str, str] | None = None,
) -> RenderResult:
    """Render one article to ``episodes/<slug>.mp3`` plus its record; atomic.

    An article whose text and settings are unchanged since its last render is
    skipped (``force`` renders it anyway).

    With a chain of engines (``auto``: the ``auto:`` list of podcast.yaml; or an
    engine with a fallback), a failure of one engine re-renders the whole episode
    with the next: one voice per episode. Every engine but the last is probed
    with a short time limit on its first piece.

    ``shared_clips`` reads (and writes) every engine's clips through the clip
    cache, even an engine not worth caching alone: the seam for a cluster, where
    other workers have filled the shared cache with ranges of this script.

    ``unavailable`` names engines already found unavailable (by a batch's one
    probe), with the reason: the chain skips them, recording the fallback.
    """
    reporter = reporter or NullReporter()
    article = read_article(path)  # validates the input; its front matter may pick a voice
    name = engine_name or article.engine or settings.engine
    settings = with_voice(settings, name, article.voice)
    engine_info(name)  # an unknown name fails before any work
    # What killed renders left behind (kill -9): their temp files and PCM.
    sweep_parts(settings.episodes_path())
    sweep_temp_dirs()
    chain = engine_chain(name, settings)
    stamp = fingerprint(path, settings, name)
    if not force:
        previous = _unchanged(path, settings, stamp, slug)
        if previous is not None:
            return previous
    fallbacks: list[Fallback] = []
    for position, member in enumerate(chain):
        last = position == len(chain) - 1
        if not last and unavailable and member in unavailable:
            fallbacks.append(Fallback(member, unavailable[member]))
            continue
        try:
            engine = create_engine(member, settings, probe=not last)
        except ConfigError as exc:
            if not article.voice:
                raise
            raise InputError(
                f"front matter voice '{article.voice}' does not suit {member}: {exc.message}",
                path=path,
            ) from exc
        try:
            return _render_with(
                engine,
                path,
                settings,
                reporter,
                requested=name,
                stamp=stamp,
                chain=chain,
                fallbacks=fallbacks,
                shared=shared_clips,
                slug=slug,
            )
        except EngineUnavailable as exc:
            if last:
                raise
            following = chain[position + 1]
            reporter.warn(
                f"{engine.name} is unavailable, so the whole episode uses {following}: "
                f"{exc.message}"
            )
            fallbacks.append(Fallback(engine.name, exc.message))
    raise EngineUnavailable(f"no engine to try for {name}")  # a chain is never empty


@dataclass(frozen=True)
class Fallback:
    """An engine of the chain that could not make the episode, and why."""

    engine: str
    reason: str


def _render_with(
    engine: Engine,
    path: Path,
    settings: Settings,
    reporter: Reporter,
    *,
    requested: str,
    stamp: str,
    chain: list[str],
    fallbacks: list[Fallback],
    shared: bool = False,
    slug: str | None = None,
) -> RenderResult:
    clock = _Clock()
    prepared = prepare(path, settings, engine.max_chars, engine.caps, slug=slug)
    clock.lap("script")
    paths = episode_paths(settings.episodes_path(), prepared.slug)
    synth = Synthesizer(engine, ClipCache(settings.cache_path()), reporter, cache_always=shared)
    with temp_dir() as tmp:
        raw = tmp / "episode.pcm"
        reporter.stage(f"speaking ({engine.name})", len(prepared.pieces))
        meter = LoudnessMeter(engine.sample_rate)
        try:
            with open(raw, "wb") as out:
                spans = write_pcm(
                    synth.run(prepared.pieces),
                    [out, meter],
                    engine.sample_rate,
                    on_piece=lambda _i: reporter.advance(),
                )
        except BaseException as exc:
            meter.abort()
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = str(raw)  # a full temp disk: say where
            raise
        measured = meter.result()
        clock.lap("synthesis")
        duration_ms = _duration_ms(raw, engine.sample_rate)
        timeline = build_timeline(prepared.pieces, spans)
        chapters = build_chapters(timeline, prepared.article.title, duration_ms)
        reporter.stage("encoding")
        with staged(paths.mp3) as mp3_tmp:
            loudness = encode_mp3(raw, engine.sample_rate, mp3_tmp, settings.audio, measured)
            clock.lap("encode")
            picture = _episode_picture(prepared.article, paths)
            write_tags(mp3_tmp, _tag_info(prepared.article, settings, chapters, picture))
            clock.lap("tags")
            synthesis = SynthesisStats(
                # Local engines make no requests worth counting.
                requests=synth.stats.requests if engine.cacheable else 0,
                retries=synth.stats.retries,
                cached_pieces=synth.stats.cached,
            )
            record = _record(
                prepared,
                settings,
                engine,
                duration_ms,
                chapters,
                timeline,
                mp3_tmp.stat().st_size,
                loudness.integrated,
            ).model_copy(
                update={
                    "image": picture.name if picture else None,
                    "engine_requested": requested,
                    # Which engines were in line, which could not speak and why.
                    "engine_chain": tuple(chain),
                    "fallbacks": tuple(FallbackFact(f.engine, f.reason) for f in fallbacks),
                    "fallback_reason": fallbacks[-1].reason if fallbacks else None,
                    "word_timing": any(e.words is not None for e in timeline),
                    "fingerprint": stamp,
                    "timing_s": clock.laps,
                    "synthesis": synthesis,
                    "source_id": source_id(path, prepared.article, settings),
                }
            )
            # The record lands first: a record without audio is caught by `check`,
            # while audio without a record would be invisible to the catalog.
            # save_record keeps the GUID and first pub date of an earlier render.
            save_record(paths.record, record)
    for note in prepared.article.notes:
        reporter.note(note)
    return RenderResult(
        prepared.slug,
        paths.mp3,
        paths.record,
        duration_ms,
        engine.name,
        chapters,
        timeline,
        prepared.article.notes,
        synthesis.requests,
        synthesis.cached_pieces,
    )


class _Clock:
    """Wall time per stage, for the record and the benchmarks."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self.last, 4)
        self.last = now


def fingerprint(path: Path, settings: Settings, engine_name: str) -> str:
    """What makes an episode what it is: the file's bytes, the settings, engine, sawt."""
    try:
        data = load_bytes(path)
    except InputError:
        data = b""  # reading it properly reports the error
    digest = hashlib.sha256(data)
    # Where articles come from, how they are fetched, how politely an engine is
    # asked (a batch splits gTTS's limits between its workers), where the cache
    # is and the show's feed-only fields do not change an episode.
    transport = {"concurrency", "rate_limit", "retries", "backoff", "backoff_max", "timeout"}
    transport |= {"deadline", "preflight_timeout"}
    exclude: dict[str, bool | set[str]] = {
        "root": True,
        "sources": True,
        "expire_days": True,
        "allow_private_addresses": True,
        "fetch": True,
        "cluster": True,
        "cache_dir": True,
        "gtts": transport,
        "edge": transport | {"proxy", "ca_file"},
        **dict.fromkeys(FEED_ONLY, True),
    }
    digest.update(settings.model_dump_json(exclude=exclude).encode())
    digest.update(f"\0{engine_name}\0{__version__}".encode())
    return digest.hexdigest()


def unchanged(path: Path, settings: Settings, engine_name: str) -> bool:
    """Whether rendering ``path`` now would be skipped (same article, settings, engine)."""
    return _unchanged(path, settings, fingerprint(path, settings, engine_name)) is not None


def _unchanged(
    path: Path, settings: Settings, stamp: str, slug: str | None = None
) -> RenderResult | None:
    """The earlier render's result if the article and settings are unchanged."""
    article = read_article(path)  # validates the input and gives the slug
    slug = slug or article_slug(path, article, settings)
    paths = episode_paths(settings.episodes_path(), slug)
    try:
        record = read_record(paths.record)
    except RecordError:
        return None
    if (
        record.fingerprint != stamp
        or not paths.mp3.exists()
        or paths.mp3.stat().st_size != record.audio.bytes
    ):
        return None
    return RenderResult(
        slug,
        paths.mp3,
        paths.record,
        record.duration_ms,
        record.engine,
        list(record.chapters),
        list(record.timeline),
        (),
        skipped=True,
    )


def source_id(path: Path, article: Article, settings: Settings) -> str:
    """Which article a record belongs to (and so owns its slug).

    A file in the show's folder: its path relative to podcast.yaml, so a show
    that moves keeps its episodes. A page fetched from the web (saved outside
    the show) is its URL; any other file, its absolute path.
    """
    full = path.resolve()
    root = settings.root.resolve()
    if full.is_relative_to(root):
        return full.relative_to(root).as_posix()
    return article.source_url or str(full)


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


def _episode_picture(article: Article, paths: EpisodePaths) -> Path | None:
    """Copy the article's own picture beside its episode (``<slug>.png|jpg``), atomically."""
    if not article.image:
        return None
    source = Path(article.image)
    info = read_image_info(source)
    if info is None:  # checked when read; the file changed since
        raise InputError("image is neither PNG nor JPEG", path=source)
    target = paths.episodes / f"{paths.slug}.{'png' if info.format == 'png' else 'jpg'}"
    write_atomic_if_changed(target, source.read_bytes())
    return target


def _tag_info(
    article: Article, settings: Settings, chapters: list[Chapter], picture: Path | None
) -> TagInfo:
    image = picture or settings.image_path()
    return TagInfo(
        title=article.title,
        author=article.author,
        album=settings.title,
        date=article.date,
        language=id3_language(article.language),
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
) -> EpisodeRecord:
    article = prepared.article
    return EpisodeRecord(
        slug=prepared.slug,
        title=article.title,
        author=article.author,
        date=article.date,
        source_url=article.source_url,
        language=article.language,
        summary=_lead(article),
        source_file=article.path.name,
        engine=engine.name,
        engine_identity=engine.identity(),
        rendered_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        sawt_version=__version__,
        duration_ms=duration_ms,
        audio=AudioFacts(
            file=f"{prepared.slug}.mp3",
            bytes=size,
            bitrate_kbps=settings.audio.bitrate,
            sample_rate=settings.audio.sample_rate,
            loudness_target_lufs=settings.audio.loudness,
            loudness_lufs=measured_lufs,
        ),
        cleaning=CleaningFacts(
            dropped_paragraphs=prepared.clean.removed,
            dropped_lines=tuple(b.line for b in prepared.clean.dropped),
            replaced=tuple((a.line, b.line) for a, b in prepared.clean.replaced),
        ),
        chapters=tuple(chapters),
        timeline=tuple(timeline),
        blocks=tuple(BlockMedia(b.links, b.images) for b in article.blocks),
        image_alt=article.image_alt,
    )

"""The episodes on disk: slugs, paths, episode records, and the catalog lock.

The records (``episodes/<slug>.json``) are the single source of truth; the
feed and every side file are derived from them (see ``sawt.publishing.rebuild``).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Callable, Iterator, Set
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Protocol

from sawt.errors import InputError
from sawt.files import write_atomic
from sawt.models import EpisodeRecord, RecordError, parse_record
from sawt.publishing.manifest import read_manifest, write_manifest
from sawt.publishing.outputs import for_path, outputs
from sawt.text.slugs import romanise

try:  # POSIX only; elsewhere sawt runs without the cross-process lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

_UNSAFE = re.compile(r"[^a-z0-9_-]+")
# Slugs are [a-z0-9_-], so "<slug>.json" never collides with "<slug>.chapters.json".
_RECORD_NAME = re.compile(r"^[a-z0-9_-]+\.json$")
LOCK_NAME = ".lock"
SOURCES_STATE = "sources.json"  # `sawt update`'s state, not an episode record


# Names sawt itself uses in episodes/ ("index.html", "feed.xml", "sources.json"…).
RESERVED_SLUGS = frozenset({"index", "feed", "sources", "cover", "sawt-web"})


class SlugTaken(InputError):
    """A slug already belongs to another article."""


def make_slug(preferred: str | None, fallback_stem: str, title: str) -> str:
    """A readable ASCII file-name slug: from front matter, else the file name (romanised)."""
    for candidate in (preferred, fallback_stem):
        if not candidate:
            continue
        slug = _UNSAFE.sub("-", romanise(candidate)).strip("-_")[:80].strip("-_")
        if slug:
            return f"{slug}-episode" if slug in RESERVED_SLUGS else slug
    return "episode-" + hashlib.sha1(title.encode()).hexdigest()[:10]


def owned_by(record: EpisodeRecord, source: str) -> bool:
    """Whether ``record`` belongs to the article ``source`` (a path or URL).

    Records of sawt 0.1.0 know only their file name: they belong to an article
    of that name.
    """
    if record.source_id is not None:
        return record.source_id == source
    return record.source_file is not None and record.source_file == PurePath(source).name


def resolve_slug(
    episodes: Path, base: str, source: str, *, explicit: bool, taken: Set[str] = frozenset()
) -> str:
    """The slug for article ``source``: ``base`` unless another article owns it.

    An article keeps the slug it had; another one that maps to a taken slug
    gets ``base-2``, ``base-3``… (``taken`` adds slugs claimed in this batch),
    or, when the slug was given explicitly, a clear error. Never an overwrite.
    """
    n = 1
    while True:
        slug = base if n == 1 else f"{base}-{n}"
        owner = _owner_of(episodes, slug)
        if slug not in taken and (owner is None or _same(episodes, slug, source)):
            return slug
        if explicit:
            raise SlugTaken(
                f"slug '{slug}' (from front matter) already belongs to "
                f"{_describe(owner, slug in taken)}",
                path=source,
                hint="give this article another slug:, or remove the other episode first",
            )
        n += 1


def _describe(owner: str | None, in_batch: bool) -> str:
    if in_batch:
        return "an earlier article of this batch"
    return owner or "a file that is not a record sawt can read"


def _owner_of(episodes: Path, slug: str) -> str | None:
    """Who owns ``slug``: None if free, "" if a record nobody can read sits there."""
    path = episodes / f"{slug}.json"
    if not path.exists():
        return None
    try:
        record = read_record(path)
    except RecordError:
        return ""  # left alone: never overwritten, never reused
    return record.source_id or record.source_file or slug


def _same(episodes: Path, slug: str, source: str) -> bool:
    try:
        return owned_by(read_record(episodes / f"{slug}.json"), source)
    except RecordError:
        return False


@dataclass(frozen=True)
class EpisodePaths:
    """Where one episode's own files live: its audio, its record, its derived outputs."""

    slug: str
    episodes: Path
    mp3: Path
    record: Path

    def outputs(self) -> dict[str, Path]:
        """Every registered per-episode output of this slug, by output name."""
        return {o.name: o.path(self.episodes, self.slug) for o in outputs() if o.per_episode}


def episode_paths(episodes: Path, slug: str) -> EpisodePaths:
    """Where an episode's files live; refuses anything that would escape ``episodes``."""
    root = episodes.resolve()
    paths = EpisodePaths(slug, root, root / f"{slug}.mp3", root / f"{slug}.json")
    for p in (paths.mp3, paths.record, *paths.outputs().values()):
        if not p.resolve().is_relative_to(root) or p.resolve() == root:
            raise InputError(f"slug '{slug}' would write outside {root}")
    return paths


class Fence(Protocol):
    """Proof that the catalog lock is still held: ``check`` raises once it is lost."""

    def check(self) -> None:
        """Raise if a write now could race another holder of the lock."""


class _NoFence:
    """A local lock cannot be lost while its holder lives."""

    def check(self) -> None:
        """Never raises."""


NO_FENCE: Fence = _NoFence()

# How this process locks a catalog: episodes folder → context manager yielding a Fence.
CatalogLock = Callable[[Path], AbstractContextManager[Fence]]


@contextlib.contextmanager
def file_lock(episodes: Path) -> Iterator[Fence]:
    """Hold the catalog's exclusive ``flock`` (``episodes/.lock``) across local processes."""
    episodes.mkdir(parents=True, exist_ok=True)
    with open(episodes / LOCK_NAME, "a+b") as fh:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield NO_FENCE
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


_lock_factory: CatalogLock = file_lock


def use_catalog_lock(factory: CatalogLock | None) -> None:
    """Lock catalogs with ``factory`` in this process (None: the local ``flock``).

    The seam for many machines: a cluster worker installs a Redis lock with
    expiry and fencing here.
    """
    global _lock_factory
    _lock_factory = factory or file_lock


def catalog_lock(episodes: Path) -> AbstractContextManager[Fence]:
    """Hold the catalog's exclusive lock; the Fence it yields says whether it still holds."""
    return _lock_factory(episodes)


def write_record(path: Path, record: EpisodeRecord) -> None:
    """Write an episode record as pretty UTF-8 JSON, atomically."""
    write_atomic(path, record.to_json())


def read_record(path: Path) -> EpisodeRecord:
    """Read and validate one episode record (RecordError names the file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text: {exc}", path=path) from exc
    except OSError as exc:
        raise RecordError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    return parse_record(text, path)


def save_record(path: Path, record: EpisodeRecord, *, locked: bool = False) -> EpisodeRecord:
    """Add or replace an episode record, keeping the GUID and first pub date it had.

    ``locked`` says the caller already holds the catalog lock (flock locks are
    per open file, so taking it again from the same process would deadlock).
    """
    lock: AbstractContextManager[Fence] = (
        contextlib.nullcontext(NO_FENCE) if locked else catalog_lock(path.parent)
    )
    with lock as fence:
        previous: EpisodeRecord | None = None
        if path.exists():
            try:
                previous = read_record(path)
            except RecordError as exc:
                raise SlugTaken(
                    f"{path.name} exists but is not a record sawt can read; not overwritten",
                    path=path,
                    hint="fix or move that file, or give the article another slug:",
                ) from exc
            if record.source_id and not owned_by(previous, record.source_id):
                raise SlugTaken(
                    f"slug '{record.slug}' now belongs to "
                    f"{previous.source_id or previous.source_file}; this render was not saved",
                    path=record.source_id,
                    hint="render it again: it gets a free slug",
                )
        # A podcast app treats a new GUID as a new episode: a re-render must not
        # re-announce it, nor move it to the top of the list.
        merged = record.model_copy(
            update={
                "guid": (previous and previous.guid) or record.guid or f"urn:uuid:{uuid.uuid4()}",
                "pub_date": (previous and previous.pub_date)
                or record.pub_date
                or record.rendered_at
                or datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        )
        fence.check()
        write_record(path, merged)
    return merged


@dataclass(frozen=True)
class Catalog:
    """The records found in ``episodes/``, newest first, and the files that failed to load."""

    records: list[EpisodeRecord]
    broken: list[tuple[Path, str]]


def scan(episodes: Path) -> Catalog:
    """Read every episode record in ``episodes`` (call under the lock to see a stable set)."""
    records: list[EpisodeRecord] = []
    broken: list[tuple[Path, str]] = []
    if not episodes.is_dir():
        return Catalog(records, broken)
    for path in sorted(episodes.iterdir()):
        if not _RECORD_NAME.match(path.name) or _is_output(path.name) or path.name == SOURCES_STATE:
            continue
        try:
            records.append(read_record(path))
        except RecordError as exc:
            broken.append((path, exc.message))
    records.sort(key=lambda r: (r.pub_date or "", r.slug), reverse=True)
    return Catalog(records, broken)


def _is_output(name: str) -> bool:
    output = for_path(name)
    return output is not None and output.pattern != "{slug}.json"


def remove_episode(episodes: Path, slug: str) -> list[Path]:
    """Delete an episode: its record, its audio and picture, and the outputs sawt wrote for it.

    Only files this episode owns go: the record must be one sawt can read, and
    derived files must be listed in the manifest. Returns what was removed.
    """
    paths = episode_paths(episodes, slug)
    if not paths.record.is_file():
        raise InputError(f"no episode '{slug}' in {episodes}", hint="see `sawt episodes`")
    root = paths.episodes
    removed: list[Path] = []
    with catalog_lock(episodes):
        record = read_record(paths.record)  # not a record of ours: refuse, delete nothing
        owned = read_manifest(root)
        own = [paths.record, root / record.audio.file]
        if record.image:
            own.append(root / record.image)
        own += [p for p in paths.outputs().values() if _rel(root, p) in owned]
        # The record goes first: once it is gone the episode is out of the
        # catalog, even if a crash leaves some of its files behind.
        for path in own:
            if not path.resolve().is_relative_to(root) or path.resolve() == root:
                continue
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
        write_manifest(root, owned - {_rel(root, p) for p in removed})
    return removed


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()

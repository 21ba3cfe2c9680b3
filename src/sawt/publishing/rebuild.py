"""Rebuild everything derived from the episode records: every registered output and the cover.

Only files that sawt wrote are ever deleted: each rebuild records the outputs it
wrote in ``episodes/.sawt-outputs.json`` (the manifest), and an output is removed
only when the manifest lists it and its record is gone. A ``talk.srt`` or
``cover.jpg`` that someone else put in the folder is never touched.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from sawt.config import Settings
from sawt.config.artwork import read_image_info
from sawt.files import sweep_parts, write_atomic_if_changed
from sawt.models import EpisodeRecord
from sawt.publishing.catalog import (
    NO_FENCE,
    Fence,
    catalog_lock,
    episode_paths,
    save_record,
    scan,
)
from sawt.publishing.manifest import read_manifest, write_manifest
from sawt.publishing.outputs import Show, outputs

COVER_STEM = "cover"


@dataclass
class PublishReport:
    """What a rebuild did."""

    feed: Path
    episodes: int
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write atomically unless the file already holds exactly ``data`` (keeps mtimes for rsync)."""
    return write_atomic_if_changed(path, data)


def publish(settings: Settings) -> PublishReport:
    """Rebuild every output and the cover copy from the records, under the catalog lock."""
    episodes = settings.episodes_path()
    with catalog_lock(episodes) as fence:
        sweep_parts(episodes)  # temp files of renders that were killed
        catalog = scan(episodes)
        records = [_with_identity(episodes, r) for r in catalog.records]
        report = PublishReport(episodes / "feed.xml", len(records))
        owned = read_manifest(episodes)
        cover = _publish_cover(settings, episodes, report, owned, fence)
        show = Show(settings, records, cover)
        wrote: set[str] = {cover} if cover else set()
        for output in outputs():
            if output.per_episode and output.episode is not None:
                for record in records:
                    _write(
                        report,
                        episodes,
                        output.relpath(record.slug),
                        output.episode(show, record),
                        fence,
                    )
                    wrote.add(output.relpath(record.slug))
            elif output.show is not None:
                if output.name == "feed":
                    report.feed = output.path(episodes)
                _write(report, episodes, output.relpath(), output.show(show), fence)
                wrote.add(output.relpath())
        # An output sawt wrote earlier whose record is gone is derived from
        # nothing now; a broken record keeps its files until it is fixed.
        keep = wrote | {p.relative_to(episodes).as_posix() for p, _ in catalog.broken}
        broken_slugs = {p.stem for p, _ in catalog.broken}
        for rel in sorted(owned - keep):
            output_slug = _slug_of(rel)
            if output_slug in broken_slugs:
                keep.add(rel)
                continue
            fence.check()
            with contextlib.suppress(FileNotFoundError):
                (episodes / rel).unlink()
                report.removed.append(episodes / rel)
        fence.check()
        write_manifest(episodes, (owned & keep) | wrote)
    report.notes += [f"{p.name}: {why}; left out of the feed" for p, why in catalog.broken]
    return report


def _write(
    report: PublishReport, episodes: Path, rel: str, data: str | bytes, fence: Fence = NO_FENCE
) -> None:
    fence.check()  # a lock that was lost (expired, on a cluster) must not write
    if write_if_changed(episodes / rel, data):
        report.written.append(episodes / rel)


def _slug_of(rel: str) -> str | None:
    for output in outputs():
        slug = output.slug_of(rel)
        if slug is not None:
            return slug
    return None


def _with_identity(episodes: Path, record: EpisodeRecord) -> EpisodeRecord:
    if record.guid and record.pub_date:
        return record
    # A record from before the catalog kept identities: give it one now, in the
    # record, so it stays the same from here on.
    return save_record(episode_paths(episodes, record.slug).record, record, locked=True)


def _publish_cover(
    settings: Settings,
    episodes: Path,
    report: PublishReport,
    owned: set[str],
    fence: Fence = NO_FENCE,
) -> str | None:
    # The feed can only point at files under base_url, so the cover is copied
    # into episodes/ under a fixed name with the extension its format calls for
    # (feedgen drops an itunes:image whose URL does not end in .jpg or .png).
    source = settings.image_path()
    if source is None or not source.is_file():
        return None
    info = read_image_info(source)
    if info is None:
        report.notes.append(f"{source}: cover is neither PNG nor JPEG; not published")
        return None
    name = f"{COVER_STEM}.{'png' if info.format == 'png' else 'jpg'}"
    _write(report, episodes, name, source.read_bytes(), fence)
    owned.add(name)
    for other in (f"{COVER_STEM}.png", f"{COVER_STEM}.jpg"):
        # Only a cover sawt published itself is replaced; someone else's stays.
        if other != name and other in owned and (episodes / other).exists():
            (episodes / other).unlink()
            owned.discard(other)
            report.removed.append(episodes / other)
    return name

"""Rebuild everything derived from the episode records: side files, cover, feed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sawt.config import Settings
from sawt.config.artwork import read_image_info
from sawt.files import write_atomic
from sawt.publishing.captions import build_cues, json_chapters, to_srt, to_vtt
from sawt.publishing.catalog import SIDE_SUFFIXES, catalog_lock, episode_paths, save_record, scan
from sawt.publishing.feed import FEED_NAME, build_feed

COVER_STEM = "cover"
_SIDE_NAME = re.compile(r"^([a-z0-9_-]+)(\.vtt|\.srt|\.chapters\.json)$")


@dataclass
class PublishReport:
    """What a rebuild did."""

    feed: Path
    episodes: int
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write atomically unless the file already holds exactly ``data``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return False
    except OSError:
        pass
    write_atomic(path, raw)
    return True


def side_files(record: dict[str, Any]) -> dict[str, str]:
    """The captions and JSON chapters of one record, by path key (vtt, srt, chapters)."""
    cues = build_cues(record["timeline"])
    return {
        "vtt": to_vtt(cues),
        "srt": to_srt(cues),
        "chapters": json_chapters(record),
    }


def publish(settings: Settings) -> PublishReport:
    """Rebuild side files, the cover copy and feed.xml from the records, under the lock."""
    episodes = settings.episodes_path()
    with catalog_lock(episodes):
        catalog = scan(episodes)
        report = PublishReport(episodes / FEED_NAME, len(catalog.records))
        for record in catalog.records:
            paths = episode_paths(episodes, record["slug"])
            if not record.get("guid") or not record.get("pub_date"):
                # A record from before the catalog kept identities: give it
                # one now, in the record, so it stays the same from here on.
                record.update(save_record(paths["record"], record, locked=True))
            for key, text in side_files(record).items():
                if write_if_changed(paths[key], text):
                    report.written.append(paths[key])
        report.removed += _drop_orphans(episodes, {r["slug"] for r in catalog.records})
        cover = _publish_cover(settings, episodes, report)
        # Written last and atomically: the feed on disk is always a whole,
        # valid document, and never names side files that are not there yet.
        if write_if_changed(report.feed, build_feed(settings, catalog.records, cover)):
            report.written.append(report.feed)
    report.notes += [f"{p.name}: {why}; left out of the feed" for p, why in catalog.broken]
    return report


def _drop_orphans(episodes: Path, slugs: set[str]) -> list[Path]:
    # Side files are derived: once their record is gone they must go too.
    removed = []
    for path in episodes.iterdir():
        m = _SIDE_NAME.match(path.name)
        if m and m.group(2) in SIDE_SUFFIXES and m.group(1) not in slugs:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _publish_cover(settings: Settings, episodes: Path, report: PublishReport) -> str | None:
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
    if write_if_changed(episodes / name, source.read_bytes()):
        report.written.append(episodes / name)
    for other in (f"{COVER_STEM}.png", f"{COVER_STEM}.jpg"):
        if other != name and (episodes / other).exists():
            (episodes / other).unlink()
            report.removed.append(episodes / other)
    return name

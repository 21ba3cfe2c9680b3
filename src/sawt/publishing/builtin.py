"""The built-in outputs: captions (VTT, SRT), JSON chapters and the feed."""

from __future__ import annotations

from sawt.models import EpisodeRecord
from sawt.publishing.captions import build_cues, json_chapters, to_srt, to_vtt
from sawt.publishing.feed import FEED_NAME, build_feed
from sawt.publishing.outputs import Output, Show, register


def _vtt(_show: Show, record: EpisodeRecord) -> str:
    return to_vtt(build_cues(record.timeline))


def _srt(_show: Show, record: EpisodeRecord) -> str:
    return to_srt(build_cues(record.timeline))


def _chapters(_show: Show, record: EpisodeRecord) -> str:
    return json_chapters(record)


def _feed(show: Show) -> bytes:
    return build_feed(show.settings, list(show.records), show.cover)


register(Output("vtt", "{slug}.vtt", "text/vtt; charset=utf-8", cors=True, episode=_vtt))
register(
    Output("srt", "{slug}.srt", "application/x-subrip; charset=utf-8", cors=True, episode=_srt)
)
register(
    Output(
        "chapters",
        "{slug}.chapters.json",
        "application/json+chapters; charset=utf-8",
        cors=True,
        episode=_chapters,
    )
)
# Written last: the feed on disk never names a side file that is not there yet.
register(
    Output(
        "feed", FEED_NAME, "application/rss+xml; charset=utf-8", cors=True, show=_feed, last=True
    )
)

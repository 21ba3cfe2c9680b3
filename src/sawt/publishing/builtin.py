"""The built-in outputs: captions (VTT, SRT), JSON chapters and the feed."""

from __future__ import annotations

from collections.abc import Callable

from sawt import web
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


def _page_show(show: Show) -> web.PageShow:
    s = show.settings
    cover = web.PageImage(show.cover, s.image_alt or f"غلاف {s.title}") if show.cover else None
    return web.PageShow(s.title, s.description, s.feed_url(), s.base_url, s.language, cover)


def _page_episode(record: EpisodeRecord) -> web.PageEpisode:
    return web.page_episode(record)


def _page(show: Show, record: EpisodeRecord) -> str:
    return web.build_episode_page(_page_show(show), _page_episode(record))


def _chapters_vtt(_show: Show, record: EpisodeRecord) -> str:
    return web.chapters_vtt(_page_episode(record).chapters)


def _transcript(_show: Show, record: EpisodeRecord) -> str:
    return web.transcript_txt(_page_episode(record))


def _index(show: Show) -> str:
    return web.build_index_page(_page_show(show), [_page_episode(r) for r in show.records])


def _asset(name: str) -> Callable[[Show], str]:
    def build(_show: Show) -> str:
        return web.asset_text(name)

    return build


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
# The web edition (see sawt.web): a page per episode, its chapters track and
# plain-text transcript, the index, and the stylesheet and script they share.
register(Output("page", "{slug}.html", "text/html; charset=utf-8", episode=_page))
register(
    Output("chapters-vtt", "{slug}.chapters.vtt", "text/vtt; charset=utf-8", episode=_chapters_vtt)
)
register(Output("transcript", "{slug}.txt", "text/plain; charset=utf-8", episode=_transcript))
register(Output("index", "index.html", "text/html; charset=utf-8", show=_index))
register(
    Output("stylesheet", web.STYLESHEET, "text/css; charset=utf-8", show=_asset(web.STYLESHEET))
)
register(Output("script", web.SCRIPT, "text/javascript; charset=utf-8", show=_asset(web.SCRIPT)))
# Written last: the feed on disk never names a side file that is not there yet.
register(
    Output(
        "feed", FEED_NAME, "application/rss+xml; charset=utf-8", cors=True, show=_feed, last=True
    )
)

"""The web edition: an accessible HTML page per episode, and an index of the show.

Pages are built from typed inputs (``PageShow``, ``PageEpisode``) with Jinja2
templates (autoescaped), and share one local stylesheet and script written by
``write_assets``: no external requests, no build step, and the text, the audio
and the chapter links work without JavaScript.
"""

from __future__ import annotations

from sawt.web.model import (
    EpisodeFiles,
    PageBlock,
    PageChapter,
    PageEpisode,
    PageImage,
    PageLink,
    PageSentence,
    PageShow,
)
from sawt.web.pages import (
    ASSETS,
    INDEX,
    SCRIPT,
    STYLESHEET,
    article_html,
    asset_text,
    build_episode_page,
    build_index_page,
    engine_label,
    write_assets,
)
from sawt.web.record import block_media, episode_from_record, page_episode
from sawt.web.sidefiles import chapters_vtt, transcript_txt

__all__ = [
    "ASSETS",
    "INDEX",
    "SCRIPT",
    "STYLESHEET",
    "EpisodeFiles",
    "PageBlock",
    "PageChapter",
    "PageEpisode",
    "PageImage",
    "PageLink",
    "PageSentence",
    "PageShow",
    "article_html",
    "asset_text",
    "block_media",
    "build_episode_page",
    "build_index_page",
    "chapters_vtt",
    "engine_label",
    "episode_from_record",
    "page_episode",
    "transcript_txt",
    "write_assets",
]

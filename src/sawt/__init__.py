"""sawt (صوت): turn written articles, Arabic first, into an audio edition.

The library comes first; the ``sawt`` command is a thin shell over it::

    from pathlib import Path
    from sawt import load_settings, publish, render

    settings = load_settings(Path("podcast.yaml"))
    result = render(Path("article.md"), settings, "espeak")
    publish(settings)

The names below load on first use, so ``sawt --help`` does not pay for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from sawt.version import __version__

if TYPE_CHECKING:
    from sawt.batch import render_batch
    from sawt.config import Settings, load_settings
    from sawt.errors import SawtError
    from sawt.models import EpisodeRecord
    from sawt.pipeline import RenderResult, prepare, render
    from sawt.publishing.catalog import read_record, scan
    from sawt.publishing.check import check
    from sawt.publishing.rebuild import PublishReport, publish

_API = {
    "EpisodeRecord": "sawt.models",
    "PublishReport": "sawt.publishing.rebuild",
    "RenderResult": "sawt.pipeline",
    "SawtError": "sawt.errors",
    "Settings": "sawt.config",
    "check": "sawt.publishing.check",
    "load_settings": "sawt.config",
    "prepare": "sawt.pipeline",
    "publish": "sawt.publishing.rebuild",
    "read_record": "sawt.publishing.catalog",
    "render": "sawt.pipeline",
    "render_batch": "sawt.batch",
    "scan": "sawt.publishing.catalog",
}

__all__ = [
    "EpisodeRecord",
    "PublishReport",
    "RenderResult",
    "SawtError",
    "Settings",
    "__version__",
    "check",
    "load_settings",
    "prepare",
    "publish",
    "read_record",
    "render",
    "render_batch",
    "scan",
]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sawt' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value

"""Probe a batch's engine chain once: is Google (or Edge) there at all?

Each article of a batch would otherwise probe on its own, and with the service
unreachable every one of them waits out the probe's time limit before falling
back. One probe, on the first article that will be rendered, decides for the
batch; the warning is given when it happens, not with each article's outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sawt.config import Settings
from sawt.errors import EngineUnavailable, SawtError
from sawt.pipeline import prepare, unchanged
from sawt.speech.cache import ClipCache
from sawt.speech.engines import create_engine, engine_chain
from sawt.speech.synth import Synthesizer


def probe_chain(
    paths: list[Path],
    settings: Settings,
    engine: str | None,
    *,
    force: bool = False,
    on_warn: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Engines of ``engine``'s chain that fail the quick probe, with the reason.

    Nothing is probed for a single engine, or when no article needs rendering.
    The probe's clip goes to the clip cache, so it is not asked for twice.
    """
    name = engine or settings.engine
    chain = engine_chain(name, settings)
    if len(chain) < 2:
        return {}
    article = _first_to_render(paths, settings, name, force)
    if article is None:
        return {}
    down: dict[str, str] = {}
    for position, member in enumerate(chain[:-1]):
        try:
            speaker = create_engine(member, settings, probe=True)
            if speaker.policy.preflight_timeout is None:
                break  # not an engine that is probed: each article just tries it
            pieces = prepare(article, settings, speaker.max_chars, speaker.caps).pieces
            Synthesizer(speaker, ClipCache(settings.cache_path())).probe(pieces)
        except EngineUnavailable as exc:
            down[member] = exc.message
            if on_warn is not None:
                following = chain[position + 1]
                on_warn(
                    f"{member} is unavailable, so every episode of this batch uses "
                    f"{following}: {exc.message}"
                )
            continue
        except (SawtError, OSError):
            break  # the article's own render reports it
        break
    return down


def _first_to_render(paths: list[Path], settings: Settings, name: str, force: bool) -> Path | None:
    """The first article that is readable and not unchanged (it will be rendered)."""
    for path in paths:
        try:
            if force or not unchanged(path, settings, name):
                return path
        except (SawtError, OSError):
            continue  # its own render reports the problem
    return None

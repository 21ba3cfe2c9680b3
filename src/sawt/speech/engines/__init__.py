"""Engine registry: built-in engines plus any registered under the ``sawt.engines`` entry point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import entry_points

from sawt.config import Settings
from sawt.errors import EngineError
from sawt.models import TextCaps
from sawt.speech.engines.base import Clip, Engine, Policy

__all__ = [
    "Clip",
    "Engine",
    "EngineInfo",
    "Policy",
    "TextCaps",
    "available_engines",
    "create_engine",
    "engine_info",
]


@dataclass(frozen=True)
class EngineInfo:
    """How to make an engine, check that it can run here, and what to fall back to."""

    name: str
    description: str
    factory: Callable[[Settings], Engine]
    check: Callable[[], tuple[bool, str]]
    # If this engine cannot make the episode, make all of it with this one instead.
    fallback: str | None = None


def _espeak(settings: Settings) -> Engine:
    from sawt.speech.engines.espeak import EspeakEngine

    return EspeakEngine(settings.espeak)


def _espeak_check() -> tuple[bool, str]:
    from sawt.speech.engines.espeak import check

    return check()


def _gtts(settings: Settings) -> Engine:
    from sawt.speech.engines.gtts import GttsEngine

    return GttsEngine(settings.gtts)


def _gtts_auto(settings: Settings) -> Engine:
    engine = _gtts(settings)
    # Probe quickly with the first piece before committing the episode to Google.
    engine.policy = replace(engine.policy, preflight_timeout=settings.gtts.preflight_timeout)
    return engine


def _gtts_check() -> tuple[bool, str]:
    from sawt.speech.engines.gtts import check

    return check()


def _auto_check() -> tuple[bool, str]:
    ok, detail = _gtts_check()
    # Always usable: without Google it renders the whole episode with espeak.
    return True, f"would use {'gtts' if ok else 'espeak (Google unreachable)'}; {detail}"


_BUILTIN: dict[str, EngineInfo] = {
    "auto": EngineInfo(
        "auto",
        "gtts if Google answers a quick first request, else espeak for the whole episode",
        _gtts_auto,
        _auto_check,
        fallback="espeak",
    ),
    "gtts": EngineInfo(
        "gtts", "Google Translate's natural voice (network; rate-limited)", _gtts, _gtts_check
    ),
    "espeak": EngineInfo(
        "espeak",
        "offline espeak-ng voice (libespeak-ng from the espeakng-loader wheel)",
        _espeak,
        _espeak_check,
    ),
}


def available_engines() -> dict[str, EngineInfo]:
    """Every known engine by name: built-ins, then third-party entry points."""
    engines = dict(_BUILTIN)
    for ep in entry_points(group="sawt.engines"):
        if ep.name not in engines:
            try:
                info = ep.load()
            except Exception:  # a broken plug-in must not break sawt
                continue
            if isinstance(info, EngineInfo):
                engines[ep.name] = info
    return engines


def engine_info(name: str) -> EngineInfo:
    """The registry entry for ``name``; an unknown name lists the known ones."""
    engines = available_engines()
    info = engines.get(name)
    if info is None:
        known = ", ".join(sorted(engines))
        raise EngineError(f"unknown engine '{name}'", hint=f"known engines: {known}")
    return info


def create_engine(name: str, settings: Settings) -> Engine:
    """Build the engine called ``name``."""
    return engine_info(name).factory(settings)

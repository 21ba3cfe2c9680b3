"""Engine registry: built-in engines plus any registered under ``sawt.engines``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from sawt.config import Settings
from sawt.engines.base import Clip, Engine, TextCaps
from sawt.errors import EngineError

__all__ = ["Clip", "Engine", "EngineInfo", "TextCaps", "available_engines", "create_engine"]


@dataclass(frozen=True)
class EngineInfo:
    """How to make an engine and check that it can run here."""

    name: str
    description: str
    factory: Callable[[Settings], Engine]
    check: Callable[[], tuple[bool, str]]


def _espeak_factory(settings: Settings) -> Engine:
    from sawt.engines.espeak import EspeakEngine

    return EspeakEngine(settings.espeak)


def _espeak_check() -> tuple[bool, str]:
    from sawt.engines.espeak import check

    return check()


_BUILTIN: dict[str, EngineInfo] = {
    "espeak": EngineInfo(
        "espeak",
        "offline espeak-ng voice (libespeak-ng from the espeakng-loader wheel)",
        _espeak_factory,
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


def create_engine(name: str, settings: Settings) -> Engine:
    """Build the engine called ``name``; an unknown name lists the known ones."""
    engines = available_engines()
    info = engines.get(name)
    if info is None:
        known = ", ".join(sorted(engines))
        raise EngineError(f"unknown engine '{name}'", hint=f"known engines: {known}")
    return info.factory(settings)

"""Engine registry: built-in engines plus any registered under the ``sawt.engines`` entry point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import entry_points

from sawt.config import Settings
from sawt.errors import ConfigError, EngineError
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
    "engine_chain",
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
    # Before a fallback: how long the first piece may take (a quick probe), if it may fail.
    preflight: Callable[[Settings], float] | None = None
    # Like check, with the settings of podcast.yaml (proxy, voice, the auto chain).
    check_with: Callable[[Settings], tuple[bool, str]] | None = None

    def usable(self, settings: Settings) -> tuple[bool, str]:
        """Whether the engine can run here now, and the details."""
        return self.check_with(settings) if self.check_with else self.check()


def _espeak(settings: Settings) -> Engine:
    from sawt.speech.engines.espeak import EspeakEngine

    engine = EspeakEngine(settings.espeak)
    if not engine.has_voice(settings.espeak.voice):
        raise ConfigError(
            f"invalid field 'espeak.voice': espeak-ng has no voice '{settings.espeak.voice}'",
            path=settings.source,
            line=settings.line_of("espeak", "voice"),
            hint="Arabic is 'ar'; `espeak-ng --voices` lists the others",
        )
    return engine


def _espeak_check() -> tuple[bool, str]:
    from sawt.speech.engines.espeak import check

    return check()


def _gtts(settings: Settings) -> Engine:
    from sawt.speech.engines.gtts import GttsEngine

    return GttsEngine(settings.gtts)


def _gtts_check() -> tuple[bool, str]:
    from sawt.speech.engines.gtts import check

    return check()


def _edge(settings: Settings) -> Engine:
    from sawt.speech.engines.edge import EdgeEngine

    return EdgeEngine(settings.edge, root=settings.root)


def _edge_check_with(settings: Settings) -> tuple[bool, str]:
    from sawt.speech.engines.edge import check

    return check(settings.edge)


def _auto(settings: Settings) -> Engine:
    chain = engine_chain("auto", settings)
    return create_engine(chain[0], settings, probe=len(chain) > 1)


def _auto_check() -> tuple[bool, str]:
    return _auto_check_with(Settings())


def _auto_check_with(settings: Settings) -> tuple[bool, str]:
    # Always usable as long as its last engine is: that one is never probed.
    chain = engine_chain("auto", settings)
    skipped: list[str] = []
    for name in chain:
        ok, detail = engine_info(name).usable(settings)
        if ok or name == chain[-1]:
            why = f" ({'; '.join(skipped)})" if skipped else ""
            return ok, f"would use {name} of {' → '.join(chain)}{why}; {detail}"
        skipped.append(f"not {name}: {detail}")
    raise AssertionError("unreachable: the chain is never empty")


_BUILTIN: dict[str, EngineInfo] = {
    "auto": EngineInfo(
        "auto",
        "the engines of `auto:` in podcast.yaml (default gtts, espeak) in order: the first "
        "that speaks the first piece speaks the whole episode",
        _auto,
        _auto_check,
        check_with=_auto_check_with,
    ),
    "gtts": EngineInfo(
        "gtts",
        "Google Translate's natural voice (network; rate-limited)",
        _gtts,
        _gtts_check,
        preflight=lambda settings: settings.gtts.preflight_timeout,
    ),
    "edge": EngineInfo(
        "edge",
        "Microsoft Edge's neural voices, with word timing (network, via edge-tts)",
        _edge,
        lambda: _edge_check_with(Settings()),
        preflight=lambda settings: settings.edge.preflight_timeout,
        check_with=_edge_check_with,
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


def create_engine(name: str, settings: Settings, *, probe: bool = False) -> Engine:
    """Build the engine called ``name``; ``probe``: its first piece gets a short time limit."""
    info = engine_info(name)
    engine = info.factory(settings)
    if probe and info.preflight is not None:
        engine.policy = replace(engine.policy, preflight_timeout=info.preflight(settings))
    return engine


def engine_chain(name: str, settings: Settings) -> list[str]:
    """The engines to try in order for ``name``: auto's list, or one and its fallback."""
    if name == "auto":
        return list(settings.auto)
    info = engine_info(name)
    return [name] + ([info.fallback] if info.fallback and info.fallback != name else [])


def check_engine_names(settings: Settings) -> None:
    """Refuse an unknown ``engine:`` or ``auto:`` name in podcast.yaml, naming its line."""
    known = available_engines()
    choices = ", ".join(sorted(known))
    if settings.engine not in known:
        raise ConfigError(
            f"invalid field 'engine': unknown engine '{settings.engine}'",
            path=settings.source,
            line=settings.line_of("engine"),
            hint=f"known engines: {choices}",
        )
    for n, source in enumerate(settings.sources):
        if source.engine is not None and source.engine not in known:
            raise ConfigError(
                f"invalid field 'sources.{n}.engine': unknown engine '{source.engine}'",
                path=settings.source,
                line=settings.line_of("sources", n, "engine"),
                hint=f"known engines: {choices}",
            )
    for n, name in enumerate(settings.auto):
        if name == "auto" or name not in known:
            raise ConfigError(
                f"invalid field 'auto.{n}': '{name}' is not an engine auto can use",
                path=settings.source,
                line=settings.line_of("auto", n),
                hint=f"known engines: {', '.join(sorted(k for k in known if k != 'auto'))}",
            )

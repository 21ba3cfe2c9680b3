"""Engine registry: built-in engines plus any registered under the ``sawt.engines`` entry point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import entry_points

from pydantic import BaseModel, ValidationError

from sawt.config import EdgeSettings, EspeakSettings, GttsSettings, Settings
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
    "broken_plugins",
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
    # The engine's own section of podcast.yaml (named like the engine), validated
    # with line numbers; a plug-in's section is read with ``section(settings)``.
    settings_model: type[BaseModel] | None = None
    # The voices it offers, where it can list them without the network.
    voices: Callable[[], list[str]] | None = None

    def section(self, settings: Settings) -> BaseModel | None:
        """This engine's validated section of podcast.yaml (its defaults if absent)."""
        if self.settings_model is None:
            return None
        built_in = getattr(settings, self.name, None)
        if isinstance(built_in, self.settings_model):
            return built_in
        raw = settings.engine_sections.get(self.name) or {}
        return self.settings_model.model_validate(raw)

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


# Edge lists its voices only over the network; these Arabic ones are documented.
_EDGE_ARABIC_VOICES = (
    "ar-SA-HamedNeural", "ar-SA-ZariyahNeural", "ar-MA-JamalNeural", "ar-MA-MounaNeural",
    "ar-EG-SalmaNeural", "ar-EG-ShakirNeural", "ar-AE-FatimaNeural", "ar-AE-HamdanNeural",
    "ar-DZ-AminaNeural", "ar-DZ-IsmaelNeural", "ar-TN-HediNeural", "ar-TN-ReemNeural",
    "ar-JO-SanaNeural", "ar-JO-TaimNeural", "ar-LB-LaylaNeural", "ar-LB-RamiNeural",
)  # fmt: skip


def _espeak_voices() -> list[str]:
    from sawt.speech.engines.espeak import list_voices

    return list_voices()


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
        settings_model=GttsSettings,
        voices=lambda: ["ar (gtts.lang; gtts.tld picks the accent: com, com.eg, co.ma …)"],
    ),
    "edge": EngineInfo(
        "edge",
        "Microsoft Edge's neural voices, with word timing (network, via edge-tts)",
        _edge,
        lambda: _edge_check_with(Settings()),
        preflight=lambda settings: settings.edge.preflight_timeout,
        check_with=_edge_check_with,
        settings_model=EdgeSettings,
        voices=lambda: list(_EDGE_ARABIC_VOICES),
    ),
    "espeak": EngineInfo(
        "espeak",
        "offline espeak-ng voice (libespeak-ng from the espeakng-loader wheel)",
        _espeak,
        _espeak_check,
        settings_model=EspeakSettings,
        voices=lambda: _espeak_voices(),
    ),
}


def available_engines() -> dict[str, EngineInfo]:
    """Every usable engine by name: built-ins, then third-party entry points that load."""
    engines = dict(_BUILTIN)
    engines.update(_plugins()[0])
    return engines


def broken_plugins() -> dict[str, str]:
    """Plug-ins registered under ``sawt.engines`` that failed to load, and why."""
    return _plugins()[1]


def _plugins() -> tuple[dict[str, EngineInfo], dict[str, str]]:
    loaded: dict[str, EngineInfo] = {}
    broken: dict[str, str] = {}
    for ep in entry_points(group="sawt.engines"):
        if ep.name in _BUILTIN:
            continue
        try:
            info = ep.load()
        except Exception as exc:  # reported by `sawt engines` and on use, never a crash
            broken[ep.name] = f"{ep.value}: {type(exc).__name__}: {exc}"
            continue
        if isinstance(info, EngineInfo):
            loaded[ep.name] = info
        else:
            broken[ep.name] = f"{ep.value} is a {type(info).__name__}, not an EngineInfo"
    return loaded, broken


def engine_info(name: str) -> EngineInfo:
    """The registry entry for ``name``; an unknown name lists the known ones."""
    engines = available_engines()
    info = engines.get(name)
    if info is None:
        broken = broken_plugins()
        if name in broken:
            raise EngineError(f"the engine plug-in '{name}' failed to load: {broken[name]}")
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
    for section, raw in settings.engine_sections.items():
        info = known.get(section)
        if info is None or info.settings_model is None:
            why = broken_plugins().get(section)
            raise ConfigError(
                f"unknown field '{section}'"
                + (f": its engine plug-in failed to load ({why})" if why else ""),
                path=settings.source,
                line=settings.line_of(section),
            )
        try:
            info.settings_model.model_validate(raw or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = [section, *(p for p in err["loc"] if isinstance(p, (int, str)))]
            raise ConfigError(
                f"invalid field '{'.'.join(str(p) for p in loc)}': {err['msg']}",
                path=settings.source,
                line=settings.line_of(*loc),
            ) from exc
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

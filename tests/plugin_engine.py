"""A third-party engine as a plug-in would ship it: an EngineInfo with its own settings section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sawt.config import Settings
from sawt.speech.engines import EngineInfo
from tests.fakeengine import FakeEngine


class ToySettings(BaseModel):
    """The `toy:` section of podcast.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    voice: str = "toy-ar"
    speed: float = Field(1.0, gt=0, le=4)


def _toy(settings: Settings) -> FakeEngine:
    section = INFO.section(settings)
    if not isinstance(section, ToySettings):
        raise TypeError("the toy engine needs its section")
    return FakeEngine(name=f"toy-{section.voice}")


INFO = EngineInfo(
    "toy",
    "a toy engine from a plug-in",
    _toy,
    lambda: (True, "in-process"),
    settings_model=ToySettings,
    voices=lambda: ["toy-ar", "toy-ma"],
)

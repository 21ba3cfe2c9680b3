"""podcast.yaml → validated, frozen settings."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sawt.arabic.lexicon import LexiconEntry
from sawt.errors import ConfigError
from sawt.yamlfile import parse_yaml, validate

CONFIG_NAME = "podcast.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pauses(_Strict):
    """Silences inserted between spoken pieces, in seconds."""

    title: float = Field(1.2, ge=0, le=10, description="after the title and source")
    sentence: float = Field(0.35, ge=0, le=10)
    clause: float = Field(0.2, ge=0, le=10, description="where a long sentence is cut at a comma")
    paragraph: float = Field(0.8, ge=0, le=10)
    heading: float = Field(1.5, ge=0, le=10, description="before and after a section heading")
    end: float = Field(1.0, ge=0, le=10, description="silence at the end of the episode")


class AudioSettings(_Strict):
    """Loudness and encoding of the episode MP3."""

    loudness: float = Field(-16.0, ge=-40, le=-5, description="integrated LUFS target")
    true_peak: float = Field(-1.0, ge=-9, le=0, description="true-peak ceiling in dBTP")
    bitrate: int = Field(64, description="MP3 CBR bitrate in kbps")
    sample_rate: int = Field(44100, description="MP3 sample rate in Hz")

    @field_validator("bitrate")
    @classmethod
    def _standard_bitrate(cls, value: int) -> int:
        if value not in (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320):
            raise ValueError("must be a standard MP3 bitrate (e.g. 64, 96, 128)")
        return value

    @field_validator("sample_rate")
    @classmethod
    def _mp3_rate(cls, value: int) -> int:
        if value not in (22050, 24000, 32000, 44100, 48000):
            raise ValueError("must be one of 22050, 24000, 32000, 44100, 48000")
        return value


class EspeakSettings(_Strict):
    """Voice settings of the offline espeak-ng engine."""

    voice: str = "ar"
    rate: int = Field(150, ge=80, le=450, description="words per minute")
    pitch: int = Field(50, ge=0, le=99)


class GttsSettings(_Strict):
    """Settings of the Google Translate voice."""

    lang: str = "ar"
    tld: str = "com"
    slow: bool = False


class Settings(_Strict):
    """The whole podcast.yaml."""

    title: str = "sawt audio edition"
    description: str = "Articles read aloud."
    author: str = ""
    language: str = "ar"
    image: str | None = None
    episodes_dir: str = "episodes"
    engine: str = "espeak"
    pauses: Pauses = Pauses()
    audio: AudioSettings = AudioSettings()
    espeak: EspeakSettings = EspeakSettings()
    gtts: GttsSettings = GttsSettings()
    # Pronunciations for every engine: [{match: حموشي, say: حَمُّوشِي}, {match: …, regex: true}].
    lexicon: tuple[LexiconEntry, ...] = ()
    # Lines never read aloud, on top of the built-in list: phrases, or "re:<regex>".
    boilerplate: tuple[str, ...] = ()

    @field_validator("boilerplate")
    @classmethod
    def _regexes_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if entry.startswith("re:"):
                try:
                    re.compile(entry[3:])
                except re.error as exc:
                    raise ValueError(f"{entry!r} is not a valid regex: {exc}") from exc
        return value

    # Where the file was read from; paths in it are relative to this folder.
    root: Path = Field(default=Path("."), exclude=True)

    def episodes_path(self) -> Path:
        """The folder episodes are written to."""
        return (self.root / self.episodes_dir).resolve()

    def image_path(self) -> Path | None:
        """The cover image file, if one is configured."""
        return (self.root / self.image).resolve() if self.image else None


def load_settings(path: Path | None) -> Settings:
    """Read and validate podcast.yaml; no file means the defaults, rooted at cwd."""
    if path is None:
        candidate = Path.cwd() / CONFIG_NAME
        if not candidate.exists():
            return Settings(root=Path.cwd())
        path = candidate
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("config file not found", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config: {exc}", path=path) from exc
    data, node = parse_yaml(text, path)
    if data is not None and not isinstance(data, dict):
        raise ConfigError("expected a mapping of settings at the top level", path=path, line=1)
    data = dict(data or {})
    data["root"] = path.resolve().parent
    return validate(Settings, data, node, path)

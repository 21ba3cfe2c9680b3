"""podcast.yaml → validated, frozen settings."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import platformdirs
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sawt.apple_categories import APPLE_CATEGORIES
from sawt.arabic.lexicon import LexiconEntry
from sawt.artwork import artwork_problems
from sawt.errors import ConfigError
from sawt.yamlfile import line_of, parse_yaml, validate

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
    # 130 wpm: 0.06 nats/token more intelligible to Whisper than 150 (BENCHMARKS.md,
    # issue 14); episodes are about 15% longer.
    rate: int = Field(130, ge=80, le=450, description="words per minute")
    pitch: int = Field(50, ge=0, le=99)


class GttsSettings(_Strict):
    """Settings of the Google Translate voice and how politely sawt calls it."""

    lang: str = "ar"
    tld: str = "com"
    slow: bool = False
    concurrency: int = Field(4, ge=1, le=16, description="requests in flight at once")
    rate_limit: float = Field(25.0, gt=0, le=100, description="requests per second at most")
    retries: int = Field(6, ge=0, le=20, description="retries per piece after the first try")
    backoff: float = Field(0.5, ge=0, le=60, description="first retry delay, seconds")
    backoff_max: float = Field(20.0, ge=0, le=600, description="longest retry delay, seconds")
    timeout: float = Field(15.0, gt=0, le=300, description="seconds to wait for each read")
    deadline: float = Field(900.0, gt=0, description="seconds for all requests of an episode")
    preflight_timeout: float = Field(4.0, gt=0, le=60, description="auto: first request timeout")


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


class Owner(_Strict):
    """Who Apple and directories contact about the show (itunes:owner)."""

    name: str = ""
    email: str = ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError("must be an e-mail address like name@example.org")
        return value


class Settings(_Strict):
    """The whole podcast.yaml."""

    title: str = Field("sawt audio edition", min_length=1)
    description: str = Field("Articles read aloud.", min_length=1)
    author: str = ""
    owner: Owner = Owner()
    language: str = "ar"
    # Where episodes/ is served from; every URL in the feed is built on it. The
    # default matches `sawt serve`, so a local preview works out of the box.
    base_url: str = "http://localhost:8000/"
    image: str | None = None
    category: str = "News"
    subcategory: str | None = None
    explicit: bool = False
    copyright: str | None = None
    link: str | None = None
    type: Literal["episodic", "serial"] = "episodic"
    locked: bool = False
    episodes_dir: str = "episodes"
    engine: str = "auto"
    cache_dir: str | None = None  # default: the per-user cache folder
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

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        # A trailing slash makes "base_url + file name" the right URL.
        return _http_url(value).rstrip("/") + "/"

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return _http_url(value) if value is not None else None

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in APPLE_CATEGORIES:
            raise ValueError(f"must be one of Apple's categories: {', '.join(APPLE_CATEGORIES)}")
        return value

    @field_validator("subcategory")
    @classmethod
    def _subcategory(cls, value: str | None, info: ValidationInfo) -> str | None:
        category = info.data.get("category")
        if value is None or category is None:  # a bad category is reported on its own
            return value
        allowed = APPLE_CATEGORIES[category]
        if value not in allowed:
            choices = ", ".join(allowed) if allowed else "none (leave subcategory out)"
            raise ValueError(f"'{value}' is not an Apple subcategory of {category}: {choices}")
        return value

    def feed_url(self) -> str:
        """The public URL of episodes/feed.xml."""
        return self.base_url + "feed.xml"

    def episodes_path(self) -> Path:
        """The folder episodes are written to."""
        return (self.root / self.episodes_dir).resolve()

    def cache_path(self) -> Path:
        """The clip cache folder: SAWT_CACHE_DIR, podcast.yaml, or the user cache."""
        env = os.environ.get("SAWT_CACHE_DIR")
        if env:
            return Path(env)
        if self.cache_dir:
            return (self.root / self.cache_dir).resolve()
        return Path(platformdirs.user_cache_dir("sawt")) / "clips"

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
    settings = validate(Settings, data, node, path)
    _check_cover(settings, node, path)
    return settings


def _check_cover(settings: Settings, node: yaml.Node | None, path: Path) -> None:
    # Pydantic cannot see the file system relative to podcast.yaml, so the cover
    # is checked here, with the same field-and-line message.
    problems = cover_problems(settings)
    if problems:
        raise ConfigError(
            f"invalid field 'image': {'; '.join(problems)}",
            path=path,
            line=line_of(node, ["image"]),
        )


def cover_problems(settings: Settings) -> list[str]:
    """Problems of the configured cover image (for callers that build settings in code)."""
    image = settings.image_path()
    if image is None:
        return []
    return [f"{image} does not exist"] if not image.is_file() else artwork_problems(image)

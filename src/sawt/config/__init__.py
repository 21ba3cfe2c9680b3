"""podcast.yaml → validated, frozen settings."""

from __future__ import annotations

import os
import re
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sawt.config.artwork import artwork_problems
from sawt.config.categories import APPLE_CATEGORIES
from sawt.config.cluster import ClusterSettings
from sawt.config.sources import FetchSettings, Source
from sawt.config.yamlfile import line_of, parse_yaml, validate
from sawt.errors import ConfigError
from sawt.models import LexiconEntry
from sawt.text.web import check_language, check_web_url

CONFIG_NAME = "podcast.yaml"


# Characters no feed (XML 1.0), page or terminal should get from a setting: C0 and C1
# controls but tab and line ends, DEL, and the non-characters U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*")
    @classmethod
    def _printable(cls, value: object) -> object:
        for text in value if isinstance(value, tuple) else (value,):
            found = _UNPRINTABLE.search(text) if isinstance(text, str) else None
            if found:
                code = f"U+{ord(found.group()):04X}"
                raise ValueError(f"must not contain {code} (no control or non-character)")
        return value


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
    # 50 ms more between words: 0.10 nats/token more intelligible to Whisper at
    # 130 wpm (BENCHMARKS.md, issue 14); espeak counts it in steps of 10 ms.
    word_gap: int = Field(50, ge=0, le=500, description="extra pause between words, ms")


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


class EdgeSettings(_Strict):
    """Microsoft Edge's neural voice (read-aloud service, via edge-tts) and how sawt calls it."""

    # Saudi locale: the service's Modern Standard Arabic voices, the register news is
    # written in (ar-MA-JamalNeural, ar-EG-SalmaNeural… read MSA with a regional accent).
    voice: str = "ar-SA-HamedNeural"
    rate: str = Field("+0%", description="speed change, like +10% or -5%")
    pitch: str = Field("+0Hz", description="pitch change, like +2Hz or -3Hz")
    # Transport: an HTTP proxy that tunnels (CONNECT) to speech.platform.bing.com,
    # and extra CA certificates to trust (PEM; e.g. a company proxy that inspects TLS).
    proxy: str | None = None
    ca_file: str | None = None
    concurrency: int = Field(4, ge=1, le=16, description="pieces in flight at once")
    rate_limit: float = Field(10.0, gt=0, le=100, description="requests per second at most")
    retries: int = Field(6, ge=0, le=20, description="retries per piece after the first try")
    backoff: float = Field(0.5, ge=0, le=60, description="first retry delay, seconds")
    backoff_max: float = Field(20.0, ge=0, le=600, description="longest retry delay, seconds")
    timeout: float = Field(30.0, gt=0, le=300, description="seconds for one piece, all of it")
    deadline: float = Field(900.0, gt=0, description="seconds for all requests of an episode")
    preflight_timeout: float = Field(6.0, gt=0, le=60, description="in a chain: first piece")

    @field_validator("voice")
    @classmethod
    def _voice(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,}-[A-Z]{2,}-\w+Neural", value):
            raise ValueError("must be an Edge voice name like ar-SA-HamedNeural")
        return value

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        if not re.fullmatch(r"[+-]\d+%", value):
            raise ValueError("must be a signed percentage like +10% or -5%")
        return value

    @field_validator("pitch")
    @classmethod
    def _pitch(cls, value: str) -> str:
        if not re.fullmatch(r"[+-]\d+Hz", value):
            raise ValueError("must be a signed frequency like +2Hz or -3Hz")
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if value is not None and (urlsplit(value).scheme != "http" or not urlsplit(value).hostname):
            raise ValueError("must be an http:// proxy URL like http://127.0.0.1:3128")
        return value


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _http_url(value: str) -> str:
    return check_web_url(value)


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
    image_alt: str | None = None  # the cover's alt text on the web edition
    category: str = "News"
    subcategory: str | None = None
    explicit: bool = False
    copyright: str | None = None
    link: str | None = None
    type: Literal["episodic", "serial"] = "episodic"
    locked: bool = False
    episodes_dir: str = "episodes"
    engine: str = "auto"
    # What "auto" tries, in order: the first engine that gets through the episode's
    # first piece speaks all of it (one voice per episode); the last one always runs.
    auto: tuple[str, ...] = ("gtts", "espeak")
    cache_dir: str | None = None  # default: the per-user cache folder
    pauses: Pauses = Pauses()
    audio: AudioSettings = AudioSettings()
    espeak: EspeakSettings = EspeakSettings()
    gtts: GttsSettings = GttsSettings()
    edge: EdgeSettings = EdgeSettings()
    cluster: ClusterSettings = ClusterSettings()  # many machines: see sawt.cluster
    # Pronunciations for every engine: [{match: حموشي, say: حَمُّوشِي}, {match: …, regex: true}].
    lexicon: tuple[LexiconEntry, ...] = ()
    # Lines never read aloud, on top of the built-in list: phrases, or "re:<regex>".
    boilerplate: tuple[str, ...] = ()
    # Feeds followed by `sawt update` (see sawt.sources), and how pages are fetched.
    sources: tuple[Source, ...] = ()
    expire_days: float | None = Field(None, gt=0, description="remove older source episodes")
    allow_private_addresses: bool = False  # fetch from loopback/private networks (tests, intranets)
    fetch: FetchSettings = FetchSettings()

    @field_validator("auto")
    @classmethod
    def _auto_chain(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # The names are checked against the engine registry by
        # sawt.speech.engines.check_engine_names, which knows the plug-ins.
        if not value:
            raise ValueError("must name at least one engine, e.g. [gtts, espeak]")
        if len(set(value)) != len(value):
            raise ValueError("names an engine twice")
        return value

    @field_validator("boilerplate")
    @classmethod
    def _regexes_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if entry.startswith("re:"):
                try:
                    regex.compile(entry[3:])  # the matcher sawt uses, with a time-out
                except regex.error as exc:
                    raise ValueError(f"{entry!r} is not a valid regex: {exc}") from exc
        return value

    # Where the file was read from; paths in it are relative to this folder.
    root: Path = Field(default=Path("."), exclude=True)
    # The file itself and the line of each setting, for errors found after loading.
    source: Path | None = Field(default=None, exclude=True)
    lines: dict[str, int] = Field(default_factory=dict, exclude=True)
    # Sections of engine plug-ins (named like their engine, declared in the
    # ``sawt.engines`` entry points): validated by the engine's own model.
    engine_sections: dict[str, Any] = Field(default_factory=dict)

    def line_of(self, *loc: str | int) -> int | None:
        """The line of a setting in podcast.yaml (``line_of("auto", 1)``), if known."""
        for n in range(len(loc), 0, -1):
            key = ".".join(str(p) for p in loc[:n])
            if key in self.lines:
                return self.lines[key]
        return None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return check_language(value)

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
    # Plug-in engines own their sections; the registry validates them (with lines).
    plugins = {ep.name for ep in entry_points(group="sawt.engines")}
    data["engine_sections"] = {
        key: data.pop(key)
        for key in list(data)
        if key in plugins and key not in Settings.model_fields
    }
    data["root"] = path.resolve().parent
    data["source"] = path
    data["lines"] = _lines(node)
    settings = validate(Settings, data, node, path)
    _check_cover(settings, node, path)
    _check_folder(settings, "episodes_dir", settings.episodes_path(), node, path)
    if settings.cache_dir:
        _check_folder(settings, "cache_dir", (settings.root / settings.cache_dir), node, path)
    return settings


def _check_folder(
    settings: Settings, field: str, folder: Path, node: yaml.Node | None, path: Path
) -> None:
    # A file where a folder should be, or a path the system refuses (too long), fails
    # every write later: say so now, with the line.
    try:
        problem = None if folder.is_dir() or not folder.exists() else "is a file, not a folder"
    except OSError as exc:
        problem = f"cannot be used: {exc.strerror or exc}"
    if problem:
        raise ConfigError(
            f"invalid field '{field}': {folder} {problem}", path=path, line=line_of(node, [field])
        )


def _lines(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """The line of every key (and list item) under ``node``, by dotted path."""
    found: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}{key.value}"
            found[path] = key.start_mark.line + 1
            found.update(_lines(value, path + "."))
    elif isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value):
            found[f"{prefix}{n}"] = item.start_mark.line + 1
            found.update(_lines(item, f"{prefix}{n}."))
    return found


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
    try:
        found = image.is_file()
    except OSError as exc:  # a name too long, a loop of links
        return [f"{image} cannot be read: {exc.strerror or exc}"]
    return [f"{image} does not exist"] if not found else artwork_problems(image)

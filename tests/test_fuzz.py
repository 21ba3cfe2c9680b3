"""Issue 13's fuzz suite: whatever the article or podcast.yaml holds, sawt succeeds or says why.

The property: for arbitrary input, sawt either makes a valid episode and feed,
or stops with exit 2 and one error line (plus an optional ``hint:`` line):
never a traceback, and nothing written on failure.

The pure stages (reading, front matter, the script for the espeak engine's
text caps, podcast.yaml) run in-process with many examples: a ``SawtError`` is
the only exception they may raise. A few examples go through the real command.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3

from sawt.audio.tags import write_tags
from sawt.config import Settings, load_settings
from sawt.errors import SawtError
from sawt.ffmpeg import run_ffmpeg
from sawt.models import Chapter, TextCaps
from sawt.pipeline import _tag_info, prepare
from sawt.read.article import parse_markdown, read_article
from sawt.speech.engines import check_engine_names, create_engine
from sawt.text.normalize import Boilerplate
from sawt.text.web import encode_url
from tests.showkit import rendered_show, run_sawt, show_yaml, write_png

# ── text strategies ──────────────────────────────────────────────────────────

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
CONTROLS = "".join(chr(c) for c in (*range(0, 32), *range(127, 160)))
ANSI = ("\x1b[31m", "\x1b[0m", "\x1b]0;owned\x07", "\x1b[2J", "\x1bc", "\x1b[", "\x1b]8;;x\x1b\\")
MARKUP = "#*_`[]()<>!&;:-|~=+{}\"'\\/%$@^.,؟،؛!?\t"
ARABIC = "ابتثجحخدذرسشصضطظعغفقكلمنهويءآأؤإئةى" + "ًٌٍَُِّْ" + "٠١٢٣٤٥٦٧٨٩" + "ـ"
WORDS = (
    "السلام",
    "عليكم",
    "المغرب",
    "2024",
    "15%",
    "1.5",
    "٣٠٠",
    "$12",
    "NATO",
    "COVID-19",
    "https://example.org/ا",
    "[رابط](http://x)",
    "![صورة](a.png)",
    "<b>غامق</b>",
    "<!-- تعليق -->",
    "```",
    "# عنوان",
    "## قسم",
    "> اقتباس",
    "- عنصر",
    "1. أول",
    "---",
    "***",
    "|a|b|",
    "&amp;",
    "&#xD800;",
    "&#0;",
    "[/b]",
    "[bold]",
    ":smile:",
    "]]>",
    "{{x}}",
    "اقرأ أيضا",
    "شارك",
    "\ufeff",
    "\U0001f600",
    "\u0300",
)

# Any code point at all, lone surrogates included (written with 'surrogatepass').
ANY_CHAR = st.characters(codec=None, categories=None)

chunk = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.sampled_from(ARABIC), min_size=1, max_size=12),
    st.sampled_from(BIDI),
    st.sampled_from(CONTROLS),
    st.sampled_from(ANSI),
    st.text(st.sampled_from(MARKUP), min_size=1, max_size=4),
    st.text(ANY_CHAR, min_size=1, max_size=6),
    st.sampled_from((" ", " ", " ", "\n", "\n\n", "\r\n", "\r", ". ", "؟\n")),
    # A huge line: one word repeated, or one word with no spaces at all.
    st.builds(
        lambda w, n, sep: sep.join([w] * n),
        st.sampled_from(WORDS[:4]),
        st.integers(200, 4000),
        st.sampled_from((" ", "", "، ")),
    ),
)
article_text = st.lists(chunk, max_size=40).map("".join)


def encode(text: str, how: str) -> bytes:
    """The file's bytes for ``text``: surrogates pass through as their (invalid) UTF-8."""
    if how == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if how == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le", "surrogatepass")
    if how == "cp1256":
        return text.encode("cp1256", "replace")
    return text.encode("utf-8", "surrogatepass")


@st.composite
def file_bytes(draw: st.DrawFn, text: st.SearchStrategy[str] = article_text) -> bytes:
    """An article's bytes: text in some encoding, maybe with stray bytes spliced in."""
    raw = encode(draw(text), draw(st.sampled_from(("utf-8", "utf-8-sig", "utf-16", "cp1256"))))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw


# ── front matter strategies ──────────────────────────────────────────────────

yaml_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    article_text,
    st.sampled_from(
        (
            "2026-11-29",
            "2026-13-45",
            "2026-02-29",
            "0001-01-01",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "2026-11-29T10:00:00Z",
            "https://example.org/a",
            "https://www.aljazeera.net/news/اقتصاد",
            "http://[::1]:80/x",
            "http://ex ample.org/",
            "https://example.org:99999/",
            "https://example.org:0/",
            "http://%zz/",
            "http://xn--/",
            "https://" + "a" * 70 + ".org/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "cover.png",
            "../cover.png",
            "/dev/zero",
            "/proc/self/status",
            ".",
            "index",
            "feed",
            "ar",
            "en",
            "zz",
            "",
            " ",
        )
    ),
)
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
lexicon_entry = st.one_of(
    st.fixed_dictionaries(
        {"match": st.text(max_size=10) | st.sampled_from(WORDS), "say": yaml_scalar},
        optional={"regex": st.booleans() | yaml_scalar},
    ),
    st.fixed_dictionaries(
        {
            "match": st.sampled_from((r"(\w+)", "ال(.)", "x|", "(?P<n>a)", "[", "(a|aa)+$")),
            "say": st.sampled_from((r"\1", r"\2", r"\g<n>", r"\g<0>", "\\", "x", "")),
            "regex": st.just(True),
        }
    ),
    yaml_value,
)
FRONT_KEYS = ("title", "author", "date", "source_url", "slug", "image", "image_alt", "language")
front_matter = st.fixed_dictionaries(
    {},
    optional={
        **{key: yaml_value for key in FRONT_KEYS},
        "lexicon": st.lists(lexicon_entry, max_size=3) | yaml_value,
    },
)


def dump_front_matter(data: dict[str, Any], raw: str | None) -> str:
    """Front matter as YAML (or a raw line of text standing in for it)."""
    if raw is not None:
        return f"---\n{raw}\n---\n"
    try:
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        body = json.dumps(data, ensure_ascii=False, default=str)
    return f"---\n{body}---\n"


# ── what a success must look like ────────────────────────────────────────────

SUFFIXES = (".md", ".txt", ".html")


def clean_text(text: str, *, bidi: bool = False) -> None:
    """No terminal escapes, controls or lone surrogates in published text.

    ``bidi``: no bidi embeddings, overrides or isolates either (sawt strips them from
    articles; a show's own settings may use them on purpose).
    """
    text.encode("utf-8")  # no lone surrogate: every output must encode it
    bad = {ch for ch in text if ch in CONTROLS and ch not in "\n\t"}
    if bidi:
        bad |= {ch for ch in text if ch in BIDI[:9]}
    assert not bad, f"{sorted(map(hex, map(ord, bad)))} in {text[:120]!r}"


def strings(data: object) -> Iterator[str]:
    """Every string in parsed JSON or a model dump."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(data, (list, tuple)):
        for item in data:
            yield from strings(item)


def check_article(title: str, texts: list[str]) -> None:
    assert title.strip(), "an article always has a title"
    assert any(re.search(r"[^\W_]", text) for text in texts), "an article has words to say"
    for text in (title, *texts):
        clean_text(text, bidi=True)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """A folder for the in-process examples (hypothesis re-runs one test many times)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        write_png(Path(tmp) / "cover.png", 1400, 1400)
        yield Path(tmp)


# SAWT_FUZZ_SCALE=20 searches twenty times as many examples (for a long hunt).
SCALE = int(os.environ.get("SAWT_FUZZ_SCALE", "1"))


def budget(examples: int, *, slow: bool = False) -> settings:
    """Hypothesis settings: ``examples`` (scaled), no deadline (first calls load models)."""
    checks = list(HealthCheck) if slow else [HealthCheck.too_slow]
    return settings(max_examples=examples * SCALE, deadline=None, suppress_health_check=checks)


FAST = budget(300)


# ── the pure stages, in-process ──────────────────────────────────────────────


@FAST
@given(raw=file_bytes(), suffix=st.sampled_from(SUFFIXES))
@example(raw="مقال\n\nنص".encode() + b"\xed\xa0\x80", suffix=".md")  # a lone surrogate
@example(raw="\ufeff".encode("utf-16-le"), suffix=".txt")
def test_any_bytes_read_or_fail_with_an_input_error(folder: Path, raw: bytes, suffix: str) -> None:
    path = folder / f"article{suffix}"
    path.write_bytes(raw)
    try:
        article = read_article(path, Boilerplate.build(()))  # the built-in boilerplate lines
    except SawtError as exc:
        assert str(exc).strip()
        return
    check_article(article.title, [b.text for b in article.blocks])
    for text in (article.author, article.source_url, article.date, article.image_alt):
        if text is not None:
            clean_text(text, bidi=True)


@FAST
@given(text=st.text(ANY_CHAR, max_size=300) | article_text)
def test_any_markdown_text_parses_or_fails_with_an_input_error(folder: Path, text: str) -> None:
    try:
        article = parse_markdown(text, folder / "a.md")
    except SawtError:
        return
    assert article.title


@FAST
@given(meta=front_matter, raw=st.none() | st.text(ANY_CHAR, max_size=40), body=article_text)
@example(meta={"date": "9999-12-31T23:59:59-12:00"}, raw=None, body="نص.")
@example(meta={"source_url": "http://ex ample.org/"}, raw=None, body="نص.")
@example(meta={"lexicon": [{"match": "(a)", "say": "\\2", "regex": True}]}, raw=None, body="a")
@example(meta={"image": "ا" * 300 + ".png"}, raw=None, body="نص.")  # ENAMETOOLONG
def test_any_front_matter_reads_or_fails_with_one_error(
    folder: Path, meta: dict[str, Any], raw: str | None, body: str
) -> None:
    path = folder / "front.md"
    path.write_bytes((dump_front_matter(meta, raw) + "\n" + body).encode("utf-8", "surrogatepass"))
    try:
        article = read_article(path)
    except SawtError as exc:
        assert str(exc).strip()
        return
    check_article(article.title, [b.text for b in article.blocks])


@pytest.fixture(scope="module")
def silence(folder: Path) -> bytes:
    """A tiny real MP3 (a tenth of a second of silence) to tag."""
    out = folder / "silence.mp3"
    args = ["-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "0.1", "-c:a", "libmp3lame"]
    run_ffmpeg([*args, str(out)])
    return out.read_bytes()


@budget(150)
@given(meta=front_matter, body=article_text)
@example(meta={"language": "zz-ZZ-very-long-language"}, body="نص.")
@example(meta={"language": "zz"}, body="نص.")
@example(meta={"source_url": "http://[::1]:80/ا"}, body="نص.")
def test_any_article_is_tagged_or_fails_before_any_audio(
    folder: Path, silence: bytes, meta: dict[str, Any], body: str
) -> None:
    """What the reader accepts, the tagger can write: nothing fails after the audio is made."""
    path = folder / "tagged.md"
    path.write_bytes((dump_front_matter(meta, None) + "\n" + body).encode("utf-8", "surrogatepass"))
    try:
        article = read_article(path)
    except SawtError:
        return
    mp3 = folder / "tagged.mp3"
    mp3.write_bytes(silence)
    chapters = [Chapter(article.title[:40], 0, 100)]
    write_tags(mp3, _tag_info(article, Settings(root=folder), chapters, None))
    tags = ID3(mp3)  # type: ignore[no-untyped-call]
    assert str(tags["TIT2"]) == article.title


@dataclass(frozen=True)
class EngineCaps:
    max_chars: int
    caps: TextCaps


@pytest.fixture(scope="module")
def espeak() -> EngineCaps:
    engine = create_engine("espeak", Settings())
    return EngineCaps(engine.max_chars, engine.caps)


@budget(150)
@given(meta=front_matter, raw=file_bytes(), suffix=st.sampled_from(SUFFIXES))
@example(
    meta={"lexicon": [{"match": r"(\w+)", "say": r"\2", "regex": True}]},
    raw="نص للتجربة.".encode(),
    suffix=".md",
)
@example(meta={"lexicon": [{"match": "نص", "say": "\x1b[31m"}]}, raw="نص.".encode(), suffix=".md")
def test_any_article_scripts_for_espeak_or_fails_with_one_error(
    folder: Path, espeak: EngineCaps, meta: dict[str, Any], raw: bytes, suffix: str
) -> None:
    path = folder / f"script{suffix}"
    head = (
        dump_front_matter(meta, None).encode("utf-8", "surrogatepass") if suffix == ".md" else b""
    )
    path.write_bytes(head + b"\n" + raw)
    settings_ = Settings(root=folder, episodes_dir="episodes")
    try:
        prepared = prepare(path, settings_, espeak.max_chars, espeak.caps)
    except SawtError as exc:
        assert str(exc).strip()
        return
    assert prepared.pieces and prepared.pieces[0].role == "title"
    assert prepared.slug and prepared.slug.isascii() and "/" not in prepared.slug
    for piece in prepared.pieces:
        assert piece.original.strip() and piece.spoken.strip(), piece
        assert len(piece.spoken) <= espeak.max_chars
        clean_text(piece.original, bidi=True)
        clean_text(piece.spoken, bidi=True)


# ── podcast.yaml ─────────────────────────────────────────────────────────────

SETTING_KEYS = tuple(k for k in Settings.model_fields if k not in ("root", "source", "lines"))


PATH_KEYS = ("episodes_dir", "cache_dir")
# Where a careless podcast.yaml may point: a file, a device, /proc, the show itself.
# (Never an arbitrary absolute folder: the command really writes there.)
# (/proc is left to test_an_episodes_dir_in_proc_is_one_line: an OSError, for cli.py.)
safe_path = st.sampled_from((".", "sub/episodes", "cover.png", "podcast.yaml", "/dev/null"))
setting_text = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    article_text,
    yaml_scalar.filter(lambda v: isinstance(v, str)),
)


def typed(annotation: object) -> st.SearchStrategy[object]:
    """Values of a setting's own type (most of them wrong in other ways), or of another."""
    fields = getattr(annotation, "model_fields", None)
    if fields is not None:  # a section: some of its keys, typed, or unknown ones
        keys = {name: typed(info.annotation) for name, info in fields.items()}
        return st.fixed_dictionaries({}, optional={**keys, "zz_unknown": yaml_value})
    options: list[st.SearchStrategy[object]] = []
    for arg in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arg) is typing.Literal:
            options.append(st.sampled_from(typing.get_args(arg)))
        elif typing.get_origin(arg) is tuple:
            (item, *_) = typing.get_args(arg)
            inner = yaml_value if getattr(item, "model_fields", None) else typed(item)
            options.append(st.lists(inner, max_size=3))
        elif arg is str:
            options.append(setting_text)
        elif arg is bool:
            options.append(st.booleans())
        elif arg is int:
            options.append(st.integers(-10, 1000) | st.integers())
        elif arg is float:
            options.append(st.floats() | st.integers(-100, 100))
        elif arg is type(None):
            options.append(st.none())
    return st.one_of(options) if options else yaml_value


SETTING_VALUES = {key: typed(Settings.model_fields[key].annotation) for key in SETTING_KEYS}


# Values each setting accepts: with free text for the text fields, half the real
# renders succeed, so the fuzz reaches publishing and not only validation.
VALID_SETTINGS: dict[str, st.SearchStrategy[object]] = {
    "language": st.sampled_from(("ar", "en", "ar-MA", "fr", "zh-Hant-TW")),
    "base_url": st.sampled_from(
        ("https://example.org/ب ت/", "http://[::1]:8080/x/", "https://xn--mgbh0fb.example/%zz/")
    ),
    "link": st.sampled_from(('https://example.org/?a=<b>&c="d"', "http://127.0.0.1/")),
    "category": st.sampled_from(("Arts", "Technology", "Society & Culture")),
    "subcategory": st.none(),
    "type": st.sampled_from(("episodic", "serial")),
    "auto": st.sampled_from((["espeak"], ["gtts", "espeak"])),
    "pauses": st.fixed_dictionaries({}, optional={"end": st.floats(0, 10), "title": st.just(0)}),
    "audio": st.fixed_dictionaries(
        {},
        optional={
            "bitrate": st.sampled_from((32, 128, 320)),
            "sample_rate": st.sampled_from((22050, 48000)),
            "loudness": st.floats(-40, -5),
            "true_peak": st.floats(-9, 0),
        },
    ),
    "espeak": st.fixed_dictionaries(
        {}, optional={"rate": st.integers(80, 450), "pitch": st.integers(0, 99)}
    ),
    "lexicon": st.lists(
        st.fixed_dictionaries({"match": st.sampled_from(WORDS[:6]), "say": setting_text}),
        max_size=2,
    ),
    "boilerplate": st.lists(setting_text.filter(lambda v: not v.startswith("re:")), max_size=2),
}


@st.composite
def podcast_yaml(draw: st.DrawFn, *, writes: bool = False) -> str:
    """A valid show file with one or two keys given arbitrary values.

    ``writes``: the file is used by a real render, so folders stay in safe places,
    and half the values are ones the setting accepts.
    """
    fields: dict[str, str] = {}
    for key in draw(st.lists(st.sampled_from(SETTING_KEYS), min_size=1, max_size=2, unique=True)):
        value: object
        if key in PATH_KEYS and writes:
            value = draw(safe_path)
        elif writes and key in VALID_SETTINGS and draw(st.booleans()):
            value = draw(VALID_SETTINGS[key])
        elif draw(st.integers(0, 3)) < 3:  # (hypothesis starts from 0: the typed value)
            value = draw(SETTING_VALUES[key])
        else:
            value = draw(yaml_value)
        try:
            text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
        except yaml.YAMLError:
            continue
        fields[key] = text.removesuffix("\n...\n").strip()
    if draw(st.integers(0, 3)) == 3:  # a raw scalar, as a careless editor would type it
        key = draw(st.sampled_from([k for k in SETTING_KEYS if not (writes and k in PATH_KEYS)]))
        fields[key] = draw(
            st.text(ANY_CHAR, max_size=20).filter(lambda v: not set(v) & set("\n\r"))
        )
    return show_yaml(**fields)


@budget(300)
@given(text=podcast_yaml())
@example(text=show_yaml(base_url='"https://example.org:99999/"'))
@example(text=show_yaml(espeak="{voice: zz}"))
@example(text=show_yaml(title='"\\ud800"'))
@example(text=show_yaml(image="a" * 300))  # a name too long for the file system
@example(text=show_yaml(episodes_dir="a" * 300))
@example(text=show_yaml(cache_dir="a" * 300))
@example(text=show_yaml(episodes_dir="cover.png"))
def test_any_podcast_yaml_loads_or_fails_with_one_config_error(folder: Path, text: str) -> None:
    config = folder / "podcast.yaml"
    config.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        loaded = load_settings(config)
        check_engine_names(loaded)
        create_engine("espeak", loaded)  # the voice is checked when the engine is made
    except SawtError as exc:
        assert str(exc).strip()
        return
    for text in strings(loaded.model_dump()):  # settings end up in the feed and the pages
        clean_text(text.replace("\r", ""))  # XML keeps line ends as they are
        assert "\ufffe" not in text and "\uffff" not in text
    # What publishing derives from the settings must not fail later.
    encode_url(loaded.feed_url()).encode("ascii")
    loaded.episodes_path()
    loaded.cache_path()


# ── the real command, a few examples ─────────────────────────────────────────

CLI = budget(15, slow=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def check_outcome(proc: Any, episodes: Path, before: dict[str, bytes]) -> None:
    """Exit 0 with an episode in a valid feed, or exit 2 with one line and nothing written."""
    output = proc.stdout + proc.stderr
    event(f"exit {proc.returncode}")  # --hypothesis-show-statistics shows the mix
    assert "Traceback" not in output, output
    assert "\x1b" not in output, output
    if proc.returncode == 0:
        feed = feedparser.parse(str(episodes / "feed.xml"))
        assert not feed.bozo, feed.bozo_exception
        guids = {e.id for e in feed.entries}
        for name in episodes.glob("*.json"):
            if name.name.endswith(".chapters.json") or name.name.startswith("."):
                continue
            data = json.loads(name.read_text("utf-8"))
            if isinstance(data, dict) and "guid" in data:
                assert data["guid"] in guids, name
                mp3 = episodes / data["audio"]["file"]
                assert mp3.stat().st_size == data["audio"]["bytes"]
        assert not list(episodes.glob(".*.part"))
        for path in episodes.iterdir():  # no control character reaches any output
            if path.suffix == ".json":
                for text in strings(json.loads(path.read_text("utf-8"))):
                    clean_text(text)
            elif path.suffix in (".xml", ".html", ".vtt", ".srt", ".txt"):
                clean_text(path.read_text("utf-8"))
        return
    assert proc.returncode == 2, output
    lines = proc.stderr.strip("\n").split("\n")
    assert lines[0].startswith("error: "), proc.stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("  hint: ")), proc.stderr
    assert snapshot(episodes) == before, "a failed render changed episodes/"


@pytest.fixture(scope="module")
def base_show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rendered_show(tmp_path_factory)


@contextlib.contextmanager
def show_copy(base: Path) -> Iterator[Path]:
    """A private copy of the rendered show, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="fuzz-show-") as tmp:
        yield Path(shutil.copytree(base, Path(tmp) / "show"))


VALID_FRONT: dict[str, st.SearchStrategy[object]] = {
    "date": st.sampled_from(
        ("2026-11-29", "2026-11-29T10:00:00Z", "9999-12-31T23:59:59-12:00", "0001-01-01")
    ),
    "source_url": st.sampled_from(
        (
            'https://www.aljazeera.net/news/اقتصاد?q=<x>&y="z"#ف',
            "http://[::1]:80/x",
            "https://EXAMPLE.org:8443/a%20b/%zz",
            "https://" + "a" * 63 + ".org/",
        )
    ),
    "image": st.just("cover.png"),
    "language": VALID_SETTINGS["language"],
    "lexicon": VALID_SETTINGS["lexicon"],
}


@st.composite
def plausible_article(draw: st.DrawFn) -> tuple[dict[str, Any], bytes, str]:
    """Markdown that should render: accepted front matter, a real sentence, then anything."""
    meta: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from((*FRONT_KEYS, "lexicon")), unique=True)):
        meta[key] = draw(VALID_FRONT.get(key, setting_text))
    body = "جملة عربية صحيحة للقراءة. " + draw(article_text)
    return meta, body.encode("utf-8", "surrogatepass"), ".md"


any_article = st.tuples(front_matter, file_bytes(), st.sampled_from(SUFFIXES))


@pytest.mark.slow
@CLI
@given(case=plausible_article() | any_article)
@example(case=({"title": "[/b] \x1b[31m"}, "نص قصير.".encode(), ".md"))
@example(case=({"language": "zz-ZZ-very-long-language"}, "نص قصير.".encode(), ".md"))
def test_render_of_any_article_publishes_or_fails_with_one_line(
    base_show: Path, case: tuple[dict[str, Any], bytes, str]
) -> None:
    meta, raw, suffix = case
    with show_copy(base_show) as show:
        head = b""
        if suffix == ".md":
            head = dump_front_matter(meta, None).encode("utf-8", "surrogatepass") + b"\n"
        (show / f"fuzz{suffix}").write_bytes(head + raw)
        episodes = show / "episodes"
        before = snapshot(episodes)
        proc = run_sawt("render", f"fuzz{suffix}", "--engine", "espeak", cwd=show, timeout=300)
        check_outcome(proc, episodes, before)


@pytest.mark.slow
@CLI
@given(text=podcast_yaml(writes=True))
def test_render_with_any_podcast_yaml_publishes_or_fails_with_one_line(
    base_show: Path, text: str
) -> None:
    with show_copy(base_show) as show:
        (show / "podcast.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
        (show / "new.md").write_text("---\ntitle: جديد\n---\n\nجملة قصيرة.\n", "utf-8")
        episodes = show / "episodes"
        before = snapshot(episodes)
        proc = run_sawt("render", "new.md", "--engine", "espeak", cwd=show, timeout=300)
        check_outcome(proc, episodes, before)


# ── what the fuzzing found, kept as plain regressions ────────────────────────


def test_a_backtracking_boilerplate_regex_stops_with_an_error(tmp_path: Path) -> None:
    (tmp_path / "podcast.yaml").write_text('boilerplate: ["re:(a|aa)+$"]\n', "utf-8")
    (tmp_path / "a.md").write_text("---\ntitle: ت\n---\n\nنص.\n\n" + "a" * 40 + "!\n", "utf-8")
    proc = run_sawt("render", "a.md", "--engine", "espeak", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "boilerplate regex" in proc.stderr, proc.stderr
    assert not (tmp_path / "episodes" / "a.mp3").exists()


@pytest.mark.parametrize(
    ("yaml_line", "words"),
    [
        ('title: "\\e[31mأحمر"', "invalid field 'title': Value error, must not contain U+001B"),
        ('description: "\\ufffe"', "invalid field 'description'"),
        ('language: "zz-ZZ-very-long-language!"', "invalid field 'language'"),
        ("episodes_dir: a.md", "invalid field 'episodes_dir'"),
    ],
)
def test_settings_that_would_publish_garbage_are_refused(
    tmp_path: Path, yaml_line: str, words: str
) -> None:
    (tmp_path / "podcast.yaml").write_text(yaml_line + "\n", "utf-8")
    (tmp_path / "a.md").write_text("---\ntitle: ت\n---\n\nنص.\n", "utf-8")
    proc = run_sawt("render", "a.md", "--engine", "espeak", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and words in proc.stderr and "podcast.yaml:1:" in proc.stderr
    assert not (tmp_path / "episodes").exists() or not list((tmp_path / "episodes").iterdir())


@pytest.mark.parametrize(
    "text",
    [
        "اقرأ أيضا\n",  # every line boilerplate: was an IndexError
        "عنوان وحيد\n",  # a headline alone: was an episode of one line
        '"\n\n...\n',  # no letter or digit: was an episode of silence
    ],
)
def test_text_files_with_nothing_to_read_are_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "a.txt").write_text(text, "utf-8")
    proc = run_sawt("render", "a.txt", "--engine", "espeak", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "episodes").exists() or not list((tmp_path / "episodes").iterdir())


def test_an_episodes_dir_in_proc_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "podcast.yaml").write_text("episodes_dir: /proc/self\n", "utf-8")
    (tmp_path / "a.md").write_text("---\ntitle: ت\n---\n\nنص.\n", "utf-8")
    proc = run_sawt("render", "a.md", "--engine", "espeak", cwd=tmp_path, timeout=120)
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2 and proc.stderr.startswith("error: ")

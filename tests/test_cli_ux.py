"""Issue 15, rough edges a new user hits: one test (or more) per item.

Each runs the real command (``python -m sawt``) the way a user would, or the
one function that decides the behaviour.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import date
from io import StringIO
from pathlib import Path

import feedparser
import pytest
from rich.console import Console

from sawt.batch import share_limits
from sawt.cli import RichReporter
from sawt.config import load_settings
from sawt.console import FSI, PDI, isolate, plural
from sawt.pipeline import fingerprint
from sawt.publishing.serve import preview_rewrite
from sawt.starter import STARTER, starter_text
from tests.conftest import run_sawt, sawt_env
from tests.fakegoogle import FakeGoogle
from tests.standin.testing import fresh

SHORT = "# عنوان قصير\n\nهذه فقرة أولى قصيرة. وهذه جملة ثانية فيها.\n"
OTHER = "# مقال آخر\n\nفقرة عن الطقس في المدينة. والجو معتدل اليوم.\n"


def show(tmp_path: Path, config: str = "engine: espeak\n") -> Path:
    """A show folder with podcast.yaml and two short articles."""
    (tmp_path / "podcast.yaml").write_text(config, "utf-8")
    (tmp_path / "economy.md").write_text(SHORT, "utf-8")
    (tmp_path / "other.md").write_text(OTHER, "utf-8")
    return tmp_path


def sawt(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sawt(*args, cwd=cwd, timeout=300)


# --- 1. only what changes the audio or the record counts as a change ------------

TRANSPORT = [
    ("gtts", "timeout", 99.0),
    ("gtts", "concurrency", 1),
    ("gtts", "rate_limit", 1.0),
    ("gtts", "retries", 0),
    ("gtts", "deadline", 10.0),
    ("gtts", "preflight_timeout", 1.0),
    ("edge", "timeout", 99.0),
    ("edge", "concurrency", 1),
    ("edge", "retries", 1),
    ("edge", "proxy", "http://127.0.0.1:3128"),
]


@pytest.mark.parametrize(("engine", "field", "value"), TRANSPORT)
def test_transport_settings_leave_the_fingerprint_alone(
    tmp_path: Path, engine: str, field: str, value: object
) -> None:
    article = show(tmp_path) / "economy.md"
    settings = load_settings(None)
    section = getattr(settings, engine).model_copy(update={field: value})
    edited = settings.model_copy(update={engine: section})
    assert fingerprint(article, edited, "auto") == fingerprint(article, settings, "auto")


def test_a_batch_workers_share_of_the_limits_is_no_change(tmp_path: Path) -> None:
    article = show(tmp_path) / "economy.md"
    settings = load_settings(None)
    assert fingerprint(article, share_limits(settings, 3), "auto") == fingerprint(
        article, settings, "auto"
    )


def test_what_changes_the_sound_does_change_the_fingerprint(tmp_path: Path) -> None:
    article = show(tmp_path) / "economy.md"
    settings = load_settings(None)
    slower = settings.model_copy(update={"pauses": settings.pauses.model_copy(update={"end": 3})})
    voice = settings.model_copy(update={"edge": settings.edge.model_copy(update={"rate": "+5%"})})
    stamp = fingerprint(article, settings, "auto")
    assert fingerprint(article, slower, "auto") != stamp
    assert fingerprint(article, voice, "auto") != stamp


def test_single_then_batch_then_single_renders_once(tmp_path: Path) -> None:
    folder = show(tmp_path)
    first = sawt(folder, "render", "economy.md")
    assert first.returncode == 0, first.stderr
    assert "wrote" in first.stdout
    batch = sawt(folder, "render", "economy.md", "other.md", "-j", "2")
    assert batch.returncode == 0, batch.stderr
    assert "1 rendered, 1 unchanged (skipped), 0 failed" in batch.stdout
    # Editing how politely Google and Edge are asked changes nothing either.
    (folder / "podcast.yaml").write_text(
        "engine: espeak\ngtts:\n  timeout: 40\n  concurrency: 2\nedge:\n  timeout: 50\n", "utf-8"
    )
    again = sawt(folder, "render", "economy.md")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("unchanged ")


# --- 2. a batch probes Google once, warns when it happens; chapters in "wrote" --


@pytest.fixture()
def google_refuses(server: FakeGoogle) -> Iterator[FakeGoogle]:
    fresh(server)
    server.faults.set("403", times=None)  # Google blocks this client: no answer will do
    yield server
    server.faults.clear()


def test_batch_probes_google_once_and_warns_once(
    google_refuses: FakeGoogle, tmp_path: Path
) -> None:
    folder = show(tmp_path, "engine: auto\n")
    (folder / "third.md").write_text("# ثالث\n\nفقرة ثالثة هنا. وجملة أخرى.\n", "utf-8")
    env = google_refuses.subprocess_env(sawt_env())
    env["SAWT_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.run(
        [sys.executable, "-m", "sawt", "render", "economy.md", "other.md", "third.md", "-j", "2"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    # One probe for the batch (at most one retry), not one per article.
    assert 1 <= google_refuses.request_count <= 2
    assert proc.stderr.count("gtts is unavailable") == 1
    wrote = [line for line in proc.stdout.splitlines() if line.startswith("wrote ")]
    assert len(wrote) == 3
    assert all(re.search(r"\(\d+:\d\d\.\d, \d+ chapters?, engine espeak\)$", w) for w in wrote)
    for name in ("economy", "other", "third"):
        record = json.loads((folder / "episodes" / f"{name}.json").read_text("utf-8"))
        assert record["engine"] == "espeak" and record["engine_requested"] == "auto"
        assert "gtts failed" in record["fallback_reason"]


# --- 3. singular and plural --------------------------------------------------------


def test_plural() -> None:
    assert plural(1, "episode") == "1 episode"
    assert plural(0, "episode") == "0 episodes"
    assert plural(2, "retry", "retries") == "2 retries"
    assert plural(1, "retry", "retries") == "1 retry"


def test_one_episode_is_one_episode(tmp_path: Path) -> None:
    proc = sawt(show(tmp_path), "render", "economy.md")
    assert proc.returncode == 0, proc.stderr
    assert "(1 episode)" in proc.stdout and "episodes)" not in proc.stdout
    cache = sawt(tmp_path, "cache")
    assert re.search(r"holds \d+ clips?,", cache.stdout)
    assert not re.search(
        r"\b1 (episodes|chapters|pieces|clips|requests)\b", proc.stdout + cache.stdout
    )


# --- 4. help looks like typer's usual help -----------------------------------------

COMMANDS = ["render", "worker", "status", "update", "engines", "cache", "init"]
COMMANDS += ["episodes", "remove", "feed", "check", "serve"]


def test_help_has_no_type_tags_and_names_arguments_in_capitals(tmp_path: Path) -> None:
    for command in [*COMMANDS, ""]:
        proc = sawt(tmp_path, *([command] if command else []), "--help")
        assert proc.returncode == 0, proc.stderr
        assert not re.search(r"<(bool|str|int|float|file|path|list\[)", proc.stdout), proc.stdout
        assert not re.search(r"\{\w+\}", proc.stdout), proc.stdout
    render = sawt(tmp_path, "render", "--help").stdout
    assert "Usage: sawt render [OPTIONS] ARTICLES..." in render
    assert re.search(r"│ --dry-run\s+-n\s+Print the spoken script", render)
    assert re.search(r"│ --jobs\s+-j\s+INTEGER RANGE", render)
    assert re.search(r"\*\s+ARTICLES\.\.\.\s+Article files", render)
    remove = sawt(tmp_path, "remove", "--help").stdout
    assert "Usage: sawt remove [OPTIONS] SLUG" in remove
    assert re.search(r"\*\s+SLUG\s+The episode's slug", remove)
    version = sawt(tmp_path, "--help").stdout
    assert re.search(r"│ --version\s+Show the version", version)


def test_a_flag_takes_no_value(tmp_path: Path) -> None:
    """``--dry-run true`` must not be what help suggests: true is read as a file name."""
    proc = sawt(show(tmp_path), "render", "--dry-run", "true")
    assert proc.returncode == 2
    assert "true: file not found" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- 5. typos get a suggestion ---------------------------------------------------


def test_a_misspelt_article_gets_the_closest_file(tmp_path: Path) -> None:
    proc = sawt(show(tmp_path), "render", "ecnomy.md")
    assert proc.returncode == 2
    assert "ecnomy.md: file not found" in proc.stderr
    assert "did you mean economy.md?" in proc.stderr
    assert not (tmp_path / "episodes").exists()


def test_a_misspelt_slug_gets_the_closest_episode(tmp_path: Path) -> None:
    folder = show(tmp_path)
    shutil.copy(folder / "economy.md", folder / "port-expansion.md")
    assert sawt(folder, "render", "port-expansion.md").returncode == 0
    proc = sawt(folder, "remove", "port-expansio")
    assert proc.returncode == 2
    assert "no episode 'port-expansio'" in proc.stderr
    assert "did you mean port-expansion?" in proc.stderr
    assert (folder / "episodes" / "port-expansion.mp3").exists()


# --- 6. serve -p: the feed it serves points at the preview ---------------------------


def test_preview_rewrite_only_when_base_url_is_elsewhere() -> None:
    assert preview_rewrite("http://localhost:8000/", "127.0.0.1", 8000) == {}
    assert preview_rewrite("http://127.0.0.1:8080/", "127.0.0.1", 8080) == {}
    assert preview_rewrite("http://localhost:8000/", "127.0.0.1", 8080) == {
        "http://localhost:8000/": "http://127.0.0.1:8080/"
    }
    moved = preview_rewrite("https://example.org/بودكاست/", "127.0.0.1", 8000)
    assert set(moved.values()) == {"http://127.0.0.1:8000/"}
    assert "https://example.org/%D8%A8%D9%88%D8%AF%D9%83%D8%A7%D8%B3%D8%AA/" in moved
    assert preview_rewrite("https://example.org/", "0.0.0.0", 8000) == {}  # no one address


def test_serve_on_another_port_serves_a_feed_pointing_at_itself(tmp_path: Path) -> None:
    folder = show(tmp_path, "engine: espeak\nbase_url: https://example.org/pod/\n")
    assert sawt(folder, "render", "economy.md").returncode == 0
    on_disk = (folder / "episodes" / "feed.xml").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sawt", "serve", "--port", "0"],
        cwd=folder,
        env=sawt_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)feed\.xml", first)
        assert found, first
        base = found.group(1)
        with urllib.request.urlopen(base + "feed.xml", timeout=30) as answer:
            feed = feedparser.parse(answer.read())
        [entry] = feed.entries
        [enclosure] = entry.enclosures
        assert enclosure.href == base + "economy.mp3"
        with urllib.request.urlopen(enclosure.href, timeout=30) as audio:
            assert audio.headers["Content-Type"] == "audio/mpeg"
            assert len(audio.read()) == int(enclosure.length)
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "rewritten to " + base in err and "https://example.org/pod/" in err
    assert (folder / "episodes" / "feed.xml").read_bytes() == on_disk  # the file keeps base_url


# --- 7. a failing command creates nothing --------------------------------------------


@pytest.mark.parametrize("args", [("remove", "x"), ("remove", "x", "--no-feed"), ("episodes",)])
def test_commands_in_an_empty_folder_create_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = sawt(tmp_path, *args)
    assert proc.returncode in (0, 2)
    assert list(tmp_path.iterdir()) == []


# --- 8. and 9. sawt init ------------------------------------------------------------


def test_init_twice_is_a_harmless_no_op(tmp_path: Path) -> None:
    first = sawt(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    again = sawt(tmp_path, "init")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout and "error" not in again.stderr
    (tmp_path / "episodes").rmdir()
    third = sawt(tmp_path, "init")
    assert third.returncode == 0 and (tmp_path / "episodes").is_dir()
    assert "kept the existing" in third.stdout


def test_init_with_a_conflicting_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "episodes").write_text("not a folder", "utf-8")
    proc = sawt(tmp_path, "init")
    assert proc.returncode == 2
    assert "episodes: not a folder" in proc.stderr
    assert not (tmp_path / "podcast.yaml").exists()


def test_starter_names_the_current_year() -> None:
    assert f"© {date.today().year} " in STARTER
    assert "© 2031 Your Name" in starter_text(2031)


# --- 10. progress: a stage without a count shows a spinner, not "0/?" --------------


def test_a_stage_without_a_count_shows_a_spinner() -> None:
    console = Console(file=StringIO(), force_terminal=True, width=80)
    reporter = RichReporter(console)
    reporter.stage("speaking (espeak)", 10)
    reporter.advance(4)
    reporter.stage("encoding")
    shown = Console(file=StringIO(), width=80, color_system=None)
    shown.print(reporter.progress.make_tasks_table(reporter.progress.tasks))
    reporter.close()
    text = shown.file.getvalue()  # type: ignore[attr-defined]
    [row] = [line for line in text.splitlines() if "encoding" in line]
    assert "0/?" not in row and "?" not in row and "━" not in row
    assert re.search(r"encoding [⠁-⣿] ", row), row  # a braille spinner frame


# --- 11. Arabic in English messages is isolated ---------------------------------------


def test_arabic_runs_are_isolated() -> None:
    assert isolate("error: مقال.md: file not found") == f"error: {FSI}مقال{PDI}.md: file not found"
    quoted = "failed on piece 0 (“تعزيز التعاون”) after 2 attempts"
    assert isolate(quoted) == f"failed on piece 0 (“{FSI}تعزيز التعاون{PDI}”) after 2 attempts"
    assert isolate("ميديا أونكيت 24") == f"{FSI}ميديا أونكيت 24{PDI}"
    assert isolate("plain English") == "plain English"


def test_an_arabic_file_name_in_an_error_is_isolated(tmp_path: Path) -> None:
    proc = sawt(tmp_path, "render", "مقال.md")
    assert proc.returncode == 2
    assert f"error: {FSI}مقال{PDI}.md: file not found" in proc.stderr

"""The gTTS engine against the local stand-in of Google's endpoint."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sawt.config import GttsSettings, Settings
from sawt.errors import EngineUnavailable
from sawt.pipeline import RenderResult, prepare, render
from sawt.speech.engines.gtts import GttsEngine
from sawt.speech.trim import trim_silence
from tests.conftest import SAMPLE
from tests.fakegoogle import FakeGoogle
from tests.standin.testing import fresh

FAST = {"backoff": 0.01, "backoff_max": 0.05, "timeout": 2.0, "retries": 4, "rate_limit": 100}


@pytest.fixture()
def fake(server: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> FakeGoogle:
    """The stand-in, reset, with this process's gTTS routed to it."""
    fresh(server, hang_s=3)  # hangs longer than any client timeout here
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SAWT_CACHE_DIR")  # each test's settings name its own cache
    return server


@pytest.fixture(scope="module")
def clean_md5(server: FakeGoogle, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The MP3 of a fault-free gTTS render of the sample."""
    root = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in server.env().items():
            mp.setenv(name, value)
        mp.delenv("SAWT_CACHE_DIR")
        return md5(render_sample(root, settings_for(root)).mp3)


def settings_for(root: Path, **gtts: object) -> Settings:
    """Settings rooted at ``root`` with a private cache and quick retries."""
    return Settings(
        root=root,
        cache_dir="cache",
        gtts=GttsSettings(**{**FAST, **gtts}),
    )


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def render_sample(root: Path, settings: Settings, engine: str = "gtts") -> RenderResult:
    article = root / SAMPLE.name
    root.mkdir(parents=True, exist_ok=True)
    if not article.exists():
        shutil.copy(SAMPLE, article)
    return render(article, settings, engine)


def sample_texts(settings: Settings) -> list[str]:
    """What the engine sends for each piece of the sample."""
    engine = GttsEngine(settings.gtts)
    return [engine.prepare(p.spoken) for p in prepare(SAMPLE, settings, 100).pieces]


def test_render_with_gtts_one_request_per_piece(fake: FakeGoogle, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    result = render_sample(tmp_path, settings)
    texts = sample_texts(settings)
    assert result.engine == "gtts"
    assert fake.request_count == len(texts) == result.requests
    assert set(fake.text_counts) == set(texts)
    assert all(len(t) <= 100 for t in texts)
    # ؟ and ؛ go out as ? and ; so Google keeps the intonation.
    assert not any("؟" in t or "؛" in t for t in texts)


@pytest.mark.parametrize(
    "kind",
    [
        "429",
        "500",
        "503",
        "slow",
        "timeout",
        "empty200",
        "truncated",
        "garbage",
        "notmp3",
        "noaudio",
        "reset",
    ],
)
def test_each_fault_is_retried_and_recovered(
    fake: FakeGoogle, clean_md5: str, tmp_path: Path, kind: str
) -> None:
    fake.faults.slow_ms = 300
    fake.reset_counts()
    fake.faults.set(kind, times=2)
    settings = settings_for(tmp_path / "faulty", timeout=1.0)
    result = render_sample(tmp_path / "faulty", settings)
    pieces = len(sample_texts(settings))
    retried = 0 if kind == "slow" else 2
    assert fake.request_count == pieces + retried
    assert md5(result.mp3) == clean_md5


@pytest.mark.parametrize("kind", ["429", "503", "timeout", "truncated", "403"])
def test_persistent_fault_fails_clearly_and_writes_nothing(
    fake: FakeGoogle, tmp_path: Path, kind: str
) -> None:
    fake.faults.set(kind, times=None)
    settings = settings_for(tmp_path, retries=2, timeout=0.5)
    with pytest.raises(EngineUnavailable) as info:
        render_sample(tmp_path, settings)
    message = str(info.value)
    assert re.search(r"on piece \d+ \(“\w+", message)  # names the piece and its words
    assert "--engine espeak" in message and "concurrency" in message
    attempts = 1 if kind == "403" else 3  # 403 is not worth retrying
    assert f"after {attempts} attempt" in message
    assert not (tmp_path / "episodes").exists()


def test_thirty_percent_faults_same_audio_as_fault_free(
    fake: FakeGoogle, clean_md5: str, tmp_path: Path
) -> None:
    fake.faults.set_probability(
        0.3, kinds=["429", "500", "503", "reset", "empty200", "truncated", "garbage"], seed=7
    )
    settings = settings_for(tmp_path / "faulty", retries=10, concurrency=4)
    result = render_sample(tmp_path / "faulty", settings)
    assert fake.request_count > len(sample_texts(settings))  # faults happened
    assert md5(result.mp3) == clean_md5


def test_concurrency_8_keeps_order_and_timeline(fake: FakeGoogle, tmp_path: Path) -> None:
    # Early pieces answer last, so completion order differs from script order.
    texts = sample_texts(settings_for(tmp_path))
    fake.faults.slow_ms = 400
    for text in texts[:6]:
        fake.faults.set_for_text(text, "slow", times=1)
    settings = settings_for(tmp_path, concurrency=8, rate_limit=100)
    result = render_sample(tmp_path, settings)
    assert 2 <= fake.peak_in_flight <= 8
    engine = GttsEngine(settings.gtts)
    for entry, text in zip(result.timeline, texts, strict=True):
        clip = trim_silence(engine.decode(fake.audio(text, "ar", False), text))
        assert abs((entry.end_ms - entry.start_ms) - clip.duration_ms) <= 1
    starts = [e.start_ms for e in result.timeline]
    assert starts == sorted(starts)


def test_cache_second_render_sends_nothing_and_edit_sends_one_paragraph(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    render_sample(tmp_path, settings)
    fake.reset_counts()
    again = render(tmp_path / SAMPLE.name, settings, "gtts", force=True)
    assert fake.request_count == 0 and again.cached_pieces == len(again.timeline)

    article = tmp_path / SAMPLE.name
    old = "وشملت المباحثات أيضاً تعزيز التعاون الثنائي"
    new = "وشملت المحادثات كذلك تعزيز التعاون الثنائي"
    article.write_text(article.read_text("utf-8").replace(old, new), "utf-8")
    edited = render(article, settings, "gtts")
    changed = [e for e in edited.timeline if e.role == "body" and e.block == 2]
    sent = set(fake.text_counts)
    assert sent and sent <= {GttsEngine().prepare(e.spoken) for e in changed}
    assert fake.request_count == len(sent)


def test_cache_command_shows_and_clears(fake: FakeGoogle, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sawt.cli import app

    render_sample(tmp_path, settings_for(tmp_path))
    env = {"SAWT_CACHE_DIR": str(tmp_path / "cache")}
    shown = CliRunner().invoke(app, ["cache"], env=env)
    assert (
        shown.exit_code == 0
        and f"holds {len(sample_texts(settings_for(tmp_path)))} clips" in shown.stdout
    )
    cleared = CliRunner().invoke(app, ["cache", "--clear"], env=env)
    assert cleared.exit_code == 0 and "removed" in cleared.stdout
    # Only the clips go: the folder and its CACHEDIR.TAG (proof it is sawt's) stay.
    assert not list((tmp_path / "cache").rglob("*.bin"))
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()


def sawt_process(cwd: Path, fake: FakeGoogle, *args: str) -> subprocess.Popen[str]:
    env = fake.subprocess_env()
    env["SAWT_CACHE_DIR"] = str(cwd / "cache")
    return subprocess.Popen(
        [sys.executable, "-m", "sawt", "render", SAMPLE.name, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_resume_after_sigkill_sends_only_missing_pieces(fake: FakeGoogle, tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    (tmp_path / "podcast.yaml").write_text("gtts:\n  concurrency: 2\n", "utf-8")
    fake.latency_ms = 150
    proc = sawt_process(tmp_path, fake, "--engine", "gtts")
    deadline = time.monotonic() + 60
    while fake.request_count < 8 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "episodes").exists()
    first = set(fake.text_counts)
    cached = len(list((tmp_path / "cache").glob("*/*.bin")))
    assert 0 < cached < len(sample_texts(settings_for(tmp_path)))
    assert not list((tmp_path / "cache").glob("*/.*"))  # no half-written entries linger
    fake.reset_counts()
    fake.latency_ms = 0
    done = sawt_process(tmp_path, fake, "--engine", "gtts")
    _out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    total = len(sample_texts(settings_for(tmp_path)))
    assert fake.request_count == total - cached
    assert len(first) + fake.request_count >= total


def test_auto_picks_gtts_when_google_answers(fake: FakeGoogle, tmp_path: Path) -> None:
    result = render_sample(tmp_path, settings_for(tmp_path), engine="auto")
    assert result.engine == "gtts" and fake.request_count == len(result.timeline)


def test_auto_falls_back_to_espeak_with_a_warning(tmp_path: Path) -> None:
    # A dead proxy: nothing listens on this port.
    with FakeGoogle() as gone:
        dead = gone.subprocess_env()
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    dead["SAWT_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.run(
        [sys.executable, "-m", "sawt", "render", SAMPLE.name],
        cwd=tmp_path,
        env=dead,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "espeak" in proc.stderr
    assert "engine espeak" in proc.stdout
    import json

    record = json.loads((tmp_path / "episodes" / f"{SAMPLE.stem}.json").read_text("utf-8"))
    assert record["engine"] == "espeak" and record["engine_requested"] == "auto"
    assert record["fallback_reason"]


def test_engines_reports_whether_google_is_reachable(fake: FakeGoogle) -> None:
    from typer.testing import CliRunner

    from sawt.cli import app

    up = CliRunner().invoke(app, ["engines"])
    assert up.exit_code == 0 and f"proxy 127.0.0.1:{fake.port}" in up.stdout
    assert "would use gtts" in up.stdout
    with FakeGoogle() as gone:
        dead = gone.proxy_url
    down = CliRunner().invoke(app, ["engines"], env={"HTTPS_PROXY": dead, "https_proxy": dead})
    assert "would use espeak" in down.stdout and "cannot reach" in down.stdout

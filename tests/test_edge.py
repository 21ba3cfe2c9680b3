"""The Edge engine against the local stand-in of Edge's read-aloud service."""

from __future__ import annotations

import array
import hashlib
import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import edge_tts.communicate
import edge_tts.voices
import pytest

from sawt.config import EdgeSettings, GttsSettings, Settings, load_settings
from sawt.errors import ConfigError, EngineUnavailable, TransientEngineError
from sawt.ffmpeg import ffmpeg_exe
from sawt.pipeline import RenderResult, prepare, render
from sawt.publishing.captions import build_cues
from sawt.publishing.catalog import read_record
from sawt.speech.engines import check_engine_names, engine_chain
from sawt.speech.engines.edge import EdgeEngine, pack_payload, unpack_payload
from tests.conftest import SAMPLE, run_sawt
from tests.fakeedge import FakeEdge, words_of
from tests.fakegoogle import FakeGoogle
from tests.standin.testing import fresh

FAST = {"backoff": 0.01, "backoff_max": 0.05, "timeout": 2.0, "retries": 4, "rate_limit": 100}
RATE = 44100  # the episode MP3's sample rate


@pytest.fixture(autouse=True)
def _restore_tls_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    """edge.ca_file replaces edge-tts's contexts process-wide: put them back after each test."""
    monkeypatch.setattr(edge_tts.communicate, "_SSL_CTX", edge_tts.communicate._SSL_CTX)
    monkeypatch.setattr(edge_tts.voices, "_SSL_CTX", edge_tts.voices._SSL_CTX)


@pytest.fixture()
def fake(edge_server: FakeEdge, monkeypatch: pytest.MonkeyPatch) -> FakeEdge:
    """The stand-in, reset; each test's settings name their own cache."""
    fresh(edge_server, hang_s=5, slow_ms=300)  # hangs longer than any client time limit here
    monkeypatch.delenv("SAWT_CACHE_DIR", raising=False)
    return edge_server


def edge_settings(fake: FakeEdge, **edge: Any) -> EdgeSettings:
    return EdgeSettings(**{"proxy": fake.proxy_url, "ca_file": str(fake.ca_file), **FAST, **edge})


def settings_for(root: Path, fake: FakeEdge, **edge: Any) -> Settings:
    """Settings rooted at ``root`` with a private cache, the stand-in and quick retries."""
    return Settings(root=root, cache_dir="cache", edge=edge_settings(fake, **edge))


def render_sample(root: Path, settings: Settings, engine: str = "edge") -> RenderResult:
    root.mkdir(parents=True, exist_ok=True)
    article = root / SAMPLE.name
    if not article.exists():
        shutil.copy(SAMPLE, article)
    return render(article, settings, engine)


def record_of(result: RenderResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.record.read_text("utf-8"))
    return data


def decode(path: Path) -> bytes:
    """The episode's PCM (44.1 kHz mono s16), decoded by ffmpeg."""
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
         "-f", "s16le", "-ac", "1", "-ar", str(RATE), "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def dbfs(pcm: bytes, start_ms: float, end_ms: float) -> float:
    samples = array.array("h")
    samples.frombytes(pcm[int(start_ms * RATE / 1000) * 2 : int(end_ms * RATE / 1000) * 2])
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples))) / 32768
    return 20 * math.log10(rms) if rms else -120.0


def sample_texts(settings: Settings) -> list[str]:
    """What the engine sends for each piece of the sample."""
    engine = EdgeEngine(settings.edge)
    return [engine.prepare(p.spoken) for p in prepare(SAMPLE, settings, engine.max_chars).pieces]


@pytest.fixture(scope="module")
def clean(edge_server: FakeEdge, tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    """A fault-free Edge render of the sample."""
    root = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SAWT_CACHE_DIR", raising=False)
        mp.setattr(edge_tts.communicate, "_SSL_CTX", edge_tts.communicate._SSL_CTX)
        mp.setattr(edge_tts.voices, "_SSL_CTX", edge_tts.voices._SSL_CTX)
        edge_server.faults.clear()
        return render_sample(root, settings_for(root, edge_server))


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- the payload


def test_payload_roundtrip_and_corruption() -> None:
    words = [("مرحبا", 1_000_000, 3_000_000), ("بالعالم", 4_500_000, 4_000_000)]
    payload = pack_payload(b"\xff\xf3mp3", words)
    assert unpack_payload(payload) == (b"\xff\xf3mp3", words)
    for broken in (b"", b"\xff\xf3raw mp3", payload[:12], b"SAWTEDG1\0\0\0\x05[1,2]"):
        with pytest.raises(TransientEngineError):
            unpack_payload(broken)


# ---------------------------------------------------------------- rendering


def test_render_with_edge_has_word_timing(fake: FakeEdge, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, fake)
    result = render_sample(tmp_path, settings)
    texts = sample_texts(settings)
    assert result.engine == "edge"
    assert fake.request_count == len(texts) == result.requests
    assert {r.voice for r in fake.requests_log} == {"ar-SA-HamedNeural"}
    record = record_of(result)
    assert record["engine"] == "edge" and record["word_timing"] is True
    assert record["engine_chain"] == ["edge"] and record["fallbacks"] == []
    pcm = decode(result.mp3)
    checked = 0
    for entry in record["timeline"]:
        words = entry["words"]
        assert [w[0] for w in words] == [w for w, _ in words_of(entry["spoken"])]
        assert entry["start_ms"] <= words[0][1] and words[-1][2] <= entry["end_ms"]
        for (_, start, end), (_, after, _) in zip(
            words, [*words[1:], ("", None, None)], strict=True
        ):
            assert start < end
            # The word's middle sounds; the middle of the gap after it is quiet.
            quarter = (end - start) / 4
            assert dbfs(pcm, start + quarter, end - quarter) > -30
            if after is not None:
                assert after > end
                middle = (end + after) / 2
                assert dbfs(pcm, middle - 10, middle + 10) < -45
                checked += 1
    assert checked > 100


def test_captions_use_the_word_times(fake: FakeEdge, clean: RenderResult) -> None:
    record = record_of(clean)
    cues = build_cues(read_record(clean.record).timeline)
    starts = {w[1] for e in record["timeline"] for w in e["words"]}
    ends = {w[2] for e in record["timeline"] for w in e["words"]}
    pieces = {e["start_ms"] for e in record["timeline"]} | {e["end_ms"] for e in record["timeline"]}
    split = [c for c in cues if c.start_ms not in pieces]
    assert split  # the sample has sentences too long for one cue
    assert all(c.start_ms in starts for c in split)
    assert all(c.end_ms in ends | pieces for c in cues)


@pytest.mark.parametrize(
    ("kind", "times", "extra"),
    [
        ("403", 1, 1),  # edge-tts retries a 403 once itself (after a clock-skew check)
        ("429", 2, 2),
        ("503", 2, 2),
        ("reset", 2, 2),  # aiohttp retries the first reset itself, the second fails
        ("close", 2, 2),  # a clean close halfway: edge-tts returns half the audio silently
        ("drop", 2, 2),
        ("noaudio", 2, 2),
        ("truncated", 2, 2),  # every word event, half the audio: edge-tts says nothing
        ("garbage", 2, 2),
        ("slow", 2, 0),
        ("stall", 2, 2),
        ("noturnend", 2, 2),
    ],
)
def test_each_fault_recovers_to_identical_audio(
    fake: FakeEdge, clean: RenderResult, tmp_path: Path, kind: str, times: int, extra: int
) -> None:
    fake.faults.set(kind, times=times)
    settings = settings_for(tmp_path, fake, timeout=1.0)
    result = render_sample(tmp_path, settings)
    assert fake.request_count == len(sample_texts(settings)) + extra
    assert md5(result.mp3) == md5(clean.mp3)
    assert decode(result.mp3) == decode(clean.mp3)
    assert record_of(result)["timeline"] == record_of(clean)["timeline"]


@pytest.mark.parametrize("kind", ["429", "403", "close"])
def test_persistent_fault_fails_clearly_and_writes_nothing(
    fake: FakeEdge, tmp_path: Path, kind: str
) -> None:
    fake.faults.set(kind, times=None)
    settings = settings_for(tmp_path, fake, retries=2)
    with pytest.raises(EngineUnavailable) as info:
        render_sample(tmp_path, settings)
    message = str(info.value)
    assert re.search(r"edge failed on piece \d+ \(“\w+", message)
    attempts = 1 if kind == "403" else 3  # a 403 that outlived edge-tts's own retry is final
    assert f"after {attempts} attempt" in message
    assert not (tmp_path / "episodes").exists()


def test_rerender_sends_nothing_and_a_bad_cache_entry_is_refetched(
    fake: FakeEdge, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, fake)
    first = render_sample(tmp_path, settings)
    fake.reset_counts()
    again = render(tmp_path / SAMPLE.name, settings, "edge", force=True)
    assert fake.request_count == 0 and again.cached_pieces == len(again.timeline)
    assert md5(again.mp3) == md5(first.mp3)
    assert record_of(again)["timeline"] == record_of(first)["timeline"]

    entry = next((tmp_path / "cache").glob("*/*.bin"))
    entry.write_bytes(entry.read_bytes()[:20])  # cut inside the word list
    fixed = render(tmp_path / SAMPLE.name, settings, "edge", force=True)
    assert fake.request_count == 1 and md5(fixed.mp3) == md5(first.mp3)


def test_voice_and_prosody_reach_the_service(fake: FakeEdge, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, fake, voice="ar-MA-MounaNeural", rate="+10%", pitch="-2Hz")
    render_sample(tmp_path, settings)
    assert {r[1:4] for r in fake.requests_log} == {("ar-MA-MounaNeural", "+10%", "-2Hz")}


def test_without_the_ca_the_certificate_is_refused(fake: FakeEdge, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, fake, ca_file=None)
    with pytest.raises(EngineUnavailable) as info:
        render_sample(tmp_path, settings)
    assert "not trusted" in str(info.value) and "after 1 attempt" in str(info.value)
    # Final at once: each worker's first try stops, none is retried.
    assert 1 <= fake.connect_count <= settings.edge.concurrency and fake.request_count == 0


# ---------------------------------------------------------------- the chain


def test_chain_uses_edge_first(fake: FakeEdge, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, fake).model_copy(update={"auto": ("edge", "gtts", "espeak")})
    assert engine_chain("auto", settings) == ["edge", "gtts", "espeak"]
    record = record_of(render_sample(tmp_path, settings, "auto"))
    assert record["engine"] == "edge" and record["engine_requested"] == "auto"
    assert record["engine_chain"] == ["edge", "gtts", "espeak"] and record["fallbacks"] == []


def test_chain_falls_back_to_gtts_then_espeak(
    fake: FakeEdge, server: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    server.faults.clear()
    fake.faults.set("503", times=None)

    def settings(root: Path) -> Settings:
        return Settings(
            root=root,
            cache_dir="cache",  # one per render: a cached gtts episode needs no Google
            auto=("edge", "gtts", "espeak"),
            edge=edge_settings(fake),
            gtts=GttsSettings(**FAST),
        )

    one = tmp_path / "one"
    record = record_of(render_sample(one, settings(one), "auto"))
    assert record["engine"] == "gtts" and "word_timing" in record and not record["word_timing"]
    assert [f["engine"] for f in record["fallbacks"]] == ["edge"]
    assert "HTTP 503" in record["fallbacks"][0]["reason"]
    assert fake.request_count == 2  # the probe: one try and one retry, no more
    assert all("words" not in e for e in record["timeline"])

    server.faults.set("503", times=None)
    try:
        two = tmp_path / "two"
        record = record_of(render_sample(two, settings(two), "auto"))
    finally:
        server.faults.clear()
    assert record["engine"] == "espeak"
    assert [f["engine"] for f in record["fallbacks"]] == ["edge", "gtts"]
    assert record["fallback_reason"] == record["fallbacks"][-1]["reason"]


def test_auto_chain_is_validated_with_line_numbers(tmp_path: Path) -> None:
    config = tmp_path / "podcast.yaml"
    config.write_text("title: t\nauto:\n  - edge\n  - nope\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        check_engine_names(load_settings(config))  # the registry knows the plug-ins too
    assert info.value.line == 4 and "nope" in str(info.value)
    assert info.value.path == config
    config.write_text("title: t\nedge:\n  voice: Hamed\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    assert info.value.line == 3 and "ar-SA-HamedNeural" in str(info.value)
    config.write_text("title: t\nedge:\n  rate: 10\n", "utf-8")
    with pytest.raises(ConfigError):
        load_settings(config)
    config.write_text("auto: [edge, espeak]\nedge:\n  voice: ar-EG-SalmaNeural\n", "utf-8")
    settings = load_settings(config)
    assert settings.auto == ("edge", "espeak") and settings.edge.voice == "ar-EG-SalmaNeural"
    assert Settings().auto == ("gtts", "espeak")


# ---------------------------------------------------------------- the command


def test_cli_render_with_edge_then_cached(fake: FakeEdge, tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    (tmp_path / "podcast.yaml").write_text(
        f"title: Edge test\ncache_dir: cache\nedge:\n  proxy: {fake.proxy_url}\n"
        f"  ca_file: {fake.ca_file}\n  retries: 2\n  backoff: 0.01\n",
        "utf-8",
    )
    first = run_sawt("render", SAMPLE.name, "--engine", "edge", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "engine edge" in first.stdout
    pieces = fake.request_count
    assert pieces > 5
    record = json.loads((tmp_path / "episodes" / f"{SAMPLE.stem}.json").read_text("utf-8"))
    assert record["word_timing"] and all(e["words"] for e in record["timeline"])
    vtt = next((tmp_path / "episodes").glob("*.vtt")).read_text("utf-8")
    assert vtt.startswith("WEBVTT") and "-->" in vtt

    fake.reset_counts()
    again = run_sawt("render", SAMPLE.name, "--engine", "edge", "--force", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert fake.request_count == 0 and fake.connect_count == 0


def test_engines_command_checks_edge_with_podcast_yaml(
    fake: FakeEdge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sawt import cli
    from sawt.cli import app

    monkeypatch.setattr(cli.out, "width", 400)  # one table row per line
    monkeypatch.chdir(tmp_path)
    (tmp_path / "podcast.yaml").write_text(
        f"auto: [edge, espeak]\nedge:\n  proxy: {fake.proxy_url}\n", "utf-8"
    )
    up = CliRunner().invoke(app, ["engines"])
    assert up.exit_code == 0, up.stdout
    assert f"reaches proxy 127.0.0.1:{fake.port}" in up.stdout
    assert "would use edge of edge → espeak; edge-tts" in up.stdout
    with FakeEdge() as gone:
        dead = gone.proxy_url
    (tmp_path / "podcast.yaml").write_text(
        f"auto: [edge, espeak]\nedge:\n  proxy: {dead}\n", "utf-8"
    )
    down = CliRunner().invoke(app, ["engines"]).stdout
    assert "would use espeak of edge → espeak (not edge: edge-tts" in down
    assert "cannot reach speech.platform.bing.com or the proxy" in down

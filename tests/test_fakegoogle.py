"""The fake Google TTS endpoint, exercised through the unmodified gTTS client."""

from __future__ import annotations

import array
import binascii
import http.client
import importlib.util
import io
import math
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from gtts import gTTS, gTTSError

from tests.fakegoogle import (
    TTS_PATH,
    FakeGoogle,
    Fault,
    parse_tts_body,
    speech_duration_ms,
    synth_mp3,
)
from tests.fakegoogle.server import CertBackend, ffmpeg_exe, server_ssl_context
from tests.standin.testing import burst, connect_status, fresh, new_threads, standalone

ROOT = Path(__file__).resolve().parent.parent
HELLO = "مرحبا بالعالم"  # 13 characters


# ---------------------------------------------------------------- helpers


def decode_pcm(mp3: bytes) -> array.array[int]:
    """Decode MP3 bytes to 24 kHz mono s16 samples with ffmpeg (raises if undecodable)."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", "pipe:0",
         "-f", "s16le", "-ac", "1", "-ar", "24000", "pipe:1"],
        input=mp3, capture_output=True, check=True,
    )  # fmt: skip
    samples = array.array("h")
    samples.frombytes(proc.stdout)
    return samples


def duration_s(mp3: bytes) -> float:
    """Decoded duration of MP3 bytes."""
    return len(decode_pcm(mp3)) / 24000


def speak(text: str, **kwargs: object) -> bytes:
    """What gTTS writes for ``text`` (Arabic unless told otherwise)."""
    options: dict[str, object] = {"lang": "ar", **kwargs}
    buf = io.BytesIO()
    gTTS(text, **options).write_to_fp(buf)
    return buf.getvalue()


def extract_audio(body: str) -> bytes:
    """Mirror of gTTS's own answer parsing, for direct (non-gTTS) requests."""
    for line in body.splitlines():
        if "jQ1olc" in line:
            match = re.search(r'jQ1olc","\[\\"(.*)\\"]', line)
            assert match, line
            return binascii.a2b_base64(match.group(1))
    raise AssertionError("no jQ1olc line")


def route_through(monkeypatch: pytest.MonkeyPatch, fake: FakeGoogle) -> None:
    """Point gTTS (via urllib's getproxies) at ``fake`` and at nothing else."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)


def direct_session() -> requests.Session:
    """A session that ignores proxy variables, for plain-HTTP requests."""
    session = requests.Session()
    session.trust_env = False
    return session


# ---------------------------------------------------------------- fixtures


@pytest.fixture()
def fake(server: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> FakeGoogle:
    """The shared server, reset, with gTTS routed to it."""
    fresh(server)
    route_through(monkeypatch, server)
    return server


# ---------------------------------------------------------------- audio


def test_synth_is_deterministic_real_audio() -> None:
    first, again, other = synth_mp3(HELLO), synth_mp3(HELLO), synth_mp3(HELLO + ".")
    assert first == again  # two separate ffmpeg runs
    assert first != other
    info = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", "pipe:0", "-f", "null", "-"],
        input=first, capture_output=True, check=True,
    ).stderr.decode()  # fmt: skip
    assert re.search(r"Audio: mp3.*24000 Hz, mono.*32 kb/s", info), info
    assert first[:2] == b"\xff\xf3"  # MPEG-2 Layer III frame sync, no ID3 tag

    samples = decode_pcm(first)
    expected = speech_duration_ms(HELLO) / 1000
    # LAME pads with encoder delay and whole 24 ms frames, never trims.
    assert expected <= len(samples) / 24000 <= expected + 0.2
    # Audible all along: every 100 ms window is well above silence.
    window = 2400
    body = samples[window : len(samples) - window]  # skip the encoder ramp
    for start in range(0, len(body) - window, window):
        chunk = body[start : start + window]
        rms = math.sqrt(sum(s * s for s in chunk) / len(chunk)) / 32768
        assert 20 * math.log10(rms) > -40


def test_duration_rule() -> None:
    assert speech_duration_ms("") == speech_duration_ms("ab") == 300
    assert speech_duration_ms("x" * 100) == 7000
    assert speech_duration_ms("x" * 100, slow=True) > speech_duration_ms("x" * 100)


# ---------------------------------------------------------------- through gTTS


def test_gtts_gets_real_deterministic_mp3(fake: FakeGoogle) -> None:
    first = speak(HELLO)
    second = speak(HELLO)
    assert first == second == fake.audio(HELLO, "ar", False)
    expected = speech_duration_ms(HELLO) / 1000
    assert expected <= duration_s(first) <= expected + 0.2
    assert fake.request_count == 2
    assert fake.connect_count == 2  # gTTS opens a new session per piece
    assert fake.text_counts == {HELLO: 2}  # \uXXXX escapes decoded
    assert fake.requests_log == [(HELLO, "ar", False, "ok")] * 2


def test_long_text_is_one_request_per_piece(fake: FakeGoogle) -> None:
    sentence = "هذه جملة عربية طويلة نسبيا تستخدم لاختبار تقسيم النص إلى أجزاء. "
    text = sentence * 4
    pieces = len(gTTS(text, lang="ar").get_bodies())  # prepares, sends nothing
    assert pieces > 1
    audio = speak(text)
    assert fake.request_count == pieces
    assert sum(fake.text_counts.values()) == pieces
    expected = sum(speech_duration_ms(t) for t in fake.text_counts.elements()) / 1000
    assert expected <= duration_s(audio) <= expected + 0.2 * pieces


def test_slow_speed_is_seen_and_longer(fake: FakeGoogle) -> None:
    slow = speak(HELLO, slow=True)
    normal = speak(HELLO)
    assert [r.slow for r in fake.requests_log] == [True, False]
    assert duration_s(slow) > duration_s(normal)


def test_gtts_cli_subprocess(fake: FakeGoogle, tmp_path: Path) -> None:
    cli = shutil.which("gtts-cli")
    if cli is None:
        pytest.skip("gtts-cli not on PATH")
    out = tmp_path / "f.mp3"
    subprocess.run(
        [cli, "-l", "ar", "نص", "--output", str(out)],
        env=fake.subprocess_env(), check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert out.read_bytes() == fake.audio("نص", "ar", False)
    assert fake.text_counts == {"نص": 1}
    assert duration_s(out.read_bytes()) >= 0.3


def test_concurrent_connections(fake: FakeGoogle) -> None:
    texts = [f"جملة رقم {i}" for i in range(8)]
    seen = burst(fake, speak, texts)  # every request is held once counted: all 8 at once
    assert seen.all_in_flight
    assert not seen.errors
    assert fake.peak_in_flight == 8
    assert all(seen.answers[t] == fake.audio(t, "ar", False) for t in texts)
    assert fake.wait_idle(timeout=20)


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize("status", [403, 429, 500, 503])
def test_http_error_faults(fake: FakeGoogle, status: int) -> None:
    fake.faults.set(status)
    with pytest.raises(gTTSError) as info:
        speak(HELLO)
    assert info.value.rsp is not None
    assert info.value.rsp.status_code == status
    if status in (429, 503):
        assert info.value.rsp.headers["Retry-After"] == "1"
    assert speak(HELLO)  # times=1: the next request is answered
    assert [r.outcome for r in fake.requests_log] == [str(status), "ok"]


def test_empty200_yields_no_bytes(fake: FakeGoogle) -> None:
    fake.faults.set(Fault.EMPTY_200)
    assert speak(HELLO) == b""


def test_noaudio_is_gtts_error_on_200(fake: FakeGoogle) -> None:
    fake.faults.set("noaudio")
    with pytest.raises(gTTSError) as info:
        speak(HELLO)
    assert info.value.rsp is not None and info.value.rsp.status_code == 200


def test_garbage_raises_in_client(fake: FakeGoogle) -> None:
    fake.faults.set("garbage")
    with pytest.raises(binascii.Error):
        speak(HELLO)


def test_notmp3_bytes_do_not_decode(fake: FakeGoogle) -> None:
    fake.faults.set("notmp3")
    data = speak(HELLO)
    assert data
    with pytest.raises(subprocess.CalledProcessError):
        decode_pcm(data)


def test_truncated_is_a_prefix(fake: FakeGoogle) -> None:
    full = fake.audio(HELLO, "ar", False)
    fake.faults.set("truncated")
    cut = speak(HELLO)
    assert len(cut) == int(len(full) * 0.3)
    assert full.startswith(cut)


def test_reset_fails_to_connect(fake: FakeGoogle) -> None:
    fake.faults.set("reset")
    with pytest.raises(gTTSError) as info:
        speak(HELLO)
    assert info.value.rsp is None
    assert fake.requests_log[-1].outcome == "reset"
    assert speak(HELLO)  # the server survives


def test_slow_answers_correctly(fake: FakeGoogle) -> None:
    fake.faults.slow_ms = 50
    fake.faults.set("slow")
    assert speak(HELLO) == fake.audio(HELLO, "ar", False)
    assert fake.requests_log[-1].outcome == "slow"


def test_latency_still_answers(fake: FakeGoogle) -> None:
    fake.latency_ms = 20
    assert speak(HELLO) == fake.audio(HELLO, "ar", False)


def test_schedule_queue_and_text_rules(fake: FakeGoogle) -> None:
    fake.faults.set(500, times=2)
    fake.faults.queue("503")
    fake.faults.set_for_text("خطأ", "403", times=None)
    outcomes = []
    for text in ["أ", "ب", "فيه خطأ", "ج", "د", "خطأ آخر"]:
        try:
            speak(text)
            outcomes.append("ok")
        except gTTSError as exc:
            assert exc.rsp is not None
            outcomes.append(str(exc.rsp.status_code))
    # Text rules win over the schedule; the schedule drains in order.
    assert outcomes == ["500", "500", "403", "503", "ok", "403"]
    assert fake.faults.pending() == 0
    fake.faults.clear()
    assert speak("فيه خطأ")
    with pytest.raises(ValueError):
        fake.faults.set("teapot")
    with pytest.raises(ValueError):
        fake.faults.set("500", times=0)


def test_probability_is_reproducible_with_seed(fake: FakeGoogle) -> None:
    def run() -> list[str]:
        fake.faults.set_probability(0.5, kinds=["429", "500"], seed=1234)
        seen = []
        for i in range(10):
            try:
                speak(f"نص {i}")
                seen.append("ok")
            except gTTSError as exc:
                assert exc.rsp is not None
                seen.append(str(exc.rsp.status_code))
        return seen

    first = run()
    second = run()
    assert first == second
    assert {"ok", "429", "500"} <= set(first)
    assert [r.outcome for r in fake.requests_log] == first + second


def test_timeout_hang_and_clean_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    before = set(threading.enumerate())  # the module-scoped server's threads
    fake = FakeGoogle().start()
    route_through(monkeypatch, fake)
    fake.faults.set("timeout")
    with pytest.raises(gTTSError) as info:
        speak(HELLO, timeout=1)
    assert info.value.rsp is None
    assert fake.requests_log[-1].outcome == "timeout"
    # An idle keep-alive connection is open too; stop() must end both it and
    # the 30 s hang instead of waiting them out.
    session = direct_session()
    assert session.get(fake.proxy_url + "/").status_code == 404
    port = fake.port
    fake.stop()
    session.close()
    assert new_threads(before) == []
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).connect()


# ---------------------------------------------------------------- direct HTTP


def test_direct_http_post(fake: FakeGoogle) -> None:
    body = gTTS(HELLO, lang="ar").get_bodies()[0]
    with direct_session() as session:
        answer = session.post(fake.tts_url, data=body, headers=gTTS.GOOGLE_TTS_HEADERS)
        assert answer.status_code == 200
        assert answer.text.startswith(")]}'")
        assert extract_audio(answer.text) == fake.audio(HELLO, "ar", False)
        assert session.post(fake.proxy_url + "/elsewhere", data=body).status_code == 404
        assert session.post(fake.tts_url, data=b"f.req=nonsense").status_code == 400
    assert fake.connect_count == 0
    assert [r.outcome for r in fake.requests_log] == ["ok", "bad_request"]


def test_parse_tts_body_roundtrip() -> None:
    body = gTTS("نص: بطيء", lang="ar", slow=True).get_bodies()[0]
    assert isinstance(body, str)
    assert "\\u" in body or "%5Cu" in body  # non-ASCII arrives escaped
    assert parse_tts_body(body.encode()) == ("نص: بطيء", "ar", True)


def test_connect_to_other_hosts_is_refused(fake: FakeGoogle) -> None:
    assert connect_status(fake, "example.com:443") == 403
    assert fake.connect_count == 0


# ---------------------------------------------------------------- TLS, standalone


@pytest.mark.parametrize("backend", ["cryptography", "openssl"])
def test_cert_backends(backend: CertBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend == "cryptography" and importlib.util.find_spec("cryptography") is None:
        pytest.skip("cryptography not installed")
    if backend == "openssl" and shutil.which("openssl") is None:
        pytest.skip("openssl not on PATH")
    _ctx, used = server_ssl_context(backend)
    assert used == backend
    with FakeGoogle(cert_backend=backend) as fake:
        route_through(monkeypatch, fake)
        assert speak(HELLO) == fake.audio(HELLO, "ar", False)


def test_standalone_module(tmp_path: Path) -> None:
    with standalone(
        "tests.fakegoogle", "--port", "0", "--latency-ms", "5", "--fault", "503:1"
    ) as run:
        line = run.line()
        match = re.fullmatch(r"PORT (\d+)\n", line)
        assert match, line
        url = f"http://127.0.0.1:{match.group(1)}{TTS_PATH}"
        body = gTTS(HELLO, lang="ar").get_bodies()[0]
        with direct_session() as session:
            assert session.post(url, data=body, timeout=30).status_code == 503
            answer = session.post(url, data=body, timeout=30)
        assert answer.status_code == 200
        assert extract_audio(answer.text) == synth_mp3(HELLO)
    assert run.returncode == 0, run.stderr
    assert "served 2 TTS requests" in run.stderr

"""The Edge read-aloud stand-in, exercised through the unmodified edge-tts client."""

from __future__ import annotations

import array
import asyncio
import math
import re
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.voices
import pytest
from edge_tts.exceptions import NoAudioReceived, UnexpectedResponse

from tests.fakeedge import FakeEdge, Speech, synth_speech, trusted, word_ms, words_of
from tests.fakeedge.audio import (
    BYTES_PER_SECOND,
    FRAME_BYTES,
    SAMPLE_RATE,
    TICKS_PER_SECOND,
    ffmpeg_exe,
)
from tests.standin.testing import burst, connect_status, fresh, new_threads, standalone

ROOT = Path(__file__).resolve().parent.parent
VOICE = "ar-SA-HamedNeural"
HELLO = "مرحبا بالعالم، كيف حالك؟ هذا اختبار."
Chunk = dict[str, Any]


# ---------------------------------------------------------------- helpers


def decode_pcm(mp3: bytes) -> array.array[int]:
    """24 kHz mono s16 samples of MP3 bytes (raises if undecodable)."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-f", "mp3", "-i", "pipe:0",
         "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"],
        input=mp3, capture_output=True, check=True,
    )  # fmt: skip
    samples = array.array("h")
    samples.frombytes(proc.stdout)
    return samples


def dbfs(samples: array.array[int], start_s: float, end_s: float) -> float:
    """RMS level of a stretch of samples."""
    chunk = samples[int(start_s * SAMPLE_RATE) : int(end_s * SAMPLE_RATE)]
    rms = math.sqrt(sum(s * s for s in chunk) / max(1, len(chunk))) / 32768
    return 20 * math.log10(rms) if rms else -120.0


async def _collect(comm: edge_tts.Communicate) -> tuple[bytes, list[Chunk]]:
    audio = bytearray()
    events: list[Chunk] = []
    async for chunk in comm.stream():
        if chunk["type"] == "audio":
            audio += chunk["data"]
        else:
            events.append(dict(chunk))
    return bytes(audio), events


def speak(
    fake: FakeEdge,
    text: str,
    voice: str = VOICE,
    *,
    boundary: Literal["WordBoundary", "SentenceBoundary"] = "WordBoundary",
    limit_s: float | None = None,
    **kwargs: Any,
) -> tuple[bytes, list[Chunk]]:
    """What edge-tts streams for ``text`` through ``fake``: audio bytes and boundary events."""
    comm = edge_tts.Communicate(
        text,
        voice,
        boundary=boundary,
        proxy=fake.proxy_url,
        **kwargs,
    )

    async def run() -> tuple[bytes, list[Chunk]]:
        return await asyncio.wait_for(_collect(comm), limit_s)

    return asyncio.run(run())


def expected_events(speech: Speech) -> list[Chunk]:
    return [
        {"type": "WordBoundary", "offset": w.offset, "duration": w.duration, "text": w.text}
        for w in speech.words
    ]


# ---------------------------------------------------------------- fixtures


@pytest.fixture()
def fake(edge_server: FakeEdge) -> Iterator[FakeEdge]:
    """The shared stand-in, reset, with edge-tts trusting it."""
    fresh(edge_server)
    with trusted(edge_server):
        yield edge_server


# ---------------------------------------------------------------- audio


def test_audio_is_deterministic_mp3_in_edges_format() -> None:
    first, again, other = (
        synth_speech(HELLO, VOICE),
        synth_speech(HELLO, VOICE),
        synth_speech(HELLO + " نعم", VOICE),
    )
    assert first == again
    assert first.mp3 != other.mp3 and other.duration_s > first.duration_s
    info = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", "pipe:0", "-f", "null", "-"],
        input=first.mp3, capture_output=True, check=True,
    ).stderr.decode()  # fmt: skip
    assert re.search(r"Audio: mp3.*24000 Hz, mono.*48 kb/s", info), info
    assert first.mp3[:2] == b"\xff\xf3"  # MPEG-2 Layer III, no ID3 tag
    assert len(first.mp3) % FRAME_BYTES == 0  # CBR: whole 144-byte frames
    assert len(decode_pcm(first.mp3)) / SAMPLE_RATE == pytest.approx(first.duration_s)


def test_word_boundaries_match_the_sound() -> None:
    speech = synth_speech(HELLO, VOICE)
    assert [w.text for w in speech.words] == ["مرحبا", "بالعالم", "كيف", "حالك", "هذا", "اختبار"]
    samples = decode_pcm(speech.mp3)
    for word, after in zip(speech.words, [*speech.words[1:], None], strict=True):
        start, end = word.offset / TICKS_PER_SECOND, word.end / TICKS_PER_SECOND
        assert word.duration / TICKS_PER_SECOND * 1000 == pytest.approx(word_ms(word.text), abs=0.1)
        margin = 0.2 * (end - start)
        assert dbfs(samples, start + margin, end - margin) > -25  # speech inside the word
        if after is not None:  # silence between words
            gap = after.offset / TICKS_PER_SECOND - end
            assert gap > 0.05
            assert dbfs(samples, end + 0.2 * gap, end + 0.8 * gap) < -50
    assert dbfs(samples, 0, speech.words[0].offset / TICKS_PER_SECOND - 0.01) < -50
    sentences = [s.text for s in speech.sentences]
    assert sentences == ["مرحبا بالعالم كيف حالك", "هذا اختبار"]


def test_rate_and_pitch_change_the_audio() -> None:
    normal = synth_speech(HELLO, VOICE)
    fast = synth_speech(HELLO, VOICE, rate="+50%")
    high = synth_speech(HELLO, VOICE, pitch="+20Hz")
    assert fast.duration_s < 0.8 * normal.duration_s
    assert high.mp3 != normal.mp3 and high.words == normal.words


def test_words_of_drops_punctuation_only_tokens() -> None:
    assert words_of("«نعم» - قال: (2024)؟") == [("نعم", "»-"), ("قال", ":"), ("2024", ")؟")]


# ---------------------------------------------------------------- through edge-tts


def test_communicate_gets_audio_and_word_boundaries(fake: FakeEdge) -> None:
    audio, events = speak(fake, HELLO)
    speech = fake.speech(HELLO, VOICE)
    assert audio == speech.mp3
    assert events == expected_events(speech)
    assert fake.request_count == fake.connect_count == 1
    assert fake.requests_log == [(HELLO, VOICE, "+0%", "+0Hz", "ok")]


def test_sentence_boundaries_by_default_and_prosody(fake: FakeEdge) -> None:
    comm = edge_tts.Communicate(HELLO, VOICE, rate="+20%", pitch="-5Hz", proxy=fake.proxy_url)
    audio, events = asyncio.run(_collect(comm))
    speech = fake.speech(HELLO, VOICE, "+20%", "-5Hz")
    assert audio == speech.mp3
    assert [(e["type"], e["text"]) for e in events] == [
        ("SentenceBoundary", s.text) for s in speech.sentences
    ]
    assert fake.requests_log[-1][1:4] == (VOICE, "+20%", "-5Hz")


def test_save_sync_writes_the_mp3(fake: FakeEdge, tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    edge_tts.Communicate("نص قصير", VOICE, proxy=fake.proxy_url).save_sync(str(out))
    assert out.read_bytes() == fake.speech("نص قصير", VOICE).mp3


def test_long_text_is_several_turns_with_compensated_offsets(fake: FakeEdge) -> None:
    # edge-tts cuts text at 4096 bytes and shifts later turns by the audio bytes before them.
    text = " ".join(f"كلمة{i % 10}" for i in range(900))
    audio, events = speak(fake, text)
    turns = [r.text for r in fake.requests_log]
    assert len(turns) == 3 == fake.request_count
    speeches = [fake.speech(t, VOICE) for t in turns]
    assert audio == b"".join(s.mp3 for s in speeches)
    expected, before = [], 0
    for speech in speeches:
        shift = before * 8 * TICKS_PER_SECOND // (BYTES_PER_SECOND * 8)
        expected += [w.offset + shift for w in speech.words]
        before += len(speech.mp3)
    assert [e["offset"] for e in events] == expected


def test_voice_list_through_the_stand_in(fake: FakeEdge) -> None:
    voices = asyncio.run(edge_tts.list_voices(proxy=fake.proxy_url))
    names = {v["ShortName"] for v in voices}
    assert {"ar-SA-HamedNeural", "ar-MA-JamalNeural", "ar-EG-SalmaNeural"} <= names
    assert fake.voice_list_count == 1


def test_client_verifies_tls(edge_server: FakeEdge) -> None:
    # Without the stand-in's CA in edge-tts's context, certifi's roots reject it.
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        speak(edge_server, HELLO)


def test_concurrent_turns(fake: FakeEdge) -> None:
    texts = [f"جملة رقم {i}" for i in range(6)]
    seen = burst(fake, lambda text: speak(fake, text)[0], texts)
    assert seen.all_in_flight
    assert not seen.errors
    assert fake.peak_in_flight == 6
    assert all(seen.answers[t] == fake.speech(t, VOICE).mp3 for t in texts)


# ---------------------------------------------------------------- faults


def test_single_403_is_retried_by_the_client_itself(fake: FakeEdge) -> None:
    # edge-tts answers a 403 by correcting its clock from our Date header and retrying once.
    fake.faults.set("403")
    audio, _ = speak(fake, HELLO)
    assert audio == fake.speech(HELLO, VOICE).mp3
    assert [r.outcome for r in fake.requests_log] == ["403", "ok"]


@pytest.mark.parametrize("status", [403, 429, 503])
def test_refused_upgrade(fake: FakeEdge, status: int) -> None:
    fake.faults.set(status, times=2)
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        speak(fake, HELLO)
    assert info.value.status == status
    assert info.value.headers is not None
    if status != 403:
        assert info.value.headers["Retry-After"] == "1"
        assert fake.faults.pending() == 1
    assert "Date" in info.value.headers


def test_reset_once_is_retried_by_aiohttp_twice_fails(fake: FakeEdge) -> None:
    fake.faults.set("reset")
    assert speak(fake, HELLO)[0] == fake.speech(HELLO, VOICE).mp3
    fake.faults.set("reset", times=2)
    with pytest.raises(aiohttp.ClientError):
        speak(fake, HELLO)
    assert [r.outcome for r in fake.requests_log] == ["reset", "ok", "reset", "reset"]


def test_close_mid_stream_returns_a_silent_prefix(fake: FakeEdge) -> None:
    # The dangerous one: edge-tts ends normally with half the audio and half the words.
    fake.faults.set("close")
    audio, events = speak(fake, HELLO)
    speech = fake.speech(HELLO, VOICE)
    assert len(events) == len(speech.words) // 2
    assert 0 < len(audio) < len(speech.mp3) and speech.mp3.startswith(audio)


def test_drop_mid_stream_fails_or_is_short(fake: FakeEdge) -> None:
    fake.faults.set("drop")
    speech = fake.speech(HELLO, VOICE)
    try:
        audio, _ = speak(fake, HELLO)
    except (NoAudioReceived, aiohttp.ClientError):
        return
    assert len(audio) < len(speech.mp3) and speech.mp3.startswith(audio)


def test_truncated_audio_keeps_every_boundary(fake: FakeEdge) -> None:
    fake.faults.set("truncated")
    audio, events = speak(fake, HELLO)
    speech = fake.speech(HELLO, VOICE)
    assert audio == speech.mp3[: len(speech.mp3) // 2]
    assert events == expected_events(speech)
    assert events[-1]["offset"] / TICKS_PER_SECOND > len(audio) / BYTES_PER_SECOND


def test_no_audio_and_unknown_voice(fake: FakeEdge) -> None:
    fake.faults.set("noaudio")
    with pytest.raises(NoAudioReceived):
        speak(fake, HELLO)
    with pytest.raises(NoAudioReceived):
        speak(fake, HELLO, voice="ar-XX-NobodyNeural")
    assert [r.outcome for r in fake.requests_log] == ["noaudio", "unknown_voice"]


def test_garbage_frame(fake: FakeEdge) -> None:
    fake.faults.set("garbage")
    with pytest.raises(UnexpectedResponse):
        speak(fake, HELLO)


def test_slow_answers_correctly(fake: FakeEdge) -> None:
    fake.faults.slow_ms = 50
    fake.faults.set("slow")
    assert speak(fake, HELLO)[0] == fake.speech(HELLO, VOICE).mp3
    assert fake.requests_log[-1].outcome == "slow"


@pytest.mark.parametrize("kind", ["stall", "noturnend"])
def test_hangs_need_a_timeout_of_the_callers_own(fake: FakeEdge, kind: str) -> None:
    # edge-tts's receive_timeout does not reach the WebSocket: a silent socket
    # holds it until the server gives up, so callers bound the whole turn.
    fake.faults.hang_s = 0.3
    fake.faults.set(kind)
    audio, events = speak(fake, HELLO, receive_timeout=1)
    speech = fake.speech(HELLO, VOICE)
    if kind == "stall":
        assert len(events) == 1 and speech.mp3.startswith(audio) and audio != speech.mp3
    else:
        assert audio == speech.mp3  # all there, only turn.end is missing
    fake.faults.hang_s = 30
    fake.faults.set(kind)
    with pytest.raises(TimeoutError):
        speak(fake, HELLO, limit_s=1.0)
    assert [r.outcome for r in fake.requests_log] == [kind, kind]


def test_schedule_text_rules_and_seeded_probability(fake: FakeEdge) -> None:
    fake.faults.set("429")
    fake.faults.queue("noaudio")
    fake.faults.set_for_text("خطأ", "garbage", times=None)
    with pytest.raises(ValueError):
        fake.faults.set_for_text("x", "403")  # decided before any text is known
    outcomes = []
    for text in ["أ", "ب", "فيه خطأ", "ج"]:
        try:
            speak(fake, text)
            outcomes.append("ok")
        except aiohttp.WSServerHandshakeError as exc:
            outcomes.append(str(exc.status))
        except NoAudioReceived:
            outcomes.append("noaudio")
        except UnexpectedResponse:
            outcomes.append("garbage")
    assert outcomes == ["429", "noaudio", "garbage", "ok"]
    fake.faults.clear()

    def run() -> list[str]:
        fake.faults.set_probability(0.5, kinds=["429", "noaudio"], seed=99)
        seen = []
        for i in range(8):
            try:
                speak(fake, f"نص {i}")
                seen.append("ok")
            except aiohttp.WSServerHandshakeError:
                seen.append("429")
            except NoAudioReceived:
                seen.append("noaudio")
        return seen

    first, second = run(), run()
    assert first == second and {"ok", "429", "noaudio"} <= set(first)


# ---------------------------------------------------------------- protocol checks


def test_handshake_is_checked(fake: FakeEdge) -> None:
    from edge_tts.constants import WSS_HEADERS, WSS_URL
    from edge_tts.drm import DRM

    async def connect(url: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(
                    url, proxy=fake.proxy_url, headers=DRM.headers_with_muid(WSS_HEADERS),
                    ssl=fake.client_ssl_context(),
                ):  # fmt: skip
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    base = f"{WSS_URL}&ConnectionId={'a' * 32}&Sec-MS-GEC-Version=2-143.0.3650.75"
    assert asyncio.run(connect(f"{base}&Sec-MS-GEC={'0' * 16}-{'0' * 64}")) == 403
    assert asyncio.run(connect(base.replace("TrustedClientToken=", "TrustedClientToken=X"))) == 400
    good = f"{base}&Sec-MS-GEC={DRM.generate_sec_ms_gec()}"
    assert asyncio.run(connect(good)) == 101
    assert [r.outcome for r in fake.requests_log] == ["bad_token", "bad_request", "bad_request"]


def test_connect_to_other_hosts_is_refused(fake: FakeEdge) -> None:
    assert connect_status(fake, "example.com:443") == 403
    assert fake.connect_count == 0


def test_clean_shutdown_ends_hangs() -> None:
    before = set(threading.enumerate())
    fake = FakeEdge().start()
    fake.faults.set("stall")
    errors: list[BaseException] = []

    def client() -> None:
        with trusted(fake):
            try:
                speak(fake, HELLO, limit_s=20)
            except BaseException as exc:  # the stop ends the turn early
                errors.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    assert fake.wait_in_flight(1)
    fake.close()
    thread.join(20)
    assert not thread.is_alive()
    assert new_threads(before) == []


def test_standalone_module() -> None:
    with standalone("tests.fakeedge", "--port", "0", "--fault", "429:1") as run:
        port = re.fullmatch(r"PORT (\d+)\n", run.line())
        ca = re.fullmatch(r"CA (.+)\n", run.line())
        assert port and ca
        ctx = ssl.create_default_context(cafile=ca.group(1))
        proxy = f"http://127.0.0.1:{port.group(1)}"
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(edge_tts.communicate, "_SSL_CTX", ctx)
            comm = edge_tts.Communicate(HELLO, VOICE, proxy=proxy)
            with pytest.raises(aiohttp.WSServerHandshakeError):
                asyncio.run(_collect(comm))
            audio, _ = asyncio.run(_collect(edge_tts.Communicate(HELLO, VOICE, proxy=proxy)))
        assert audio == synth_speech(HELLO, VOICE).mp3
    assert run.returncode == 0, run.stderr
    assert "served 2 turns" in run.stderr

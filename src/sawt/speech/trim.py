"""Cut the silence engines leave around each clip, so sawt's own pauses set the pace."""

from __future__ import annotations

from dataclasses import replace

from sawt.ffmpeg import pydub
from sawt.speech.engines.base import Clip, WordMark

SILENCE_DBFS = -50.0  # below this a 10 ms window counts as silence
EDGE_KEEP_MS = 30  # keep a little of the fade so words do not start abruptly


def trim_silence(clip: Clip) -> Clip:
    """Cut leading and trailing silence (keeping a few ms) from a clip."""
    audio_segment = pydub()
    from pydub.silence import detect_leading_silence

    seg = audio_segment(data=clip.pcm, sample_width=2, frame_rate=clip.sample_rate, channels=1)
    lead = detect_leading_silence(seg, silence_threshold=SILENCE_DBFS, chunk_size=10)
    trail = detect_leading_silence(seg.reverse(), silence_threshold=SILENCE_DBFS, chunk_size=10)
    if lead >= len(seg):  # all silence: keep nothing rather than a blank gap
        return Clip(b"", clip.sample_rate)
    start = max(0, lead - EDGE_KEEP_MS)
    end = min(len(seg), len(seg) - trail + EDGE_KEEP_MS)
    frames = clip.sample_rate / 1000
    first, last = int(start * frames), int(end * frames)
    trimmed = replace(clip, pcm=clip.pcm[first * 2 : last * 2])
    if clip.words:
        trimmed = replace(trimmed, words=shift_words(clip.words, first / frames, trimmed))
    return trimmed


def shift_words(words: tuple[WordMark, ...], cut_ms: float, clip: Clip) -> tuple[WordMark, ...]:
    """Word marks after ``cut_ms`` were cut from the clip's start, kept within the clip."""
    length = clip.duration_ms

    def inside(ms: float) -> float:
        return min(max(0.0, ms - cut_ms), length)

    return tuple(WordMark(w.text, inside(w.start_ms), inside(w.end_ms)) for w in words)

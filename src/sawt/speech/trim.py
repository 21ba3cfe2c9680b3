"""Cut the silence engines leave around each clip, so sawt's own pauses set the pace."""

from __future__ import annotations

from sawt.ffmpeg import pydub
from sawt.speech.engines.base import Clip

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
    return Clip(clip.pcm[int(start * frames) * 2 : int(end * frames) * 2], clip.sample_rate)

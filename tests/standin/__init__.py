"""What sawt's stand-ins for online services share (tests only).

The stand-ins (:mod:`tests.fakegoogle` for Google Translate's TTS endpoint,
:mod:`tests.fakeedge` for Edge's read-aloud WebSocket) each keep only their
protocol. This package holds the rest:

* :mod:`.server`: serving on 127.0.0.1 from threads (start, stop, CONNECT
  tunnel then TLS), request counting and logging, pause and resume;
* :mod:`.faults`: fault enums' base and the fault plan (schedule, text rules,
  seeded random faults);
* :mod:`.tls`: throw-away certificates (self-signed, or a CA and a leaf);
* :mod:`.ffmpeg`: the ffmpeg that encodes the answers' MP3;
* :mod:`.memo`: the cache of made answers;
* :mod:`.cli`: the ``python -m tests.<stand-in>`` command line;
* :mod:`.testing`: helpers for the tests that use a stand-in.
"""

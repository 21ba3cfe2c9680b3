"""The stand-in's fault kinds and their thread-safe schedule."""

from __future__ import annotations

from tests.standin.faults import FaultKind, FaultPlan


class Fault(FaultKind):
    """Kinds of misbehaviour the stand-in can inject into one WebSocket turn."""

    HTTP_403 = "403"  #: Refuse the upgrade with 403 (edge-tts retries once itself, after a
    #: clock-skew adjustment from our Date header).
    HTTP_429 = "429"  #: Refuse the upgrade with 429 Too Many Requests and ``Retry-After``.
    HTTP_503 = "503"  #: Refuse the upgrade with 503 Service Unavailable and ``Retry-After``.
    RESET = "reset"  #: TCP RST instead of an upgrade answer.
    SLOW = "slow"  #: Correct answer after :attr:`Faults.slow_ms`.
    STALL = "stall"  #: turn.start and the first word's audio, then silence for ``hang_s``.
    NO_TURN_END = "noturnend"  #: Everything but ``turn.end``; the socket stays open ``hang_s``.
    CLOSE = "close"  #: A clean WebSocket close (1011) halfway through the audio.
    DROP = "drop"  #: A TCP RST halfway through the audio.
    NO_AUDIO = "noaudio"  #: turn.start then turn.end, no audio (what an unknown voice gets).
    TRUNCATED = "truncated"  #: Every boundary event, but the audio cut to ``truncate_fraction``.
    GARBAGE = "garbage"  #: A binary frame whose header length overruns the frame.

    @property
    def at_handshake(self) -> bool:
        """Decided before the text is known (the upgrade is refused or dropped)."""
        return self in HANDSHAKE_FAULTS


HANDSHAKE_FAULTS = frozenset({Fault.HTTP_403, Fault.HTTP_429, Fault.HTTP_503, Fault.RESET})

#: Faults an overloaded service or a flaky network produce; the default pool
#: for :meth:`Faults.set_probability`. Hangs and broken streams are opt-in.
TRANSIENT_FAULTS: tuple[Fault, ...] = (Fault.HTTP_429, Fault.HTTP_503, Fault.RESET, Fault.CLOSE)


class Faults(FaultPlan[Fault]):
    """Thread-safe fault schedule of a :class:`~tests.fakeedge.FakeEdge`.

    Each WebSocket turn draws once, at the upgrade, from:

    1. the head of the FIFO schedule (:meth:`set`, :meth:`queue`);
    2. a seeded random draw (:meth:`set_probability`, default pool
       :data:`TRANSIENT_FAULTS`).

    If that gives nothing, the turn draws again once its text is known, from
    the text rules (:meth:`set_for_text`), which therefore only take faults
    that happen after the upgrade. ``times=None`` means "until cleared".
    ``hang_s`` is how long ``stall`` and ``noturnend`` keep the socket silent;
    ``truncate_fraction`` is 0.5 here.
    """

    def __init__(self) -> None:
        super().__init__(Fault, TRANSIENT_FAULTS, truncate_fraction=0.5)

    def _check_text_fault(self, fault: Fault) -> None:
        if fault.at_handshake:
            raise ValueError(f"{fault.value} happens before the text is known; use set()")

    def draw(self) -> Fault | None:
        """The fault of a new turn, decided at its upgrade (consumes it)."""
        return self.draw_scheduled()

"""How the core reports progress without printing: a small callback protocol."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    """Receives progress from the core; the CLI draws it, tests may record it."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage begins (with a count of steps when known)."""

    def advance(self, steps: int = 1) -> None:
        """Steps of the current stage are done."""

    def note(self, message: str) -> None:
        """Something the user should know (a warning, a summary)."""

    def warn(self, message: str) -> None:
        """Something went wrong but the work goes on (e.g. a fallback)."""

    def retried(self, message: str) -> None:
        """A piece is being tried again."""


class NullReporter:
    """Reports nothing."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Ignore."""

    def advance(self, steps: int = 1) -> None:
        """Ignore."""

    def note(self, message: str) -> None:
        """Ignore."""

    def warn(self, message: str) -> None:
        """Ignore."""

    def retried(self, message: str) -> None:
        """Ignore."""

"""One error tree: every failure sawt reports to a user is a SawtError."""

from __future__ import annotations

from pathlib import Path


class SawtError(Exception):
    """A failure with enough context (file, line, piece) to act on."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(SawtError):
    """The article cannot be read: missing, empty, binary, malformed."""


class ConfigError(SawtError):
    """podcast.yaml (or front matter settings) is invalid."""


class EngineError(SawtError):
    """A speech engine is unknown, unusable here, or failed on a piece."""

    exit_code = 1


class AudioError(SawtError):
    """Assembling, measuring or encoding the audio failed."""

    exit_code = 1


class TransientEngineError(EngineError):
    """A failure worth retrying: rate limit, server error, timeout, invalid audio."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EngineUnavailable(EngineError):
    """The engine could not produce the episode (retries exhausted, deadline, refused)."""

"""A thread-safe cache for answers that are slow to make but always the same."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Memo(Generic[Key, Value]):
    """``get(key, make)`` makes each value once and keeps it."""

    def __init__(self) -> None:
        self._values: dict[Key, Value] = {}
        self._lock = threading.Lock()

    def get(self, key: Key, make: Callable[[], Value]) -> Value:
        """The value for ``key``, made by ``make()`` on a miss."""
        with self._lock:
            cached = self._values.get(key)
        if cached is None:
            # Outside the lock: concurrent misses on one key may both run
            # make(), harmless since its output is the same every time.
            cached = make()
            with self._lock:
                cached = self._values.setdefault(key, cached)
        return cached

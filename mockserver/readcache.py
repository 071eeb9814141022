"""A worker's cache of what it read from the shared store, valid for one generation.

Every write to records or sessions bumps the control row's generation in the same
transaction (``Store``), and every request reads that row once (``Control.pin``). Entries
cached under one generation are dropped as soon as a request sees another, so a read never
serves data older than the last write committed before the request began; between writes,
which are rare next to reads, a status lookup costs no query at all.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from typing import TypeVar

from mockserver.store import Session, Store

__all__ = ["ReadCache"]

T = TypeVar("T")
_MISSING = object()


class ReadCache:
    """Sessions and record timelines of one worker, keyed by the control generation.

    ``limit`` bounds the entries kept; past it the cache starts again empty, so memory stays
    flat however many records the store holds.
    """

    def __init__(self, store: Store, *, limit: int = 50_000) -> None:
        self.store = store
        self.limit = limit
        self._generation = -1
        self._entries: dict[tuple[str, str, str], object] = {}
        self._lock = threading.Lock()

    def _get(self, generation: int, key: tuple[str, str, str], load: Callable[[], T]) -> T:
        entries = self._entries
        if generation != self._generation:
            with self._lock:
                if generation != self._generation:
                    self._generation, self._entries = generation, {}
                entries = self._entries
        found = entries.get(key, _MISSING)
        if found is _MISSING:
            found = load()
            if len(entries) >= self.limit:
                entries.clear()
            entries[key] = found
        return found  # type: ignore[return-value]

    def session(
        self, generation: int, api: str, token: str | None, *, now: float
    ) -> Session | None:
        """The live session with that token, or ``None``."""
        if not token:
            return None
        # Cached whatever its expiry; expiry is checked against the clock on every use.
        found = self._get(
            generation,
            ("session", api, token),
            lambda: self.store.session(api, token, now=float("-inf")),
        )
        return found if found is not None and found.expires > now else None

    def body(self, generation: int, api: str, key: str, *, at_ms: int) -> bytes | None:
        """What one record shows at ``at_ms``, or ``None``."""

        def load() -> tuple[list[int], list[bytes]]:
            timeline = self.store.timeline(api, key)
            return [s.at_ms for s in timeline], [s.body for s in timeline]

        times, bodies = self._get(generation, ("record", api, key), load)
        index = bisect.bisect_right(times, at_ms)
        return bodies[index - 1] if index else None

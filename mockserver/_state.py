"""The per-app state every view and middleware reaches: config, store, gate, clock, caches.

:func:`build_app` (``mockserver._app``) makes one :class:`MockState` per app and keeps it in
the app's extensions; the views read it back with :func:`mock_state`. It lives apart from the
app factory so the APIs and the admin API can use it without importing the factory that
mounts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app

from mockserver._http import Gate
from mockserver.config import MockConfig
from mockserver.control import Control
from mockserver.readcache import ReadCache
from mockserver.store import Session, Store

if TYPE_CHECKING:
    from mockserver._middleware import Bookkeeper

__all__ = ["EXTENSION", "MockState", "mock_state"]

#: The key of the app's :class:`MockState` in ``Flask.extensions``.
EXTENSION = "statuskit"


@dataclass
class MockState:
    """The per-app state the views reach through :func:`mock_state`."""

    config: MockConfig
    store: Store
    gate: Gate
    control: Control
    #: The mock's clock (``Clock(control)``); every time-dependent answer reads it.
    clock: Callable[[], float]
    #: This worker's cache of sessions and records, valid per control generation.
    reads: ReadCache
    #: The journal, hints and faults middleware (``mockserver._middleware``).
    bookkeeping: Bookkeeper | None = None
    #: Per-API helpers (error bodies, record builders), keyed by API name.
    apis: dict[str, Any] | None = None
    #: The mounts' seeding functions, run on an empty database.
    seeders: tuple[Callable[[MockState], None], ...] = ()

    def reset(self) -> None:
        """Everything back to the seed: data, sessions, clock, faults and the request
        journal, on every worker."""
        self.store.reset()
        if self.bookkeeping is not None and self.bookkeeping.journal is not None:
            self.bookkeeping.journal.clear()
        for seed in self.seeders:
            seed(self)

    def session(self, api: str, token: str | None) -> Session | None:
        """The live session with that token, read through this worker's cache."""
        generation = self.control.state().generation
        return self.reads.session(generation, api, token, now=self.clock())

    def body(self, api: str, key: str) -> bytes | None:
        """What a record shows now on the mock's clock, read through this worker's cache."""
        generation = self.control.state().generation
        return self.reads.body(generation, api, key, at_ms=self.now_ms())

    def now_ms(self) -> int:
        """The mock clock's time in milliseconds, as records' snapshots are stamped."""
        return int(self.clock() * 1000)

    def api(self, name: str) -> Any:
        assert self.apis is not None
        return self.apis[name]


def mock_state() -> MockState:
    """The state of the app handling the current request."""
    state: MockState = current_app.extensions[EXTENSION]
    return state

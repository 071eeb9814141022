"""The control plane every worker shares: the mock's clock, and the active faults.

Both live in one row of the store. Each worker re-reads that row once per request (one
primary-key read) and parses it only when its generation changed, so a change made through
any worker, by the admin API, applies to the very next request on every worker.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.store import Store

if TYPE_CHECKING:
    from mockserver._control_listener import GenerationListener

__all__ = ["Clock", "Control", "ControlState", "SharedRead"]


@dataclass(frozen=True)
class ControlState:
    """One generation of the control data.

    The clock shows ``frozen_at`` when frozen, else the real time plus ``offset``.
    """

    generation: int = -1
    offset: float = 0.0
    frozen_at: float | None = None
    faults: tuple[dict[str, Any], ...] = ()

    @classmethod
    def parse(cls, generation: int, data: str) -> ControlState:
        raw = json.loads(data)
        clock = raw.get("clock", {})
        return cls(
            generation=generation,
            offset=float(clock.get("offset", 0.0)),
            frozen_at=clock.get("frozen_at"),
            faults=tuple(raw.get("faults", ())),
        )


class SharedRead:
    """One read of the control row shared by the threads of a worker that asked for it
    before it began.

    A request must see every write committed before it arrived, so a read already under way
    when it arrives will not do; the next one will, and every thread that arrived meanwhile
    can share it. Over a network (PostgreSQL) that makes one round trip serve several
    concurrent requests, never a stale one.
    """

    def __init__(self, read: Callable[[], tuple[int, str]]) -> None:
        self._read = read
        self._cond = threading.Condition()
        self._begun = 0  # reads begun so far
        self._running = False
        self._done = 0  # the number of the latest read to finish, and what it gave
        self._result: tuple[int, str] | BaseException = (-1, "{}")

    def __call__(self) -> tuple[int, str]:
        with self._cond:
            need = self._begun + 1  # the first read to begin from now on
            while self._done < need and self._running:
                self._cond.wait()
            if self._done >= need:
                return self._answer(self._result)
            self._running, self._begun = True, self._begun + 1
            mine = self._begun
        result: tuple[int, str] | BaseException
        try:
            result = self._read()
        except Exception as exc:  # the waiting threads get the same answer: unavailable
            result = exc
        with self._cond:
            self._running, self._done, self._result = False, mine, result
            self._cond.notify_all()
        return self._answer(result)

    @staticmethod
    def _answer(result: tuple[int, str] | BaseException) -> tuple[int, str]:
        if isinstance(result, BaseException):
            raise result
        return result


class Control:
    """Reads and changes the shared control data, caching it per generation."""

    def __init__(self, store: Store, *, real_time: Callable[[], float] = time.time) -> None:
        self.store = store
        self.real_time = real_time
        # A read is a round trip on PostgreSQL, worth sharing; on SQLite it is cheaper than
        # the sharing. On PostgreSQL a worker is told of each new generation, and reads the
        # row only when it changed (or while it is not being told).
        self._read = store.control
        self._listener: GenerationListener | None = None
        if store.kind == "postgresql":
            from mockserver._control_listener import GenerationListener

            self._read = SharedRead(store.control)
            self._listener = GenerationListener(store)  # type: ignore[arg-type]
        self._cached = ControlState()
        self._lock = threading.Lock()
        self._pinned = threading.local()

    def state(self) -> ControlState:
        """The current control data (one read; parsed again only after a change)."""
        pinned: ControlState | None = getattr(self._pinned, "state", None)
        if pinned is not None:
            return pinned
        cached = self._cached
        if self._listener is not None and self._listener.generation() == cached.generation:
            return cached
        generation, data = self._read()
        if generation != cached.generation:
            cached = ControlState.parse(generation, data)
            with self._lock:
                self._cached = cached
        return cached

    def update(self, change: Callable[[dict[str, Any]], None]) -> ControlState:
        """Apply ``change`` to the raw control data atomically, for every worker."""

        def apply(data: str) -> str:
            raw = json.loads(data)
            change(raw)
            return json.dumps(raw, sort_keys=True)

        self.store.update_control(apply)
        pinned = getattr(self._pinned, "state", None)
        self._pinned.state = None
        fresh = self.state()
        if pinned is not None:
            self._pinned.state = fresh
        return fresh

    def pin(self) -> ControlState:
        """Read the control data once and serve that copy to this thread until :meth:`unpin`.

        The request middleware pins it for one request, so the faults, the journal and every
        clock reading of that request cost one read together, and agree with each other.
        """
        self._pinned.state = None
        state = self.state()
        self._pinned.state = state
        return state

    def unpin(self) -> None:
        """Go back to reading the control data on every call."""
        self._pinned.state = None


class Clock:
    """The mock's clock: real time unless a test freezes, advances or sets it.

    Lifecycles, session and token expiry and lockouts all read it, so advancing it by an
    hour ages everything by an hour, on every worker.
    """

    def __init__(self, control: Control) -> None:
        self.control = control

    def __call__(self) -> float:
        """Now, in seconds since the epoch, as the mock sees it."""
        state = self.control.state()
        if state.frozen_at is not None:
            return float(state.frozen_at)
        return self.control.real_time() + state.offset

    def describe(self) -> dict[str, Any]:
        """The clock as the admin API shows it."""
        state = self.control.state()
        return {
            "now": self(),
            "frozen": state.frozen_at is not None,
            "offset": state.offset if state.frozen_at is None else None,
        }

    def _set_clock(self, change: Callable[[dict[str, Any], float], None]) -> None:
        def apply(raw: dict[str, Any]) -> None:
            clock = raw.setdefault("clock", {})
            change(clock, self.control.real_time())

        self.control.update(apply)

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock, at ``at`` or now."""
        now = self() if at is None else at
        self._set_clock(lambda c, _real: c.update(frozen_at=now))

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""
        now = self()
        self._set_clock(lambda c, real: c.update(frozen_at=None, offset=now - real))

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative number)."""

        def change(clock: dict[str, Any], _real: float) -> None:
            if clock.get("frozen_at") is not None:
                clock["frozen_at"] += seconds
            else:
                clock["offset"] = clock.get("offset", 0.0) + seconds

        self._set_clock(change)

    def set(self, at: float) -> None:
        """Make the clock show ``at`` now, frozen or running as it was."""

        def change(clock: dict[str, Any], real: float) -> None:
            if clock.get("frozen_at") is not None:
                clock["frozen_at"] = at
            else:
                clock["offset"] = at - real

        self._set_clock(change)

    def reset(self) -> None:
        """Back to real time."""
        self._set_clock(lambda c, _real: c.update(frozen_at=None, offset=0.0))

"""Gunicorn's arbiter, with each replaced worker reported in one line.

The arbiter already replaces a worker that dies; it logs ``Worker (pid:N) was sent
SIGKILL! Perhaps out of memory?`` and the new worker logs its own boot. This arbiter numbers
its workers as granian does (worker 1 to N, a replacement taking the dead one's number) and
reports each death in the kit's one line (``mockserver/_supervision.py``), with the dead and
the new pid; gunicorn's own lines about a worker's exit are filtered out.

A worker the arbiter stops on purpose (shutdown, reload, fewer workers) is not a death.
One that it kills for a timeout is (and leaves at once: ``abort_at_once``). The arbiter
gives up only when a worker cannot boot (gunicorn's exit status 3) or load the app (4);
the line then says the worker was not replaced, and ``statuskit serve`` exits 2.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from gunicorn.arbiter import Arbiter

from mockserver._supervision import exit_reason, not_replaced, replaced, silence

__all__ = ["SupervisedArbiter", "abort_at_once"]

#: Gunicorn's own lines about a worker's exit (``Worker (pid:%s) was sent %s!``, ``...
#: exited with code %s.``); ours replaces them.
_GUNICORN_EXIT_LINES = r"Worker \(pid:%s\) "
#: Signals by which the arbiter asks a worker to stop: what follows is not a death.
_STOPS = frozenset({signal.SIGTERM, signal.SIGQUIT, signal.SIGINT})


def abort_at_once(worker: Any) -> None:
    """The ``worker_abort`` hook: a worker the arbiter aborts (its timeout kill) leaves now.

    Gunicorn would raise ``SystemExit`` in the middle of the request instead, and answer it
    with its own HTML 500 page, which neither API ever sends. Leaving at once, the request
    goes unanswered, as on a worker killed outright; its exit status is gunicorn's (1).
    """
    os._exit(1)


class SupervisedArbiter(Arbiter):
    """The arbiter, numbering its workers and reporting every one it replaces."""

    def __init__(self, app: Any) -> None:
        #: pid → worker number, for the workers alive.
        self._numbers: dict[int, int] = {}
        #: worker number → (dead pid, how it ended), until a new worker takes the number.
        self._vacant: dict[int, tuple[int, str]] = {}
        self._stopping: set[int] = set()
        super().__init__(app)
        silence("gunicorn.error", _GUNICORN_EXIT_LINES)

    def kill_worker(self, pid: int, sig: int) -> None:
        """Signal a worker; a stop signal marks its exit as wanted."""
        if sig in _STOPS:
            self._stopping.add(pid)
        super().kill_worker(pid, sig)
        if pid not in self.WORKERS:  # it was already gone: the arbiter dropped it
            self._ended(pid, None)

    def reap_workers(self) -> None:
        """Reap as gunicorn does, keeping how each worker it reaps ended.

        Gunicorn's loop reaps with ``os.waitpid``, whose status says how the worker ended;
        it is kept as gunicorn reads it. (Peeking first left a window: a worker that ended
        between the peek and the reap was reported as "cause unknown".)
        """
        before = set(self.WORKERS)
        how: dict[int, str] = {}
        real = os.waitpid

        def waitpid(pid: int, options: int) -> tuple[int, int]:
            found, status = real(pid, options)
            if found:
                how[found] = exit_reason(os.waitstatus_to_exitcode(status))
            return found, status

        # The arbiter runs in one thread, and only gunicorn's reap loop calls this meanwhile.
        os.waitpid = waitpid
        try:
            super().reap_workers()
        finally:  # also when the arbiter halts: a worker that could not boot
            os.waitpid = real
            for pid in before - set(self.WORKERS):
                self._ended(pid, how.get(pid))

    def _ended(self, pid: int, how: str | None) -> None:
        number = self._numbers.pop(pid, None)
        if number is None:
            return
        if pid in self._stopping:  # stopped on purpose: its number is simply free
            self._stopping.discard(pid)
            return
        self._vacant[number] = (pid, how or exit_reason(None))

    def spawn_worker(self) -> int:
        """Start a worker in a dead one's place, reported, or under the lowest free number.

        Only the arbiter returns from gunicorn's ``spawn_worker``; the new worker exits
        from inside it.
        """
        pid: int = super().spawn_worker()
        if self._vacant:
            number = min(self._vacant)
            dead_pid, how = self._vacant.pop(number)
            replaced(number, dead_pid, how, pid)
        else:
            taken = set(self._numbers.values())
            number = next(n for n in range(1, len(taken) + 2) if n not in taken)
        self._numbers[pid] = number
        return pid

    def halt(self, reason: str | None = None, exit_status: int = 0) -> None:
        """Report the dead workers left without a replacement, then halt as gunicorn does."""
        for number, (pid, how) in sorted(self._vacant.items()):
            not_replaced(number, pid, how, reason or "the server is stopping")
        self._vacant.clear()
        super().halt(reason, exit_status)

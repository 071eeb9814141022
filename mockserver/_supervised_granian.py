"""Granian with its workers supervised: one that dies is replaced, in one line of log.

Granian replaces a failed worker when asked to (``respawn_failed_workers``), quietly at our
log level, after an error line that says only ``Unexpected exit from worker-1``. This
subclass reports each death in the kit's one line instead (``mockserver/_supervision.py``),
with the dead and the new pid, and turns a server that gave up into a one-line error.

Granian's own crash-loop rule stops the whole server when a worker dies within 5.5 s of
its last (re)start, even one a reload started, or one killed twice in a row by hand or by
the OOM killer. Here it applies only to a worker that dies that quickly
:data:`CRASH_LOOP` times in a row: one that cannot start at all. The line then says the
worker was not replaced, and ``statuskit serve`` exits 2.

The hooks are granian's own methods and attributes (``_respawn_workers``, ``shutdown``,
``respawned_wrks``, a worker's ``birth``), the same from granian 2.5 to 2.8; if a later
granian changes them, it still respawns the workers itself, and only the line and the
tolerance are lost.
"""

from __future__ import annotations

import time
from typing import Any

from granian import Granian
from granian.constants import Interfaces
from granian.log import LogLevels

from mockserver._supervision import exit_reason, not_replaced, replaced, silence
from statuskit.errors import StatuskitError

__all__ = ["CRASH_LOOP", "QUICK", "SupervisedGranian", "serve", "serve_wsgi"]

#: Granian's own line about a dead worker; ours replaces it.
_GRANIAN_DEATH_LINE = r"Unexpected exit from worker-\d+$"
#: Seconds: a worker that dies this soon after it started died quickly (granian's window).
QUICK = 5.5
#: Quick deaths in a row that make a crash loop: the server stops rather than respawn.
CRASH_LOOP = 4


# Granian is the class granian picks for this Python build (processes, or threads on a
# free-threaded build); the base is kept for that.
class SupervisedGranian(Granian):  # type: ignore[misc,valid-type]
    """Granian that reports every worker it replaces, and every one it does not."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: worker index → how many times in a row it died within QUICK of its start.
        self._quick_deaths: dict[int, int] = {}

    def _worker(self, idx: int) -> tuple[int | None, int | None]:
        """Worker ``idx``'s pid and exit code (``None`` while it runs)."""
        try:
            inner = self.wrks[idx].inner
        except (AttributeError, IndexError):
            return None, None
        return getattr(inner, "pid", None), getattr(inner, "exitcode", None)

    def _respawn_workers(self, workers: list[int], *args: Any, **kwargs: Any) -> None:
        # Also called for a reload or an expired lifetime: only a worker that had already
        # ended is a death to report.
        now = time.monotonic()
        ended = {idx: self._worker(idx) for idx in workers}
        for idx, (_, code) in ended.items():
            birth = getattr(self.wrks[idx], "birth", None)
            quick = code is not None and birth is not None and now - birth <= QUICK
            self._quick_deaths[idx] = self._quick_deaths.get(idx, 0) + 1 if quick else 0
        super()._respawn_workers(workers, *args, **kwargs)
        respawned: dict[int, float] = getattr(self, "respawned_wrks", {})
        for idx, (pid, code) in ended.items():
            # Granian's rule: a worker respawned here that dies within 5.5 s stops the
            # server. Armed only once this one has died quickly CRASH_LOOP - 1 times.
            if self._quick_deaths[idx] < CRASH_LOOP - 1:
                respawned.pop(idx, None)
            if code is not None:
                replaced(idx + 1, pid, exit_reason(code), self._worker(idx)[0])

    def shutdown(self, exit_code: int = 0) -> None:
        """Report the workers that died and are left dead, then stop as granian does."""
        why = (
            "the server is stopping"
            if getattr(self, "interrupt_signal", False)
            else f"it died within {QUICK} s of its start {CRASH_LOOP} times in a row, which "
            "granian takes for a crash loop; the server stops"
        )
        for idx in getattr(self, "interrupt_children", ()):
            pid, code = self._worker(idx)
            not_replaced(idx + 1, pid, exit_reason(code), why)
        super().shutdown(exit_code)


def serve(target: str, **options: Any) -> None:
    """Run granian on ``target`` with its workers supervised, until it is stopped.

    Raises :class:`StatuskitError` if granian stops on its own with a failure (a crash loop).
    """
    server = SupervisedGranian(target, respawn_failed_workers=True, **options)
    # After the constructor: it (re)configures granian's logging, and keeps our filter.
    silence("_granian", _GRANIAN_DEATH_LINE)
    try:
        server.serve()
    except SystemExit as exc:
        if exc.code:
            raise StatuskitError(
                "granian stopped: its workers could not be kept running "
                "(the line above says which died, and why)"
            ) from None


def serve_wsgi(
    factory: str,
    *,
    host: str,
    port: int,
    workers: int,
    blocking_threads: int,
    kill_timeout: float,
    log_level: str,
) -> None:
    """Serve the WSGI app that ``factory`` (``module:function``) builds in each worker, on
    ``host:port``, supervised (:func:`serve`): ``statuskit serve``'s and the proxy's call.

    ``kill_timeout`` bounds the wait for a worker still starting up, which can miss the stop
    signal; ``log_level`` is granian's own (``warning``, ``error``), access lines off.
    """
    serve(
        factory,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=blocking_threads,
        factory=True,
        workers_kill_timeout=kill_timeout,
        log_level=LogLevels(log_level),
        log_access=False,
    )

"""Serving the proxy on granian, in this process, until SIGINT or SIGTERM.

``statuskit serve`` runs its workers as processes that share a SQLite state; the proxy's
findings, recordings and fault counters live in memory instead, and must still be there
when the process stops to write the report. So granian runs its worker as a thread of this
process (granian's ``MTServer``, which it otherwise keeps for free-threaded builds): the
app built here is the app that serves, and what it gathered is here after :func:`serve`
returns. Granian's Rust runtime does the HTTP work outside the interpreter lock, and a
pool of blocking threads runs the app (``docs/benchmarks.md``).

With its worker a thread, the process has many threads (granian's runtime, the blocking
threads), and the kernel may hand SIGINT or SIGTERM to any of them; granian's main thread,
asleep until told to stop, would then not wake. So the stop signals are blocked in every
thread the server starts, and only the main thread takes them.

Once the server has stopped, the process leaves with :func:`leave`, at once: granian's
runtime threads outlive its server, and one of them calling into an interpreter that is
finalizing aborts the process (a Rust panic), which would lose the exit code.

Granian copies the process environment into every request's WSGI environ, where a
variable named like a request header (``HTTP_PROXY``, ``CONTENT_TYPE``) would pass for one
that the application sent (the "httpoxy" confusion). Those variables are taken out of this
process's environment before serving, so the proxy never forwards one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

from statuskit.errors import StatuskitError

__all__ = ["BLOCKING_THREADS", "leave", "serve", "wait_listening", "without_header_lookalikes"]

#: Python threads running the app: more than ``statuskit serve``'s 4, since each spends
#: most of its time waiting on the upstream (``docs/benchmarks.md``).
BLOCKING_THREADS = 8
#: Seconds granian waits for its worker to finish in-flight requests at shutdown.
WORKERS_KILL_TIMEOUT = 5
#: The signals that stop the proxy.
_STOP = frozenset({signal.SIGINT, signal.SIGTERM})


class _NoInjectedDisconnects(logging.Filter):
    """Drops granian's traceback for a connection a ``reset`` or ``truncate`` fault dropped
    on purpose; any other failure is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        from mockserver._middleware import InjectedDisconnect

        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InjectedDisconnect)


@contextlib.contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Block the stop signals in this thread, and so in every thread it starts."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _header_lookalike(name: str) -> bool:
    return name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH")


@contextlib.contextmanager
def without_header_lookalikes() -> Iterator[None]:
    """Take the variables granian would take for request headers out of the environment
    for the block, and put them back after."""
    removed = {k: os.environ.pop(k) for k in [k for k in os.environ if _header_lookalike(k)]}
    try:
        yield
    finally:
        os.environ.update(removed)


def wait_listening(host: str, port: int, then: Callable[[], None], timeout: float = 60) -> None:
    """Call ``then`` once ``host:port`` accepts connections (nothing is sent: a request
    would be forwarded to the upstream)."""
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((target.strip("[]"), port), timeout=1):
                pass
        except OSError:
            time.sleep(0.02)
            continue
        then()
        return


def serve(app: Callable[..., Any], host: str, port: int, *, announce: Callable[[], None]) -> None:
    """Serve ``app`` on ``host:port`` until SIGINT or SIGTERM; ``announce`` once listening.

    Raises :class:`StatuskitError` if granian stops on its own with a failure.
    """
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import MTServer

    class _InProcess(MTServer):
        def _check_gil(self) -> None:
            # Granian's guard against a free-threaded build run with the GIL on; this
            # build has the GIL, and its worker threads hand Python work to the blocking
            # threads under it, as its worker processes do.
            return

        def startup(self, *args: Any, **kwargs: Any) -> None:
            with _stop_signals_blocked():
                super().startup(*args, **kwargs)  # type: ignore[no-untyped-call]

        def _respawn_workers(self, *args: Any, **kwargs: Any) -> None:
            with _stop_signals_blocked():
                super()._respawn_workers(*args, **kwargs)

    server = _InProcess(
        "statuskit.proxy",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=BLOCKING_THREADS,
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
        log_level=LogLevels.error,
        log_access=False,
    )
    # On the handlers: granian's runtime logs through child loggers (``_granian.*``), whose
    # records a filter on ``_granian`` itself would not see.
    for handler in logging.getLogger("_granian").handlers:
        handler.addFilter(_NoInjectedDisconnects())
    watcher = threading.Thread(target=wait_listening, args=(host, port, announce), daemon=True)
    with without_header_lookalikes():
        with _stop_signals_blocked():
            watcher.start()
        try:
            server.serve(target_loader=lambda: app, wrap_loader=False)
        except SystemExit as exc:
            if exc.code:
                raise StatuskitError(
                    "granian stopped: its worker could not be kept running"
                ) from None


def leave(code: int) -> NoReturn:
    """End the process with ``code`` now, its output flushed, without the interpreter's
    finalization (see the module's docstring): call it once the report is written."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)

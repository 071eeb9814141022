"""Each worker learns the control row's generation from PostgreSQL, instead of asking per request.

Every write to the shared state moves the control row's generation on (``mockserver.store``),
and a trigger on that row sends ``NOTIFY statuskit_control`` with the new generation when the
write commits. A thread of each worker process ``LISTEN``\\ s, keeps the latest generation
where the worker's requests read it (no round trip), and acknowledges it by stamping its row
in ``control_workers``. The write, in turn, does not return before every live worker has
acknowledged it (:func:`await_workers`), so the answer that follows a write reaches the
client only once every worker of every instance knows of it: read-your-writes, across
instances, with no read per request. Writes are rare next to reads; they pay the wait.

A worker whose listening connection is down says it knows nothing (``None``), and its
requests read the control row themselves, as on SQLite, until it is back. A worker that
died stops stamping; a write waits for it at most :data:`WAIT` and, once its row is older
than :data:`LIVE`, not at all.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
import weakref
from typing import Any, Protocol

import psycopg

from mockserver._store_types import StoreUnavailable

__all__ = ["CHANNEL", "LIVE", "WAIT", "GenerationListener", "await_workers", "worker_name"]

log = logging.getLogger("statuskit.mock")

CHANNEL = "statuskit_control"
#: A worker whose row is older than this (seconds) is taken for dead, and not waited for.
LIVE = 3.0
#: The longest a write waits for the workers' acknowledgements.
WAIT = 2.0
#: Seconds between a listening worker's stamps when nothing changes.
_BEAT = 0.5
#: A listener that has not looked for this long (seconds) is not believed.
_STALE = 4 * _BEAT

_STAMP = """
INSERT INTO control_workers VALUES (%s, %s, clock_timestamp())
ON CONFLICT (worker) DO UPDATE SET generation = excluded.generation, seen = excluded.seen
"""
_LAGGING = """
SELECT count(*) FROM control_workers, control
WHERE control.id = 1 AND control_workers.generation < control.generation
  AND control_workers.seen > clock_timestamp() - make_interval(secs => %s)
"""


def worker_name() -> str:
    """A name for one worker's listening thread, unique across hosts, processes and apps
    (two apps in one process, or pids reused on two hosts, are two)."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


class ListenedStore(Protocol):
    """What the listener needs of the PostgreSQL store."""

    def dedicated(self) -> psycopg.Connection[Any]: ...


class GenerationListener:
    """The latest control generation this worker process has been told of, or ``None``."""

    def __init__(self, store: ListenedStore) -> None:
        self.store = store
        self._known: int | None = None
        self._heard = 0.0  # when the thread last looked (monotonic)
        self._pid = -1
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def generation(self) -> int | None:
        """What the last notification said, or ``None`` while not listening (the caller
        then reads the row itself)."""
        if self._pid != os.getpid():
            self._start()
            return None
        if self._stopped.is_set() or time.monotonic() - self._heard > _STALE:
            return None  # the thread has not looked for a while: it is not to be trusted
        return self._known

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # After a fork the thread is the parent's: this process starts its own.
            self._pid, self._known = os.getpid(), None
            self._stopped = threading.Event()
            name = worker_name()
            thread = threading.Thread(
                target=_listen, args=(weakref.ref(self), name, self._stopped), daemon=True
            )
            thread.name = "statuskit-control"
            thread.start()

    def close(self) -> None:
        """Stop listening (the thread ends within a beat)."""
        self._stopped.set()
        self._known = None


def _connect(listener: GenerationListener, name: str) -> tuple[psycopg.Connection[Any], int]:
    conn = listener.store.dedicated()
    conn.execute(f"LISTEN {CHANNEL}")
    # Read after listening: a write committed from now on is notified, one before is read.
    (generation,) = conn.execute("SELECT generation FROM control WHERE id = 1").fetchone() or (0,)
    return conn, int(generation)


def _listen(ref: weakref.ref[GenerationListener], name: str, stopped: threading.Event) -> None:
    conn: psycopg.Connection[Any] | None = None
    generation = -1
    while not stopped.is_set():
        listener = ref()
        if listener is None:
            break
        try:
            if conn is None:
                conn, generation = _connect(listener, name)
            else:  # a notification, or a beat when none came
                for note in conn.notifies(timeout=_BEAT, stop_after=1):
                    generation = max(generation, int(note.payload))
            # Known to the worker's requests first, then acknowledged to the writer.
            listener._known, listener._heard = generation, time.monotonic()
            conn.execute(_STAMP, (name, generation))
        except (StoreUnavailable, psycopg.Error, ValueError):
            log.debug("statuskit control: not listening; requests read the row", exc_info=True)
            listener._known = None
            if conn is not None:
                conn.close()
            conn = None
            stopped.wait(0.5)
        del listener
    if conn is not None:
        conn.close()


def await_workers(conn: psycopg.Connection[Any]) -> None:
    """Wait until every live worker knows of the current generation (at most :data:`WAIT`)."""
    deadline = time.monotonic() + WAIT
    while True:
        (lagging,) = conn.execute(_LAGGING, (LIVE,)).fetchone() or (0,)
        if not lagging or time.monotonic() > deadline:
            return
        time.sleep(0.001)

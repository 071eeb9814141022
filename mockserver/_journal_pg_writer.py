"""Writing the PostgreSQL journal off the request's path, and reading it with no entry missed.

A request only queues its entry in memory. A thread of each worker process writes what is
queued every few milliseconds, in one statement, on a connection of its own that also
``LISTEN``\\ s. A read (through any instance) first asks every worker to write what it has
queued: it notes the database's time, sends one ``NOTIFY``, and waits until every live
worker has answered by stamping its row in ``journal_workers`` with a later time. Every
request answered before the read began is then in the table, across every host, and a
request pays no round trip of its own for being journaled.

A worker is live while its thread stamps its row every second; a worker that died is waited
for at most :data:`SYNC_TIMEOUT`, then no longer. A worker killed outright loses what it had
queued and not yet written: at most the last :data:`FLUSH_INTERVAL` of its entries (never a
write it acknowledged, which the store commits before the answer leaves).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import psycopg

from mockserver._control_listener import worker_name
from mockserver._journal_entry import Queued, opened
from mockserver.store import StoreUnavailable

__all__ = ["FLUSH_INTERVAL", "SYNC_TIMEOUT", "WORKERS_DDL", "PgWriter", "sync"]

log = logging.getLogger("statuskit.mock")

#: Seconds between a worker's writes of its queued entries.
FLUSH_INTERVAL = 0.01
#: How long a read waits for the workers' answers before reading what is there.
SYNC_TIMEOUT = 2.0
#: A worker whose row is older than this (seconds) is taken for dead, and not waited for:
#: long enough for one cut off by a database restart to come back with what it queued.
_LIVE = 10.0
_BEAT = 1.0
#: Entries kept queued while the database is away; older ones are dropped first.
_BACKLOG = 50_000
_CHANNEL = "statuskit_journal"

WORKERS_DDL = """
CREATE TABLE IF NOT EXISTS journal_workers (
    worker TEXT PRIMARY KEY,
    seen TIMESTAMPTZ NOT NULL,
    flushed TIMESTAMPTZ NOT NULL
);
"""
_COPY = "COPY journal (real, at, path, worker, entry) FROM STDIN"
_STAMP = """
INSERT INTO journal_workers VALUES (%s, clock_timestamp(), clock_timestamp())
ON CONFLICT (worker) DO UPDATE SET seen = excluded.seen, flushed = excluded.flushed
"""
_ASK = "SELECT clock_timestamp(), pg_notify(%s, '')"
_WAITING = """
SELECT count(*) FROM journal_workers
WHERE seen > clock_timestamp() - make_interval(secs => %s) AND flushed < %s
"""


class PgStore(Protocol):
    """What the writer needs of the PostgreSQL store."""

    def dedicated(self) -> psycopg.Connection[Any]: ...


class PgWriter:
    """One worker process's queue of entries, and the thread that writes them."""

    def __init__(self, store: PgStore, *, prepare: Callable[[], None]) -> None:
        self.store = store
        #: Makes the journal's tables if they are not there yet (the store was down at start).
        self.prepare = prepare
        self._queue: deque[Queued] = deque(maxlen=_BACKLOG)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.worker = worker_name()
        _WRITERS.add(self)

    def append(self, queued: Queued) -> None:
        """Queue one entry: no lock and no round trip on the request's path."""
        if self._thread is None:
            self._start()
        self._queue.append(queued)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            # The row exists before the first entry is queued, so a read that starts after
            # this request waits for this worker's write.
            try:
                self.prepare()
                with self.store.dedicated() as conn:
                    conn.execute(_STAMP, (self.worker,))
            except (StoreUnavailable, psycopg.Error):
                log.debug("statuskit journal: the store is down; entries wait", exc_info=True)
            self._thread = threading.Thread(
                target=_run, args=(weakref.ref(self), self._stopped), daemon=True
            )
            self._thread.name = "statuskit-journal"
            self._thread.start()

    def write(self, conn: psycopg.Connection[Any]) -> None:
        """Write everything queued, in one ``COPY``."""
        rows = []
        while self._queue:
            rows.append(self._queue.popleft())
        if not rows:
            return
        try:
            pid = os.getpid()
            with conn.cursor() as cursor, cursor.copy(_COPY) as copy:
                for queued in rows:
                    # The entry's text is made here, off the request's path.
                    copy.write_row((queued[3], queued[2], queued[1], pid, opened(queued)))
        except BaseException:
            self._queue.extendleft(reversed(rows))  # tried again once the store is back
            raise

    def close(self) -> None:
        """Stop the thread after one last write."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _forget_thread(self) -> None:
        # After a fork the thread is the parent's: the child starts its own, as itself.
        self._thread, self._lock = None, threading.Lock()
        self._stopped = threading.Event()
        self._queue.clear()
        self.worker = worker_name()


_WRITERS: weakref.WeakSet[PgWriter] = weakref.WeakSet()


def _after_fork() -> None:
    for writer in list(_WRITERS):
        writer._forget_thread()


os.register_at_fork(after_in_child=_after_fork)


def _listening(writer: PgWriter) -> psycopg.Connection[Any]:
    writer.prepare()
    conn = writer.store.dedicated()
    # An entry is worth less than the latency of waiting for the WAL to reach the disk.
    conn.execute("SET synchronous_commit = off")
    conn.execute(f"LISTEN {_CHANNEL}")
    return conn


def _run(ref: weakref.ref[PgWriter], stopped: threading.Event) -> None:
    # Holds the writer only while writing, so a dropped app's writer can go, and this
    # thread with it.
    conn: psycopg.Connection[Any] | None = None
    beat = 0.0
    while True:
        writer = ref()
        if writer is None:
            return
        try:
            if conn is None:
                conn = _listening(writer)
                beat = 0.0  # stamped after this write: a read waiting on it goes on
            asked = any(True for _ in conn.notifies(timeout=FLUSH_INTERVAL, stop_after=1))
            writer.write(conn)
            if asked or time.monotonic() - beat > _BEAT:
                conn.execute(_STAMP, (writer.worker,))
                beat = time.monotonic()
        except (StoreUnavailable, psycopg.Error):
            log.debug("statuskit journal: the store is down; entries wait", exc_info=True)
            if conn is not None:
                conn.close()
            conn = None
            stopped.wait(0.5)
        del writer
        if stopped.is_set():
            break
    if conn is not None:
        conn.close()


def sync(conn: psycopg.Connection[Any]) -> None:
    """Wait until every live worker, on every instance, has written what it had queued
    before now (at most :data:`SYNC_TIMEOUT`)."""
    (began, _), *_ = conn.execute(_ASK, (_CHANNEL,)).fetchall()
    deadline = time.monotonic() + SYNC_TIMEOUT
    while time.monotonic() < deadline:
        (waiting,) = conn.execute(_WAITING, (_LIVE, began)).fetchone() or (0,)
        if not waiting:
            return
        time.sleep(FLUSH_INTERVAL / 5)

"""The journal on PostgreSQL: one table in the state's database, for every instance.

Several ``statuskit serve`` instances on several hosts share one PostgreSQL database; their
journal must be one too, or a consumer verifying what it sent would see only the requests
that one instance happened to serve. Each worker queues its entries and a thread of its own
writes them (``mockserver._journal_pg_writer``); a read first has every live worker, on
every instance, write what it queued, so it sees every request answered before it began.

A read is one query, ordered by (``real``, ``id``). A clear stores its time in the
``journal_cleared`` row, and reads leave out what came before it, as the files do. Entries
past the latest ``limit`` and those before the last clear are deleted now and then, by a
short thread of whichever worker's entries reached the next step, never on a request's path.

While the database is unreachable, entries wait in the worker's queue (the oldest dropped
past a bound) and are written when it is back; a read or a clear raises
:class:`~mockserver.store.StoreUnavailable`, which the admin API answers 503.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import logging
import threading
from contextlib import AbstractContextManager
from typing import Any, Protocol

import psycopg

from mockserver._journal_entry import Queued, closed, is_glob
from mockserver._journal_pg_writer import WORKERS_DDL, PgWriter, sync
from mockserver.store import StoreUnavailable

__all__ = ["DDL", "PgJournal"]

log = logging.getLogger("statuskit.mock")

#: Held (per transaction) while the tables are made, so instances starting together do not
#: race on the catalogue: ``CREATE TABLE IF NOT EXISTS`` alone is not safe concurrently.
_LOCK = 0x736B_6A6E  # "skjn"

DDL = (
    """
CREATE TABLE IF NOT EXISTS journal (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    real DOUBLE PRECISION NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    path TEXT NOT NULL,
    worker INTEGER NOT NULL,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_real ON journal (real, id);
CREATE TABLE IF NOT EXISTS journal_cleared (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    real DOUBLE PRECISION NOT NULL
);
INSERT INTO journal_cleared VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
"""
    + WORKERS_DDL
)

_AFTER_CLEAR = "real >= (SELECT real FROM journal_cleared WHERE id = 1)"
_CLEAR = "UPDATE journal_cleared SET real = GREATEST(real, %s) WHERE id = 1"
# Below the limit-th newest id, a row is past the latest `limit`; before the clear, unread.
_TRIM = """
DELETE FROM journal
WHERE id < (SELECT id FROM journal ORDER BY id DESC OFFSET %s LIMIT 1)
   OR real < (SELECT real FROM journal_cleared WHERE id = 1)
"""
#: Fewest inserts by one process between two trims.
_MIN_STEP = 256
_LIKE_SPECIAL = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_", "*": "%", "?": "_"})


class PgStore(Protocol):
    """What the journal needs of the PostgreSQL store: a pooled connection (in a transaction
    or not) and one of its own, whose errors are :class:`~mockserver.store.StoreUnavailable`."""

    def connection(
        self, *, transaction: bool = True
    ) -> AbstractContextManager[psycopg.Connection[Any]]: ...

    def dedicated(self) -> psycopg.Connection[Any]: ...


class PgJournal:
    """The journal table in ``store``'s database, keeping at least the latest ``limit``."""

    def __init__(self, store: PgStore, limit: int) -> None:
        self.store = store
        self.limit = limit
        self._ready = False
        self._step = max(_MIN_STEP, limit // 8)
        self._since_trim = 0
        self._trimmer: threading.Thread | None = None
        self._writer = PgWriter(store, prepare=self._make_tables)
        # Made on start, like the store's tables; if the store is down now, on first use.
        with contextlib.suppress(StoreUnavailable):
            self._make_tables()

    def _make_tables(self) -> None:
        if self._ready:
            return
        with self.store.connection() as conn:
            self._tables(conn)
        self._ready = True

    def _tables(self, conn: psycopg.Connection[Any]) -> None:
        if not self._ready:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            conn.execute(DDL)

    # -- recording ---------------------------------------------------------------------

    def append(self, queued: Queued) -> None:
        """Queue one entry; this worker's thread writes it within a few milliseconds."""
        self._writer.append(queued)
        self._since_trim += 1
        if self._since_trim >= self._step:
            self._since_trim = 0
            self._trim_soon()

    def flush(self) -> None:
        """Wait until every live worker, on every instance, has written its queue."""
        with self.store.connection(transaction=False) as conn:
            sync(conn)

    def close(self) -> None:
        """Stop this worker's writing thread after a last write."""
        self._writer.close()

    # -- retention -----------------------------------------------------------------------

    def _trim_soon(self) -> None:
        if self._trimmer is not None and self._trimmer.is_alive():
            return
        self._trimmer = threading.Thread(
            target=self.trim, name="statuskit-journal-trim", daemon=True
        )
        self._trimmer.start()

    def trim(self) -> None:
        """Delete entries past the latest ``limit``, and those before the last clear."""
        try:
            with self.store.connection() as conn:
                self._tables(conn)
                conn.execute(_TRIM, (self.limit - 1,))
        except Exception:
            # A trim is housekeeping, retried at the next step; it must not kill its thread
            # loudly (an outage, or an interpreter shutting down under it).
            log.debug("statuskit journal: trim failed", exc_info=True)

    # -- clearing and reading --------------------------------------------------------

    def clear(self, now: float) -> None:
        """Leave out of every instance's reads what came before ``now``."""
        with self.store.connection() as conn:
            self._tables(conn)
            conn.execute(_CLEAR, (now,))
        self._ready = True
        self._trim_soon()

    def read(
        self,
        *,
        path: str | None,
        since: float | None,
        until: float | None,
        real_since: float | None,
        limit: int | None,
    ) -> list[dict[str, Any]]:
        """Every instance's entries that pass the filters, oldest first, in one query."""
        if limit is not None and limit <= 0:
            return []
        where = [_AFTER_CLEAR]
        params: list[Any] = []
        if real_since is not None:
            # A poller's cursor: a range of journal_by_real (real, id), as the clear's is.
            where.append("real >= %s")
            params.append(real_since)
        if since is not None:
            where.append("at >= %s")
            params.append(since)
        if until is not None:
            where.append("at <= %s")
            params.append(until)
        # A glob with a [set] has no LIKE form: it is matched here, after the query.
        matched_here = path is not None and "[" in path
        if path is not None and not matched_here:
            if is_glob(path):
                where.append("path LIKE %s")
                params.append(path.translate(_LIKE_SPECIAL))
            else:
                where.append("starts_with(path, %s)")
                params.append(path)
        query = f"SELECT id, worker, entry FROM journal WHERE {' AND '.join(where)}"
        newest_first = limit is not None and not matched_here
        if newest_first:
            query += " ORDER BY real DESC, id DESC LIMIT %s"
            params.append(limit)
        else:
            query += " ORDER BY real, id"
        self._make_tables()
        with self.store.connection(transaction=False) as conn:
            # The other workers' queues first: every request answered before now is read.
            sync(conn)
            rows = conn.execute(query, params).fetchall()
        if newest_first:
            rows.reverse()
        entries = [json.loads(closed(text, worker, n)) for n, worker, text in rows]
        if path is None or not matched_here:
            return entries
        entries = [e for e in entries if fnmatch.fnmatchcase(e["path"], path)]
        return entries if limit is None else entries[-limit:]

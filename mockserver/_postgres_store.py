"""The PostgreSQL backend of the shared state: several servers, on several hosts, as one.

Each worker process keeps its own connection pool (made on first use, and made again after
a fork, so no two processes ever share a socket). A server that stopped never hangs a
request: connecting gives up after 2 s, waiting for a pooled connection after 2 s, a
statement after 5 s, and keepalives notice a peer that vanished; every such failure is a
:class:`~mockserver.store.StoreUnavailable`, which the mock answers with a 503. Once a
connection is found broken the pool is replaced, so when the server is back the next
request reconnects and succeeds: nothing needs a restart.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from mockserver._control_listener import await_workers
from mockserver._store_base import Store
from mockserver._store_types import RECORD_COLUMNS, Db, StoreUnavailable, redact_url
from mockserver._tables import POSTGRES_LOCK, POSTGRES_RECORD_INDEXES, POSTGRES_SCHEMA
from statuskit.errors import ConfigError

__all__ = ["CONNECT_TIMEOUT", "POOL_TIMEOUT", "STATEMENT_TIMEOUT_MS", "PostgresStore"]

log = logging.getLogger("statuskit.mock")
# The pool warns at every failed reconnection; an outage is reported once per request as
# a 503 (and logged by the mock), so its lines would only repeat that, several a second.
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)

#: Seconds to wait for a new connection, and for a free pooled one.
CONNECT_TIMEOUT = 2
POOL_TIMEOUT = 2.0
#: A statement that runs longer is cancelled (a lock held by a vanished peer, say).
STATEMENT_TIMEOUT_MS = 5000
#: A broken pool is replaced at most this often (seconds), so an outage is not a storm.
_REPLACE_EVERY = 0.5
_LOST = (psycopg.OperationalError, psycopg.InterfaceError)

# Pools a forked child inherited: kept referenced and never closed by the child, since
# closing would end the parent's connections on the sockets they share.
_INHERITED: list[ConnectionPool] = []
_STORES: weakref.WeakSet[PostgresStore] = weakref.WeakSet()


def _after_fork() -> None:
    for store in list(_STORES):
        store._forked()


os.register_at_fork(after_in_child=_after_fork)


@functools.lru_cache(maxsize=512)
def _sql(statement: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s``."""
    return statement.replace("?", "%s")


def _conninfo(url: str) -> str:
    try:
        return make_conninfo(
            url,
            connect_timeout=CONNECT_TIMEOUT,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=2,
            keepalives_count=3,
            tcp_user_timeout=CONNECT_TIMEOUT * 2500,
            options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            application_name="statuskit",
        )
    except psycopg.ProgrammingError:
        raise ConfigError(f"not a PostgreSQL URL: {redact_url(url)}") from None


def _unavailable(exc: BaseException) -> StoreUnavailable:
    # libpq's messages name the host and port, never the password; the URL is left out.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    return StoreUnavailable(f"the PostgreSQL state store is unavailable ({reason})")


class _PgDb:
    """A psycopg connection inside a transaction, taking the shared SQL's placeholders."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any:
        return self.conn.execute(_sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any:
        with self.conn.cursor() as cursor:
            cursor.executemany(_sql(sql), rows)
            return cursor


class PostgresStore(Store):
    """The store in the PostgreSQL database at ``url``, with at most ``pool_size``
    connections per process. The tables are made on first open, once, however many servers
    start together."""

    kind = "postgresql"
    _instr = "strpos"
    _no_limit = None
    _for_update = " FOR UPDATE"
    _record_indexes = POSTGRES_RECORD_INDEXES
    _holds_nul = False

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        super().__init__()
        self._conninfo = _conninfo(url)
        #: The URL fit to show (its password masked).
        self.url = redact_url(url)
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._pool: ConnectionPool | None = None
        self._broken_at = 0.0
        _STORES.add(self)
        self._create_tables()

    def _create_tables(self) -> None:
        # A connection of its own, not the pool's: an unreachable server is reported with
        # libpq's reason (refused, unknown host, wrong password), not a pool timeout.
        try:
            with psycopg.connect(self._conninfo, autocommit=True) as conn, conn.transaction():
                # Several instances may start at once: one makes the tables, the others wait.
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (POSTGRES_LOCK,))
                conn.execute(POSTGRES_SCHEMA)
        except _LOST as exc:
            raise _unavailable(exc) from None

    def __repr__(self) -> str:
        return f"<PostgresStore {self.url}>"

    # -- connections -------------------------------------------------------------------

    def _forked(self) -> None:
        self._lock = threading.Lock()
        if self._pool is not None:
            _INHERITED.append(self._pool)
        self._pool = None

    def _pool_now(self) -> ConnectionPool:
        pool = self._pool
        if pool is None:
            with self._lock:
                pool = self._pool
                if pool is None:
                    pool = self._pool = ConnectionPool(
                        self._conninfo,
                        min_size=1,
                        max_size=self.pool_size,
                        kwargs={"autocommit": True},
                        timeout=POOL_TIMEOUT,
                        name="statuskit-state",
                        open=True,
                    )
        return pool

    def _lost(self, pool: ConnectionPool) -> None:
        """A connection broke: the server restarted or went away. Its pooled siblings are
        as stale, so the pool is replaced (at most every ``_REPLACE_EVERY`` s)."""
        now = time.monotonic()
        with self._lock:
            if self._pool is not pool or now - self._broken_at < _REPLACE_EVERY:
                return
            self._broken_at, self._pool = now, None
        threading.Thread(target=pool.close, kwargs={"timeout": 1}, daemon=True).start()

    @contextmanager
    def connection(self, *, transaction: bool = True) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection inside a transaction (committed at the end of the block), or
        in autocommit; a lost server is :class:`StoreUnavailable`."""
        pool = self._pool_now()
        try:
            with pool.connection() as conn:
                if not transaction:
                    yield conn
                    return
                with conn.transaction():
                    yield conn
        except _LOST as exc:
            if not isinstance(exc, psycopg.errors.QueryCanceled):
                self._lost(pool)
            raise _unavailable(exc) from None

    def dedicated(self) -> psycopg.Connection[Any]:
        """A connection of the caller's own, outside the pool, in autocommit (a thread that
        listens for notifications keeps one); a lost server is :class:`StoreUnavailable`."""
        try:
            return psycopg.connect(self._conninfo, autocommit=True)
        except _LOST as exc:
            raise _unavailable(exc) from None

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        """A write transaction; concurrent writers wait on row locks, they do not fail.
        It returns once every live worker knows of the generation it made (a write that
        made none waits for nothing): what is answered after a write sees it, anywhere."""
        with self.connection() as conn:
            yield _PgDb(conn)
        with self.connection(transaction=False) as conn:
            await_workers(conn)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        for attempt in (1, 2):
            pool = self._pool_now()
            try:
                with pool.connection() as conn:
                    return conn.execute(_sql(sql), params).fetchall()
            except _LOST as exc:
                if not isinstance(exc, psycopg.errors.QueryCanceled):
                    self._lost(pool)  # a pool stuck waiting to reconnect is replaced too
                broken = not isinstance(exc, psycopg.errors.QueryCanceled | PoolTimeout)
                # A read is safe to repeat: a connection that went stale in the pool (the
                # server restarted) costs one more try, on a fresh one, not a 503.
                if attempt == 2 or not broken or isinstance(exc, PoolTimeout):
                    raise _unavailable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- bulk loads and maintenance ----------------------------------------------------

    def _load(self, db: Db, rows: Iterable[Sequence[Any]]) -> None:
        conn = cast(_PgDb, db).conn
        copying = f"COPY records ({RECORD_COLUMNS}) FROM STDIN"
        with conn.cursor() as cursor, cursor.copy(copying) as copy:
            for row in rows:
                copy.write_row(row)

    def _analyze(self) -> None:
        # After a bulk load: the planner's statistics, and the visibility map without which
        # a count must visit every row an index found. Start-up work, so no statement
        # timeout: a million rows take seconds.
        try:
            with self._pool_now().connection() as conn:
                conn.execute("SET statement_timeout = 0")
                try:
                    conn.execute("VACUUM (ANALYZE) records")
                finally:
                    conn.execute("RESET statement_timeout")
        except _LOST as exc:
            raise _unavailable(exc) from None

    def _clear(self, db: Db, tables: Sequence[str]) -> None:
        db.execute(f"TRUNCATE {', '.join(tables)}")

    def close(self) -> None:
        """Close this process's pool."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

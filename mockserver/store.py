"""The mocks' shared state: one SQLite database.

Server workers are processes; they share a database file in WAL mode, so an import created
through one worker is visible through all, and readers never wait for a writer. In-process
apps use a private in-memory database. Bodies are stored as the exact bytes the mock will
send, already checked against their strict schema when they were written, so a read is a
primary-key lookup and nothing more.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

__all__ = ["Record", "Session", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    api TEXT NOT NULL,
    key TEXT NOT NULL,
    body BLOB NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL,
    has_errors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (api, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_name ON records (api, category, name);
CREATE TABLE IF NOT EXISTS sessions (
    api TEXT NOT NULL,
    token TEXT NOT NULL,
    principal TEXT NOT NULL,
    secondary TEXT NOT NULL DEFAULT '',
    expires REAL NOT NULL,
    PRIMARY KEY (api, token)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS login_failures (
    api TEXT NOT NULL,
    principal TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def _casefold(value: str | None) -> str | None:
    """Unicode case folding for SQL: ``casefold(name)``."""
    return None if value is None else str(value).casefold()


@dataclass(frozen=True, slots=True)
class Record:
    """One stored body with the columns the list and search endpoints filter on."""

    api: str
    key: str
    body: bytes
    name: str
    category: str = ""
    state: str = ""
    created_ms: int = 0
    has_errors: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """A login session. ``secondary`` is a second secret bound to it (Tealium's utk)."""

    api: str
    token: str
    principal: str
    secondary: str
    expires: float

    def __repr__(self) -> str:
        return f"Session(api={self.api!r}, principal={self.principal!r}, token='***')"


class Store:
    """Records, sessions, login failures and counters, shared by every worker.

    ``path`` is a database file; ``None`` makes a private in-memory database that lives as
    long as this object.
    """

    def __init__(self, path: str | None = None) -> None:
        if path is None:
            self._uri = f"file:statuskit-{uuid.uuid4().hex}?mode=memory&cache=shared"
        else:
            # '?', '#' and '%' mean something in a URI: a file named 's#1.db' must not open 's'.
            self._uri = f"file:{quote(os.fspath(path))}"
        self.path = path
        self._local = threading.local()
        # Keeps an in-memory database alive, and creates the tables once.
        self._anchor = self._connect()
        if path is not None:
            self._anchor.execute("PRAGMA journal_mode=WAL")
        self._anchor.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA synchronous=NORMAL")
        # SQLite's LIKE and lower() fold ASCII letters only; filters that ignore case use this.
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        return conn

    @property
    def _db(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared across threads.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``BEGIN IMMEDIATE`` so concurrent writers queue, not fail."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection and the anchor."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        self._anchor.close()

    # -- records ---------------------------------------------------------------------

    def put(self, record: Record) -> None:
        """Insert or replace one record."""
        self.put_many([record])

    def put_many(self, records: Iterable[Record]) -> None:
        """Insert or replace records in one transaction."""
        rows = [
            (r.api, r.key, r.body, r.name, r.category, r.state, r.created_ms, int(r.has_errors))
            for r in records
        ]
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def body(self, api: str, key: str) -> bytes | None:
        """The stored body of one record, or ``None``."""
        row = self._db.execute(
            "SELECT body FROM records WHERE api = ? AND key = ?", (api, key)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def keys(self, api: str) -> list[str]:
        """Every key of ``api``'s records, sorted."""
        rows = self._db.execute("SELECT key FROM records WHERE api = ? ORDER BY key", (api,))
        return [key for (key,) in rows]

    def count(self, api: str) -> int:
        """How many records ``api`` has."""
        return int(
            self._db.execute("SELECT count(*) FROM records WHERE api = ?", (api,)).fetchone()[0]
        )

    def query(
        self,
        api: str,
        where: Sequence[tuple[str, Any]] = (),
        *,
        order_by: str = "name",
        ascending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[bytes]]:
        """Records matching every ``(sql condition, parameter)`` pair, and their total count.

        Conditions are written by the API modules over the known columns; values are
        always bound parameters.
        """
        clause = " AND ".join(["api = ?", *(cond for cond, _ in where)])
        params = [api, *(value for _, value in where)]
        if order_by not in {"name", "created_ms", "state", "category", "key"}:
            raise ValueError(f"cannot order by {order_by!r}")
        total = int(
            self._db.execute(f"SELECT count(*) FROM records WHERE {clause}", params).fetchone()[0]
        )
        sql = (
            f"SELECT body FROM records WHERE {clause} "
            f"ORDER BY {order_by} {'ASC' if ascending else 'DESC'}, key LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(sql, [*params, -1 if limit is None else limit, offset])
        return total, [bytes(body) for (body,) in rows]

    # -- sessions ----------------------------------------------------------------------

    def open_session(self, api: str, principal: str, *, ttl: float, now: float) -> Session:
        """Start a session with two fresh random secrets."""
        session = Session(api, secrets.token_hex(16), principal, secrets.token_hex(16), now + ttl)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (api, session.token, principal, session.secondary, session.expires),
            )
        return session

    def session(self, api: str, token: str | None, *, now: float) -> Session | None:
        """The live session with that token, or ``None``."""
        if not token:
            return None
        row = self._db.execute(
            "SELECT principal, secondary, expires FROM sessions WHERE api = ? AND token = ?",
            (api, token),
        ).fetchone()
        if row is None or row[2] <= now:
            return None
        return Session(api, token, row[0], row[1], row[2])

    def close_session(self, api: str, token: str) -> bool:
        """End a session; whether there was one."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM sessions WHERE api = ? AND token = ?", (api, token))
        return cursor.rowcount > 0

    # -- login failures and counters --------------------------------------------------

    def record_failure(self, api: str, principal: str, *, now: float) -> None:
        """Remember a failed login."""
        with self.transaction() as db:
            db.execute("INSERT INTO login_failures VALUES (?, ?, ?)", (api, principal, now))

    def failures_since(self, api: str, principal: str, since: float) -> list[float]:
        """When ``principal``'s failed logins since ``since`` happened, oldest first."""
        rows = self._db.execute(
            "SELECT at FROM login_failures WHERE api = ? AND principal = ? AND at >= ? ORDER BY at",
            (api, principal, since),
        )
        return [at for (at,) in rows]

    def clear_failures(self, api: str, principal: str) -> None:
        """Forget ``principal``'s failed logins (after a successful one)."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM login_failures WHERE api = ? AND principal = ?", (api, principal)
            )

    def next_value(self, name: str, *, start: int) -> int:
        """Atomically increment a named counter, starting from ``start``."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO counters VALUES (?, ?)", (name, start - 1))
            db.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (name,))
            row = db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def raise_counter(self, name: str, value: int) -> None:
        """Make a named counter at least ``value``, so its next value is past it."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO counters VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
                (name, value),
            )

    def claim(self, name: str) -> bool:
        """Set a one-time flag; ``True`` for the one caller that set it first."""
        with self.transaction() as db:
            cursor = db.execute("INSERT OR IGNORE INTO counters VALUES (?, 1)", (f"flag:{name}",))
        return cursor.rowcount > 0

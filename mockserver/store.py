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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mockserver._tables import SCHEMA

__all__ = ["ALWAYS", "Record", "Session", "Snapshot", "Store"]


#: The time of a record's first snapshot: it shows from the beginning of time.
ALWAYS = -(2**62)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a record shows from ``at_ms`` (mock-clock milliseconds) on, until the next one."""

    at_ms: int
    body: bytes
    state: str = ""
    has_errors: bool = False


def _casefold(value: str | None) -> str | None:
    """Unicode case folding for SQL: ``casefold(name)``."""
    return None if value is None else str(value).casefold()


@dataclass(frozen=True, slots=True)
class Record:
    """One stored record: the columns the list and search endpoints filter on, its first
    body (shown from the beginning of time), and the ``later`` snapshots of its lifecycle."""

    api: str
    key: str
    body: bytes
    name: str
    category: str = ""
    state: str = ""
    created_ms: int = 0
    has_errors: bool = False
    later: tuple[Snapshot, ...] = ()

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """Every snapshot, the first one included, in time order."""
        first = Snapshot(ALWAYS, self.body, self.state, self.has_errors)
        return (first, *sorted(self.later, key=lambda s: s.at_ms))


def _bump(db: sqlite3.Connection) -> None:
    # Workers cache reads per control generation (mockserver/readcache.py): every write to
    # records or sessions moves the generation on, in its own transaction.
    db.execute("UPDATE control SET generation = generation + 1 WHERE id = 1")


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
    """Records, sessions, login failures, counters and signing keys, shared by every worker.

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
        self._anchor.executescript(SCHEMA)

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
        """Insert or replace records, with all their snapshots, in one transaction."""
        records = list(records)
        rows = [(r.api, r.key, r.name, r.category, r.created_ms) for r in records]
        snapshots = [
            (r.api, r.key, s.at_ms, s.state, int(s.has_errors), s.body)
            for r in records
            for s in r.snapshots
        ]
        with self.transaction() as db:
            db.executemany(
                "DELETE FROM snapshots WHERE api = ? AND key = ?", [(r.api, r.key) for r in records]
            )
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)", rows)
            # One snapshot per millisecond: of steps that fall in the same one (a zero or very
            # short duration), the last in time order is what the API shows from then on.
            db.executemany("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?, ?)", snapshots)
            _bump(db)

    def replace_from(self, api: str, key: str, snapshot: Snapshot) -> bool:
        """Make ``snapshot`` what the record shows from its time on, dropping any later
        ones; whether the record exists."""
        with self.transaction() as db:
            if (
                db.execute("SELECT 1 FROM records WHERE api = ? AND key = ?", (api, key)).fetchone()
                is None
            ):
                return False
            db.execute(
                "DELETE FROM snapshots WHERE api = ? AND key = ? AND at_ms >= ?",
                (api, key, snapshot.at_ms),
            )
            db.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                (api, key, snapshot.at_ms, snapshot.state, int(snapshot.has_errors), snapshot.body),
            )
            _bump(db)
        return True

    def body(self, api: str, key: str, *, at_ms: int) -> bytes | None:
        """What one record shows at ``at_ms``, or ``None``: one index seek."""
        row = self._db.execute(
            "SELECT body FROM snapshots WHERE api = ? AND key = ? AND at_ms <= ? "
            "ORDER BY at_ms DESC LIMIT 1",
            (api, key, at_ms),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def timeline(self, api: str, key: str) -> list[Snapshot]:
        """Every snapshot of one record, in time order."""
        rows = self._db.execute(
            "SELECT at_ms, body, state, has_errors FROM snapshots WHERE api = ? AND key = ? "
            "ORDER BY at_ms",
            (api, key),
        )
        return [Snapshot(at, bytes(body), state, bool(err)) for at, body, state, err in rows]

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
        at_ms: int,
        order_by: str = "name",
        ascending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[bytes]]:
        """Records as they show at ``at_ms`` that match every ``(sql condition, parameter)``
        pair, and their total count.

        Conditions are written by the API modules over the columns ``key``, ``name``,
        ``category``, ``created_ms``, ``state`` and ``has_errors``; values are always bound
        parameters.
        """
        if order_by not in {"name", "created_ms", "state", "category", "key"}:
            raise ValueError(f"cannot order by {order_by!r}")
        clause = " AND ".join(["1", *(cond for cond, _ in where)])
        params = [at_ms, api, *(value for _, value in where)]
        current = (
            "WITH current AS (SELECT r.key, r.name, r.category, r.created_ms, s.state, "
            "s.has_errors, s.body FROM records r JOIN snapshots s ON s.api = r.api "
            "AND s.key = r.key AND s.at_ms = (SELECT max(at_ms) FROM snapshots x "
            "WHERE x.api = r.api AND x.key = r.key AND x.at_ms <= ?) WHERE r.api = ?) "
        )
        total = int(
            self._db.execute(
                f"{current}SELECT count(*) FROM current WHERE {clause}", params
            ).fetchone()[0]
        )
        sql = (
            f"{current}SELECT body FROM current WHERE {clause} "
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
            _bump(db)
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
            _bump(db)
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

    def secret(self, name: str) -> bytes:
        """A named random key, made once per database, so every worker signs alike."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO secrets VALUES (?, ?)", (name, secrets.token_bytes(32))
            )
            row = db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        return bytes(row[0])

    # -- the control row: rarely-changed settings every worker reads --------------------

    def control(self) -> tuple[int, str]:
        """The control row's generation and JSON data: one primary-key read."""
        row = self._db.execute("SELECT generation, data FROM control WHERE id = 1").fetchone()
        return int(row[0]), str(row[1])

    def update_control(self, change: Callable[[str], str]) -> int:
        """Replace the control data with ``change(old)`` atomically; return the new generation."""
        with self.transaction() as db:
            data = db.execute("SELECT data FROM control WHERE id = 1").fetchone()[0]
            db.execute(
                "UPDATE control SET generation = generation + 1, data = ? WHERE id = 1",
                (change(data),),
            )
            row = db.execute("SELECT generation FROM control WHERE id = 1").fetchone()
        return int(row[0])

    def reset(self) -> None:
        """Forget every record, session, failure, counter and control setting; keep the
        secrets (tokens a server issued stay verifiable by its workers)."""
        with self.transaction() as db:
            for table in ("records", "snapshots", "sessions", "login_failures", "counters"):
                db.execute(f"DELETE FROM {table}")
            db.execute("UPDATE control SET generation = generation + 1, data = '{}'")

    def claim(self, name: str) -> bool:
        """Set a one-time flag; ``True`` for the one caller that set it first."""
        with self.transaction() as db:
            cursor = db.execute("INSERT OR IGNORE INTO counters VALUES (?, 1)", (f"flag:{name}",))
        return cursor.rowcount > 0

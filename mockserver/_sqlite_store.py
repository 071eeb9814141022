"""The SQLite backend of the shared state: the embedded default, which needs nothing installed.

Server workers are processes; they share a database file in WAL mode, so an import created
through one worker is visible through all, and readers never wait for a writer. In-process
apps use a private in-memory database.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from mockserver._filters import Filter, Prefix, render
from mockserver._store_base import Store
from mockserver._tables import SQLITE_RECORD_INDEXES, SQLITE_SCHEMA

__all__ = ["SqliteStore"]

#: Records a date range may hold and still be the narrower side of a prefix query.
_PROBE = 20_000


class SqliteStore(Store):
    """The store in a SQLite file at ``path``; ``None`` makes a private in-memory database
    that lives as long as this object."""

    kind = "sqlite"
    _record_indexes = SQLITE_RECORD_INDEXES

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
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
        self._anchor.executescript(SQLITE_SCHEMA)

    def _plain(self, api: str, where: Sequence[Filter]) -> frozenset[str]:
        """With a name prefix and a date range, the index of the narrower one: SQLite keeps
        no histograms to tell, so the date range is counted, up to a cap. Both indexes hold
        the other column, so the loser is checked in the index, never in the table."""
        named = any(isinstance(f, Prefix) and f.column == "name" and f.text for f in where)
        dated = [f for f in where if f.column == "created_ms"]
        if not (named and dated):
            return frozenset()
        others = [f for f in where if f.column != "name"]
        condition, params = render(others, instr=self._instr)
        probe = f"SELECT count(*) FROM (SELECT 1 FROM records r WHERE r.api = ? AND {condition}"
        (counted,) = self._fetch(f"{probe} LIMIT {_PROBE})", [api, *params])[0]
        return frozenset({"name"} if counted < _PROBE else {"created_ms"})

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA synchronous=NORMAL")
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

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()

    def _load(self, db: Any, rows: Iterable[Sequence[Any]]) -> None:
        db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _analyze(self) -> None:
        self._db.execute("ANALYZE")

    def _clear(self, db: Any, tables: Sequence[str]) -> None:
        for table in tables:
            db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        """Close this thread's connection and the anchor."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        self._anchor.close()

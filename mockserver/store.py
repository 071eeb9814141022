"""The mocks' shared state: records, sessions, counters and the control row.

Two backends keep it behind one API (``mockserver._store_base.Store``). SQLite
(``mockserver._sqlite_store``), the embedded default: server workers share one database file
in WAL mode, and in-process apps use a private in-memory database. PostgreSQL
(``mockserver._postgres_store``): several servers, on several hosts, share one database and
behave as one fake upstream. :func:`open_store` picks the backend from a location.
"""

from __future__ import annotations

from mockserver._sqlite_store import SqliteStore
from mockserver._store_base import Store
from mockserver._store_types import (
    ALWAYS,
    GENERATED_COLUMNS,
    Head,
    Record,
    Session,
    Snapshot,
    StoreUnavailable,
    redact_url,
)

__all__ = [
    "ALWAYS",
    "GENERATED_COLUMNS",
    "Head",
    "Record",
    "Session",
    "Snapshot",
    "Store",
    "StoreUnavailable",
    "open_store",
    "redact_url",
]

_POSTGRES = ("postgresql://", "postgres://")


def open_store(location: str | None, *, pool_size: int = 4) -> Store:
    """The store at ``location``: ``None`` a private in-memory SQLite database; a path or
    ``sqlite:///path`` a SQLite file; ``postgresql://...`` (or ``postgres://``) a PostgreSQL
    database, with at most ``pool_size`` connections per process.

    A PostgreSQL store that cannot be reached raises :class:`StoreUnavailable`.
    """
    if location is not None and location.startswith(_POSTGRES):
        # Imported on demand: a SQLite store never loads psycopg.
        from mockserver._postgres_store import PostgresStore

        return PostgresStore(location, pool_size=pool_size)
    if location is not None and location.startswith("sqlite://"):
        location = location.removeprefix("sqlite://")
    return SqliteStore(location)

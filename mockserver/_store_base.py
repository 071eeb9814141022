"""Every method of the store, written once for both backends.

``mockserver.store`` is the public face (and picks a backend); ``mockserver._store_types``
holds the values, and ``mockserver._store_records`` the records half. Two backends keep the
state behind this one API. SQLite (``mockserver._sqlite_store``), the embedded default:
server workers share one database file in WAL mode, and in-process apps use a private
in-memory database. PostgreSQL (``mockserver._postgres_store``): several servers, on several
hosts, share one database and behave as one fake upstream.

Every method is written in the SQL both engines speak (``?`` placeholders); a backend
supplies connections, transactions, bulk loading and its few dialect words.
"""

from __future__ import annotations

import secrets
from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence

from mockserver._store_records import RecordStore, bump
from mockserver._store_types import Db, Session

__all__ = ["Store"]


class Store(RecordStore):
    """Records, sessions, login failures, counters, fault counters, signing keys and the
    control row, shared by every worker of every server on the same database.

    Make one with :func:`mockserver.store.open_store`. The records half, with their
    lifecycles, lists and counts, is :class:`~mockserver._store_records.RecordStore`.
    """

    @abstractmethod
    def _clear(self, db: Db, tables: Sequence[str]) -> None:
        """Empty ``tables`` in the transaction ``db``."""

    @abstractmethod
    def close(self) -> None:
        """Release this store's connections."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.kind}>"

    # -- sessions ----------------------------------------------------------------------

    def open_session(self, api: str, principal: str, *, ttl: float, now: float) -> Session:
        """Start a session with two fresh random secrets."""
        session = Session(api, secrets.token_hex(16), principal, secrets.token_hex(16), now + ttl)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (api, session.token, principal, session.secondary, session.expires),
            )
            bump(db)
        return session

    def session(self, api: str, token: str | None, *, now: float) -> Session | None:
        """The live session with that token, or ``None``."""
        if not token or self._unheld(token):
            return None
        rows = self._fetch(
            "SELECT principal, secondary, expires FROM sessions WHERE api = ? AND token = ?",
            (api, token),
        )
        if not rows or rows[0][2] <= now:
            return None
        principal, secondary, expires = rows[0]
        return Session(api, token, principal, secondary, expires)

    def close_session(self, api: str, token: str) -> bool:
        """End a session; whether there was one."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM sessions WHERE api = ? AND token = ?", (api, token))
            bump(db)
        return int(cursor.rowcount) > 0

    # -- login failures and counters --------------------------------------------------

    def record_failure(self, api: str, principal: str, *, now: float) -> None:
        """Remember a failed login."""
        with self.transaction() as db:
            db.execute("INSERT INTO login_failures VALUES (?, ?, ?)", (api, principal, now))

    def failures_since(self, api: str, principal: str, since: float) -> list[float]:
        """When ``principal``'s failed logins since ``since`` happened, oldest first."""
        rows = self._fetch(
            "SELECT at FROM login_failures WHERE api = ? AND principal = ? AND at >= ? ORDER BY at",
            (api, principal, since),
        )
        return [float(at) for (at,) in rows]

    def clear_failures(self, api: str, principal: str) -> None:
        """Forget ``principal``'s failed logins (after a successful one)."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM login_failures WHERE api = ? AND principal = ?", (api, principal)
            )

    def next_value(self, name: str, *, start: int) -> int:
        """Atomically increment a named counter, starting from ``start``: unique across
        every worker and server on the database."""
        with self.transaction() as db:
            row = db.execute(
                "INSERT INTO counters VALUES (?, ?) ON CONFLICT (name) "
                "DO UPDATE SET value = counters.value + 1 RETURNING value",
                (name, start),
            ).fetchone()
        return int(row[0])

    def raise_counter(self, name: str, value: int) -> None:
        """Make a named counter at least ``value``, so its next value is past it."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO counters VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = "
                "CASE WHEN excluded.value > counters.value THEN excluded.value "
                "ELSE counters.value END",
                (name, value),
            )

    def claim(self, name: str) -> bool:
        """Set a one-time flag; ``True`` for the one caller that set it first."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO NOTHING",
                (f"flag:{name}",),
            )
        return int(cursor.rowcount) > 0

    def secret(self, name: str) -> bytes:
        """A named random key, made once per database, so every worker signs alike."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO secrets VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, secrets.token_bytes(32)),
            )
            row = db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        return bytes(row[0])

    # -- fault counters ----------------------------------------------------------------

    def count_fault(
        self, fault_id: str, fires: Callable[[int, int], bool]
    ) -> tuple[bool, int, int]:
        """Count one request a fault matched: ``fires(n, fired so far)`` says whether it
        fires on this, the ``n``-th; whether it did, ``n``, and how many times it has fired
        now. Exact across every worker of every server."""
        with self.transaction() as db:
            # The upsert takes the row's lock: a concurrent count waits for this one.
            matched, fired = db.execute(
                "INSERT INTO fault_counters VALUES (?, 1, 0) ON CONFLICT (id) DO UPDATE "
                "SET matched = fault_counters.matched + 1 RETURNING matched, fired",
                (fault_id,),
            ).fetchone()
            hit = fires(int(matched), int(fired))
            if hit:
                db.execute("UPDATE fault_counters SET fired = fired + 1 WHERE id = ?", (fault_id,))
        return hit, int(matched), int(fired) + hit

    def fault_counters(self) -> dict[str, tuple[int, int]]:
        """``{id: (matched, fired)}`` of every fault counted so far."""
        rows = self._fetch("SELECT id, matched, fired FROM fault_counters")
        return {str(i): (int(m), int(f)) for i, m, f in rows}

    def forget_faults(self, fault_ids: Iterable[str]) -> None:
        """Drop the counters of removed faults."""
        with self.transaction() as db:
            db.executemany("DELETE FROM fault_counters WHERE id = ?", [(i,) for i in fault_ids])

    # -- the control row: rarely-changed settings every worker reads --------------------

    def control(self) -> tuple[int, str]:
        """The control row's generation and JSON data: one primary-key read."""
        [(generation, data)] = self._fetch("SELECT generation, data FROM control WHERE id = 1")
        return int(generation), str(data)

    def update_control(self, change: Callable[[str], str]) -> int:
        """Replace the control data with ``change(old)`` atomically; return the new generation."""
        with self.transaction() as db:
            data = db.execute(
                "SELECT data FROM control WHERE id = 1" + self._for_update
            ).fetchone()[0]
            row = db.execute(
                "UPDATE control SET generation = generation + 1, data = ? WHERE id = 1 "
                "RETURNING generation",
                (change(str(data)),),
            ).fetchone()
        return int(row[0])

    def reset(self) -> None:
        """Forget every record, session, failure, counter and control setting; keep the
        secrets (tokens a server issued stay verifiable by its workers)."""
        with self.transaction() as db:
            self._clear(
                db, ("records", "tallies", "snapshots", "sessions", "login_failures", "counters")
            )
            db.execute("UPDATE control SET generation = generation + 1, data = '{}'")

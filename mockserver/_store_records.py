"""The records half of the store: imports and files, their lifecycles, lists and counts,
written once for both backends (``mockserver._store_base`` adds the rest).

Bodies are stored as the exact bytes the mock will send, already checked against their
strict schema when they were written, so a read is an index lookup; a generated record has
no stored body, and is made on read by its API's synthesiser.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from mockserver import _listing
from mockserver._filters import Equals, Filter, operands
from mockserver._store_types import ALWAYS, RECORD_COLUMNS, Db, Head, Record, Snapshot
from mockserver._tables import index_names

__all__ = ["RecordStore", "bump"]


def bump(db: Db) -> None:
    # Workers cache reads per control generation (mockserver/readcache.py): every write to
    # records or sessions moves the generation on, in its own transaction.
    db.execute("UPDATE control SET generation = generation + 1 WHERE id = 1")


def _tally(db: Db, added: Counter[tuple[str, str]]) -> None:
    """Move the per-category record counts on by ``added`` (negative for removals)."""
    db.executemany(
        "INSERT INTO tallies VALUES (?, ?, ?) ON CONFLICT (api, category) "
        "DO UPDATE SET n = tallies.n + excluded.n",
        [(api, category, n) for (api, category), n in added.items() if n],
    )


def _record_row(record: Record) -> tuple[Any, ...]:
    last = record.snapshots[-1]
    return (
        record.api,
        record.key,
        record.name,
        record.name.casefold(),
        record.category,
        record.created_ms,
        last.state,
        int(last.has_errors),
        last.at_ms,
        None,
    )


class RecordStore(ABC):
    """Records and their snapshots, in the tables every worker of every server shares.

    ``synthesizers`` maps an API to the function that makes the body of its generated
    record ``n`` (:meth:`load_generated`).
    """

    #: ``"sqlite"`` or ``"postgresql"``.
    kind: str
    #: The dialect's substring-position function (1-based; 0 when absent).
    _instr = "instr"
    #: What ``LIMIT ?`` takes for "no limit".
    _no_limit: int | None = -1
    #: What locks a row read inside a write transaction.
    _for_update = ""
    #: The ``CREATE INDEX`` statements of ``records`` (``mockserver._tables``).
    _record_indexes: tuple[str, ...] = ()
    #: Whether text may hold U+0000 (PostgreSQL's may not: no stored value has one).
    _holds_nul = True

    def __init__(self) -> None:
        self.synthesizers: dict[str, Callable[[int], bytes]] = {}

    # -- what a backend supplies -------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Db]:
        """A write transaction; concurrent writers queue, they do not fail."""

    @abstractmethod
    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read (``?`` placeholders)."""

    @abstractmethod
    def _load(self, db: Db, rows: Iterable[Sequence[Any]]) -> None:
        """Insert rows of every ``records`` column, in bulk, in the transaction ``db``."""

    @abstractmethod
    def _analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load."""

    # -- records ---------------------------------------------------------------------

    def put(self, record: Record) -> None:
        """Insert or replace one record."""
        self.put_many([record])

    def put_many(self, records: Iterable[Record]) -> None:
        """Insert or replace records, with all their snapshots, in one transaction."""
        latest = {(r.api, r.key): r for r in records}  # the last of one key wins
        # One snapshot per millisecond: of steps that fall in the same one (a zero or very
        # short duration), the last in time order is what the API shows from then on.
        snapshots = {
            (r.api, r.key, s.at_ms): (s.state, int(s.has_errors), s.body)
            for r in latest.values()
            for s in r.snapshots
        }
        keys = list(latest)
        added = Counter((r.api, r.category) for r in latest.values())
        with self.transaction() as db:
            for api, key in keys:
                row = db.execute(
                    "SELECT category FROM records WHERE api = ? AND key = ?", (api, key)
                ).fetchone()
                if row is not None:  # replaced, not added: it was counted once already
                    added[(api, row[0])] -= 1
            _tally(db, added)
            db.executemany("DELETE FROM snapshots WHERE api = ? AND key = ?", keys)
            db.executemany("DELETE FROM records WHERE api = ? AND key = ?", keys)
            db.executemany(
                f"INSERT INTO records ({RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_record_row(r) for r in latest.values()],
            )
            db.executemany(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                [(*where, *rest) for where, rest in snapshots.items()],
            )
            bump(db)

    def load_generated(
        self, api: str, rows: Iterable[Sequence[Any]], *, chunk: int = 50_000
    ) -> int:
        """Add generated records of ``api`` in bulk; how many.

        Each row is ``(key, name, category, created_ms, state, has_errors, gen)``
        (:data:`GENERATED_COLUMNS`); the record shows ``synthesizers[api](gen)`` until a write
        gives it snapshots. Keys must be new. Rows are read in chunks, never all at once.
        """
        tallied: Counter[tuple[str, str]] = Counter()

        def full() -> Iterator[tuple[Any, ...]]:
            for key, name, category, created, state, errors, gen in rows:
                tallied[(api, category)] += 1
                folded = name.casefold()
                yield (api, key, name, folded, category, created, state, int(errors), ALWAYS, gen)

        stream = full()
        batch = list(itertools.islice(stream, chunk))
        # A bulk load (a chunk or more) drops the indexes and makes them again after: a
        # sort at the end is several times faster than updating them row by row.
        rebuild = self._record_indexes if len(batch) >= chunk else ()
        with self.transaction() as db:
            for name in index_names(rebuild):
                db.execute(f"DROP INDEX IF EXISTS {name}")
            while batch:
                self._load(db, batch)
                batch = list(itertools.islice(stream, chunk))
            for index in rebuild:
                db.execute(index)
            _tally(db, tallied)
            bump(db)
        self._analyze()
        return sum(tallied.values())

    def replace_from(self, api: str, key: str, snapshot: Snapshot) -> bool:
        """Make ``snapshot`` what the record shows from its time on, dropping any later
        ones; whether the record exists."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT gen, state, has_errors FROM records WHERE api = ? AND key = ?"
                + self._for_update,
                (api, key),
            ).fetchone()
            if row is None:
                return False
            if row[0] is not None:
                self._materialise(db, api, key, row)
            db.execute(
                "DELETE FROM snapshots WHERE api = ? AND key = ? AND at_ms >= ?",
                (api, key, snapshot.at_ms),
            )
            db.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                (api, key, snapshot.at_ms, snapshot.state, int(snapshot.has_errors), snapshot.body),
            )
            db.execute(
                "UPDATE records SET (state, has_errors, settled_ms) = (SELECT state, has_errors,"
                " at_ms FROM snapshots s WHERE s.api = ? AND s.key = ? ORDER BY at_ms DESC"
                " LIMIT 1) WHERE api = ? AND key = ?",
                (api, key, api, key),
            )
            bump(db)
        return True

    def _materialise(self, db: Db, api: str, key: str, row: Sequence[Any]) -> None:
        """Give a generated record its synthesised body as its first snapshot, so a write
        can add to its lifecycle."""
        gen, state, errors = row
        exists = db.execute(
            "SELECT 1 FROM snapshots WHERE api = ? AND key = ? LIMIT 1", (api, key)
        ).fetchone()
        if exists is None:
            body = self.synthesizers[api](int(gen))
            db.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                (api, key, ALWAYS, state, errors, body),
            )
        db.execute("UPDATE records SET gen = NULL WHERE api = ? AND key = ?", (api, key))

    def body(self, api: str, key: str, *, at_ms: int) -> bytes | None:
        """What one record shows at ``at_ms``, or ``None``: one index seek."""
        if self._unheld(key):
            return None
        rows = self._fetch(
            "SELECT r.gen, (SELECT s.body FROM snapshots s WHERE s.api = r.api AND s.key = r.key"
            " AND s.at_ms <= ? ORDER BY s.at_ms DESC LIMIT 1) FROM records r"
            " WHERE r.api = ? AND r.key = ?",
            (at_ms, api, key),
        )
        if not rows:
            return None
        gen, body = rows[0]
        return self._shown(api, gen, body)

    def _unheld(self, *texts: object) -> bool:
        """Whether a text is one this backend cannot hold, so no stored value equals it,
        contains it or starts with it (a lookup of it finds nothing, and is not sent)."""
        return not self._holds_nul and any(isinstance(t, str) and "\0" in t for t in texts)

    def _shown(self, api: str, gen: int | None, body: bytes | None) -> bytes | None:
        if body is not None:
            return bytes(body)
        return None if gen is None else self.synthesizers[api](int(gen))

    def timeline(self, api: str, key: str) -> list[Snapshot]:
        """Every snapshot of one record, in time order."""
        return self.timelines(api, [key]).get(key, [])

    def timelines(self, api: str, keys: Sequence[str]) -> dict[str, list[Snapshot]]:
        """Every snapshot of each record of ``keys``, in time order, in two reads at most; a
        key with no record is left out. A generated record never written shows its
        synthesised body from always."""
        held = [key for key in dict.fromkeys(keys) if not self._unheld(key)]
        if not held:
            return {}
        marks = ", ".join("?" * len(held))
        rows = self._fetch(
            "SELECT key, at_ms, body, state, has_errors FROM snapshots"
            f" WHERE api = ? AND key IN ({marks}) ORDER BY key, at_ms",
            (api, *held),
        )
        found: dict[str, list[Snapshot]] = {}
        for key, at, body, state, errors in rows:
            found.setdefault(key, []).append(Snapshot(at, bytes(body), state, bool(errors)))
        rest = [key for key in held if key not in found]
        if rest:
            marks = ", ".join("?" * len(rest))
            generated = self._fetch(
                "SELECT key, gen, state, has_errors FROM records"
                f" WHERE api = ? AND gen IS NOT NULL AND key IN ({marks})",
                (api, *rest),
            )
            for key, gen, state, errors in generated:
                body = self.synthesizers[api](int(gen))
                found[key] = [Snapshot(ALWAYS, body, state, bool(errors))]
        return {key: found[key] for key in held if key in found}

    def newest(self, api: str, limit: int) -> list[Head]:
        """``api``'s ``limit`` newest records, never walking them all: first those with a
        step on the mock clock (made or changed by the admin API or a replay), newest
        created first; then the others (seed and generated), newest created first."""
        if limit < 1:
            return []
        timed = [
            Head(key, name, int(created), True)
            for key, name, created in self._fetch(_listing.NEWEST_TIMED, (api, ALWAYS, limit))
        ]
        if len(timed) == limit:
            return timed
        # Fewer than ``limit`` are timed, so these are all of them, and the ``limit`` newest
        # records of any kind hold the ``limit - len(timed)`` newest others.
        shown = {head.key for head in timed}
        others = [
            Head(key, name, int(created), False)
            for key, name, created, settled in self._fetch(_listing.NEWEST, (api, limit))
            if key not in shown and settled <= ALWAYS
        ]
        return [*timed, *others][:limit]

    def keys(self, api: str) -> list[str]:
        """Every key of ``api``'s records, sorted."""
        rows = self._fetch("SELECT key FROM records WHERE api = ? ORDER BY key", (api,))
        return [key for (key,) in rows]

    def count(self, api: str) -> int:
        """How many records ``api`` has."""
        return self._tallied(api, None)

    def _tallied(self, api: str, category: str | None) -> int:
        """How many records ``api`` has (in ``category``): one row read, at any size."""
        if category is None:
            rows = self._fetch("SELECT sum(n) FROM tallies WHERE api = ?", (api,))
        else:
            rows = self._fetch(
                "SELECT n FROM tallies WHERE api = ? AND category = ?", (api, category)
            )
        return int(rows[0][0] or 0) if rows else 0

    def _total(self, api: str, where: Sequence[Filter], at_ms: int) -> int:
        categories = [f.value for f in where if isinstance(f, Equals) and f.column == "category"]
        if len(categories) == len(where) <= 1:
            # No filter but the category (existence never depends on the clock): the tally.
            return self._tallied(api, str(categories[0]) if categories else None)
        plain = self._plain(api, where)
        sql, params = _listing.count_sql(api, where, at_ms, instr=self._instr, plain=plain)
        return int(self._fetch(sql, params)[0][0])

    def _plain(self, api: str, where: Sequence[Filter]) -> frozenset[str]:
        """The columns whose index the planner must not use for ``where`` (none: a planner
        with statistics of its own, as PostgreSQL's, picks well)."""
        return frozenset()

    def query(
        self,
        api: str,
        where: Sequence[Filter] = (),
        *,
        at_ms: int,
        order_by: str = "name",
        ascending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[bytes]]:
        """Records as they show at ``at_ms`` that match every filter, ordered, one page of
        their bodies, and their total count."""
        if order_by not in _listing.ORDERS:
            raise ValueError(f"cannot order by {order_by!r}")
        if self._unheld(*operands(where)):
            return 0, []
        total = self._total(api, where, at_ms)
        if limit == 0 or total <= offset:
            return total, []
        sql, params = _listing.page_sql(
            api,
            where,
            at_ms,
            instr=self._instr,
            order=(order_by, ascending),
            window=(self._no_limit if limit is None else limit, offset),
            plain=self._plain(api, where),
        )
        keys = [key for (key,) in self._fetch(sql, params)]
        if not keys:
            return total, []
        sql, params = _listing.bodies_sql(api, keys, at_ms)
        found = {key: self._shown(api, gen, body) for key, gen, body in self._fetch(sql, params)}
        return total, [body for key in keys if (body := found.get(key)) is not None]

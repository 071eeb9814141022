"""The SQL of lists, counts and searches over records, fast at a million rows.

Existence never depends on the mock clock; only ``state`` and ``has_errors`` do. A record is
*settled* at ``now`` once its last snapshot's time (``settled_ms``) has come: its own row then
holds its current columns, and an index on them answers. The few records still moving through
a lifecycle (or shown before their last step, the clock set back) are *unsettled*: they are
evaluated through their snapshots. Statements use ``?`` placeholders; ``instr`` is the
dialect's substring-position function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver._filters import TIMED, Filter, render

__all__ = ["NEWEST", "NEWEST_TIMED", "ORDERS", "bodies_sql", "count_sql", "page_sql"]

#: The columns a list may be ordered by (ties broken by key).
ORDERS = frozenset({"name", "created_ms", "state", "category", "key"})


#: The newest records with a step on the mock clock (``settled_ms`` past ``ALWAYS``), found
#: through their own index first (they are the few the admin API or a replay wrote), so a
#: million generated records are never walked; parameters (api, ALWAYS, limit).
NEWEST_TIMED = (
    "WITH timed AS MATERIALIZED (SELECT key, name, created_ms FROM records"
    " WHERE api = ? AND settled_ms > ?)"
    " SELECT key, name, created_ms FROM timed ORDER BY created_ms DESC, key DESC LIMIT ?"
)
#: The newest records of any kind: the creation index read backwards; parameters (api, limit).
NEWEST = (
    "SELECT key, name, created_ms, settled_ms FROM records WHERE api = ?"
    " ORDER BY created_ms DESC, key DESC LIMIT ?"
)

#: The unsettled records of an API, found first through their own index (they are few),
#: so no plan ever walks a filter's index to check each row for them; parameters (api, at).
_MOVING = (
    "WITH moving AS MATERIALIZED (SELECT api, key, name, folded, category, created_ms, state,"
    " has_errors FROM records WHERE api = ? AND settled_ms > ?) "
)


def _unsettled(columns: str) -> str:
    """The unsettled records with their snapshot at a time; parameters (at,)."""
    return (
        f"SELECT {columns} FROM moving r JOIN snapshots s ON s.api = r.api AND s.key = r.key"
        " AND s.at_ms = (SELECT max(x.at_ms) FROM snapshots x WHERE x.api = r.api"
        " AND x.key = r.key AND x.at_ms <= ?) WHERE 1 = 1"
    )


def count_sql(
    api: str,
    where: Sequence[Filter],
    at_ms: int,
    *,
    instr: str,
    plain: frozenset[str] = frozenset(),
) -> tuple[str, list[Any]]:
    """How many records match at ``at_ms``: one statement. No index is used for the
    ``plain`` columns (``Store._plain``: SQLite's planner steered to the one that narrows most)."""
    on_row, row_params = render(where, instr=instr, plain=plain)
    if not any(f.column in TIMED for f in where):
        # Nothing that moves with the clock: the row alone answers, from an index.
        return f"SELECT count(*) FROM records r WHERE r.api = ? AND {on_row}", [api, *row_params]
    on_snapshot, snapshot_params = render(where, instr=instr, snapshot="s")
    sql = (
        f"{_MOVING}SELECT (SELECT count(*) FROM records r WHERE r.api = ? AND {on_row})"
        f" - (SELECT count(*) FROM moving r WHERE {on_row})"
        f" + (SELECT count(*) FROM ({_unsettled('r.key')} AND {on_snapshot}) u)"
    )
    params = [api, at_ms, api, *row_params, *row_params, at_ms, *snapshot_params]
    return sql, params


def page_sql(
    api: str,
    where: Sequence[Filter],
    at_ms: int,
    *,
    instr: str,
    order: tuple[str, bool],
    window: tuple[int | None, int],
    plain: frozenset[str] = frozenset(),
) -> tuple[str, list[Any]]:
    """The keys of one page of matching records at ``at_ms``, in order."""
    column, ascending = order
    limit, offset = window
    direction = "ASC" if ascending else "DESC"
    on_row, row_params = render(where, instr=instr, plain=plain)
    on_snapshot, snapshot_params = render(where, instr=instr, snapshot="s")
    timed = "s" if column in TIMED else "r"
    # The settled part is cut to the page's end first, in index order, so only the page's
    # rows (and the few unsettled ones) are sorted together.
    end = None if limit is None or limit < 0 else offset + limit
    settled = (
        f"SELECT r.key AS k, r.{column} AS o FROM records r WHERE r.api = ? AND r.settled_ms <= ?"
        f" AND {on_row} ORDER BY {'+' if column in plain else ''}r.{column} {direction}, r.key"
        + ("" if end is None else " LIMIT ?")
    )
    unsettled = _unsettled(f"r.key AS k, {timed}.{column} AS o") + f" AND {on_snapshot}"
    sql = (
        f"{_MOVING}SELECT k FROM (SELECT * FROM ({settled}) a"
        f" UNION ALL SELECT * FROM ({unsettled}) b) p ORDER BY o {direction}, k LIMIT ? OFFSET ?"
    )
    params = [api, at_ms, api, at_ms, *row_params, *([] if end is None else [end])]
    params += [at_ms, *snapshot_params, limit, offset]
    return sql, params


def bodies_sql(api: str, keys: Sequence[str], at_ms: int) -> tuple[str, list[Any]]:
    """``(key, gen, body at at_ms)`` of the records ``keys``."""
    marks = ", ".join("?" * len(keys))
    sql = (
        "SELECT r.key, r.gen, (SELECT s.body FROM snapshots s WHERE s.api = r.api"
        " AND s.key = r.key AND s.at_ms <= ? ORDER BY s.at_ms DESC LIMIT 1)"
        f" FROM records r WHERE r.api = ? AND r.key IN ({marks})"
    )
    return sql, [at_ms, api, *keys]

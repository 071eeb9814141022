"""``Store.newest`` and ``Store.timelines``, which the lifecycles admin route reads, the same
on both backends: checked against a plain Python evaluation, and their plans against a
table of generated records (an index read, never a walk of every record).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mockserver import _listing
from mockserver.store import ALWAYS, Head, Record, Snapshot, Store, open_store
from tests.postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # the fixtures, for pytest to find

API = "api"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        location: str = request.getfixturevalue("postgres_url")
    else:
        location = str(tmp_path / "state.db")
    made = open_store(location)
    made.synthesizers[API] = lambda n: json.dumps({"generated": n}).encode()
    yield made
    made.close()


def body(key: str, step: int) -> bytes:
    return json.dumps({"key": key, "step": step}).encode()


def records(seed: int, count: int) -> list[Record]:
    """Records with and without later steps, creation times with ties."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        key = f"k{i:02d}"
        times = sorted(rng.sample(range(1, 1000, 10), rng.choice([0, 0, 1, 3])))
        later = tuple(Snapshot(at, body(key, n + 1), "LATER") for n, at in enumerate(times))
        created = rng.randrange(6) * 100
        out.append(Record(API, key, body(key, 0), f"n{i}", created_ms=created, later=later))
    return out


def generated(count: int) -> list[tuple[object, ...]]:
    return [(f"g{n:05d}", f"g{n}", "c", n * 37 % 700, "DONE", 0, n) for n in range(count)]


def expected(made: list[Record], rows: list[tuple[object, ...]], limit: int) -> list[Head]:
    """The newest ``limit``: those with a later step first, each group newest created first
    (ties by key, last first)."""
    heads = [Head(r.key, r.name, r.created_ms, bool(r.later)) for r in made]
    heads += [Head(str(k), str(n), int(str(c)), False) for k, n, _, c, *_ in rows]
    order = sorted(heads, key=lambda h: (h.timed, h.created_ms, h.key), reverse=True)
    return order[:limit]


def test_newest_is_the_made_then_the_others_newest_first(store: Store) -> None:
    made, rows = records(7, 30), generated(40)
    store.put_many(made)
    store.load_generated(API, rows)
    assert sum(bool(r.later) for r in made) >= 5, "the seed makes some timed records"
    for limit in (1, 3, 10, 25, 70, 100):
        assert store.newest(API, limit) == expected(made, rows, limit), limit
    assert store.newest("other", 5) == []
    # A state set on an untouched record gives it a step on the clock: it joins the first.
    untouched = next(r for r in made if not r.later)
    step = Snapshot(5000, body(untouched.key, 9), "SET")
    store.replace_from(API, untouched.key, step)
    moved = [replace(r, later=(step,)) if r is untouched else r for r in made]
    assert store.newest(API, 70) == expected(moved, rows, 70)


def test_timelines_are_each_keys_timeline_in_one_call(store: Store) -> None:
    made, rows = records(3, 12), generated(5)
    store.put_many(made)
    store.load_generated(API, rows)
    keys = [r.key for r in made] + [str(row[0]) for row in rows] + ["missing"]
    found = store.timelines(API, keys)
    assert list(found) == keys[:-1]  # in the order asked, without the missing key
    for record in made:
        assert found[record.key] == list(record.snapshots)
        assert found[record.key] == store.timeline(API, record.key)
    for key, *_, n in rows:
        assert found[str(key)] == [Snapshot(ALWAYS, json.dumps({"generated": n}).encode(), "DONE")]
    assert store.timelines(API, []) == {}
    assert store.timeline(API, "missing") == []


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    if store.kind == "sqlite":
        return "\n".join(str(row[-1]) for row in store._fetch(f"EXPLAIN QUERY PLAN {sql}", params))
    return "\n".join(str(row[0]) for row in store._fetch(f"EXPLAIN {sql}", params))


def test_newest_reads_indexes_never_every_record(store: Store) -> None:
    # Enough generated records that reading them all costs the planner more than an index.
    store.load_generated(API, generated(50_000))
    store.put_many(records(5, 20))
    for sql, params in [
        (_listing.NEWEST_TIMED, (API, ALWAYS, 20)),
        (_listing.NEWEST, (API, 20)),
    ]:
        plan = _plan(store, sql, params)
        assert "records_by_" in plan, plan
        assert "SCAN records" not in plan, plan  # SQLite's walk of a whole table
        assert "Seq Scan" not in plan, plan  # PostgreSQL's

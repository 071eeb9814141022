"""The store's behaviours, the same on both backends: SQLite and PostgreSQL.

Every test takes ``store`` (or ``two_stores``, two objects on one database, as two workers
or two servers have), once per backend. Lists and counts are checked against a plain Python
evaluation of the same records, lifecycles and filters.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver._filters import AtLeast, Below, Contains, Equals, Filter, Prefix, successor
from mockserver.control import Control
from mockserver.readcache import ReadCache
from mockserver.store import ALWAYS, Record, Snapshot, Store, open_store
from tests.postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # the fixtures, for pytest to find

BACKENDS = ["sqlite", "postgresql"]
NAMES = ["Straße", "STRASSE", "alpha", "Alphabet", "Ab\U0010ffffc", "Abc", "İstanbul", "zeta", ""]
STATES = ["WAITING", "RUNNING", "DONE", "FAILED"]


def _location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return str(tmp_path / "state.db")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made = open_store(_location(request, tmp_path))
    yield made
    made.close()


@pytest.fixture(params=BACKENDS)
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    where = _location(request, tmp_path)
    one, two = open_store(where), open_store(where)
    yield one, two
    one.close()
    two.close()


def body(key: str, step: int) -> bytes:
    return json.dumps({"key": key, "step": step}).encode()


def synthesised(n: int) -> bytes:
    return json.dumps({"generated": n}).encode()


def random_records(seed: int, count: int) -> list[Record]:
    """Records with names that fold, lifecycles that end at several times, and ties."""
    rng = random.Random(seed)
    records = []
    for i in range(count):
        key = f"k{i:03d}"
        later = tuple(
            Snapshot(at, body(key, step + 1), rng.choice(STATES), rng.random() < 0.3)
            for step, at in enumerate(sorted(rng.sample(range(0, 1000, 10), rng.randrange(4))))
        )
        records.append(
            Record(
                "api",
                key,
                body(key, 0),
                rng.choice(NAMES) + str(rng.randrange(3)),
                category=rng.choice(["a", "b"]),
                state=rng.choice(STATES),
                created_ms=rng.randrange(5) * 100,
                has_errors=rng.random() < 0.5,
                later=later,
            )
        )
    return records


def generated_rows(start: int, count: int) -> list[tuple[Any, ...]]:
    rng = random.Random(start)
    return [
        (f"g{n:03d}", rng.choice(NAMES), "a", n * 7 % 500, rng.choice(STATES), n % 2 == 0, n)
        for n in range(start, start + count)
    ]


def shown(records: list[Record], rows: list[tuple[Any, ...]], at_ms: int) -> list[dict[str, Any]]:
    """Every record as it shows at ``at_ms``, evaluated in Python."""
    out = []
    for r in records:
        current = [s for s in r.snapshots if s.at_ms <= at_ms][-1]
        out.append(
            {
                "key": r.key,
                "name": r.name,
                "category": r.category,
                "created_ms": r.created_ms,
                "state": current.state,
                "has_errors": current.has_errors,
                "body": current.body,
            }
        )
    for key, name, category, created, state, errors, gen in rows:
        out.append(
            {
                "key": key,
                "name": name,
                "category": category,
                "created_ms": created,
                "state": state,
                "has_errors": errors,
                "body": synthesised(gen),
            }
        )
    return out


def keeps(f: Filter, row: dict[str, Any]) -> bool:
    value = row[f.column]
    if isinstance(f, Equals):
        return bool(value == f.value)
    if isinstance(f, Contains):
        return f.text.casefold() in value.casefold()
    if isinstance(f, Prefix):
        return bool(value.startswith(f.text))
    if isinstance(f, AtLeast):
        return bool(value >= f.value)
    return bool(value < f.value)


def expected(
    rows: list[dict[str, Any]], where: list[Filter], order: str, ascending: bool
) -> list[dict[str, Any]]:
    kept = sorted((r for r in rows if all(keeps(f, r) for f in where)), key=lambda r: r["key"])
    return sorted(kept, key=lambda r: r[order], reverse=not ascending)  # stable: keys ascend


FILTERS: list[list[Filter]] = [
    [],
    [Equals("category", "b")],
    [Contains("name", "straße")],
    [Contains("name", "ALPHA"), Equals("category", "a")],
    [Prefix("name", "Ab")],
    [Prefix("name", "")],
    [AtLeast("created_ms", 100), Below("created_ms", 300)],
    [Equals("state", "DONE")],
    [Equals("has_errors", True), Prefix("name", "S")],
    [Equals("state", "WAITING"), Equals("category", "a"), AtLeast("created_ms", 200)],
]


def test_queries_match_a_plain_evaluation_at_every_time(store: Store) -> None:
    records = random_records(14, 60)
    rows = generated_rows(500, 30)
    store.put_many(records)
    store.synthesizers["api"] = synthesised
    assert store.load_generated("api", iter(rows), chunk=7) == len(rows)
    assert store.count("api") == 90
    for at_ms in (ALWAYS, -1, 0, 245, 600, 10_000):
        now = shown(records, rows, at_ms)
        for where in FILTERS:
            for order, ascending in (("name", True), ("created_ms", False), ("state", True)):
                want = expected(now, where, order, ascending)
                total, bodies = store.query(
                    "api", where, at_ms=at_ms, order_by=order, ascending=ascending
                )
                assert (total, bodies) == (len(want), [r["body"] for r in want]), (at_ms, where)
                for limit, offset in ((5, 0), (4, 7), (100, 3)):
                    page = store.query(
                        "api",
                        where,
                        at_ms=at_ms,
                        order_by=order,
                        ascending=ascending,
                        limit=limit,
                        offset=offset,
                    )
                    assert page == (total, bodies[offset : offset + limit])
            assert store.query("api", where, at_ms=at_ms, limit=0)[0] == len(
                expected(now, where, "key", True)
            )


def test_counts_stay_exact_through_replacements_moves_and_resets(store: Store) -> None:
    # Counts by category are kept as tallies, not counted: every write must keep them right.
    def counted() -> tuple[int, int, int]:
        a, b = ([Equals("category", c)] for c in "ab")
        return (
            store.count("api"),
            store.query("api", a, at_ms=0, limit=0)[0],
            store.query("api", b, at_ms=0, limit=0)[0],
        )

    store.put_many([Record("api", f"k{i}", b"1", "n", category="a") for i in range(5)])
    store.put_many([Record("api", "k0", b"2", "n", category="a")])  # replaced, same category
    store.put_many([Record("api", "k1", b"2", "n", category="b")])  # moved to another
    store.put_many([Record("api", "k9", b"1", "n", category="b")] * 2)  # one key twice
    store.put(Record("other", "k0", b"1", "n", category="a"))  # another API's
    assert counted() == (6, 4, 2)
    store.synthesizers["api"] = synthesised
    store.load_generated("api", iter(generated_rows(0, 9)))
    assert counted() == (15, 13, 2)
    store.reset()
    assert counted() == (0, 0, 0)


def test_a_record_shows_each_snapshot_from_its_time(store: Store) -> None:
    later = (Snapshot(100, b"2", "RUNNING"), Snapshot(200, b"3", "DONE", True))
    store.put(Record("api", "1", b"1", "one", state="WAITING", later=later))
    assert [store.body("api", "1", at_ms=at) for at in (-5, 100, 199, 10**12)] == [
        b"1",
        b"2",
        b"2",
        b"3",
    ]
    assert store.body("api", "2", at_ms=0) is None
    assert store.timeline("api", "1") == [
        Snapshot(ALWAYS, b"1", "WAITING"),
        *later,
    ]
    assert store.replace_from("api", "1", Snapshot(150, b"X", "CANCELED"))
    assert store.timeline("api", "1")[-1] == Snapshot(150, b"X", "CANCELED")
    assert len(store.timeline("api", "1")) == 3
    assert store.query("api", [Equals("state", "CANCELED")], at_ms=160) == (1, [b"X"])
    assert store.query("api", [Equals("state", "CANCELED")], at_ms=140) == (0, [])
    assert not store.replace_from("api", "nope", Snapshot(0, b"X"))
    assert store.keys("api") == ["1"]


def test_a_generated_record_is_synthesised_until_written(store: Store) -> None:
    store.synthesizers["api"] = synthesised
    store.load_generated("api", [("g1", "gen", "c", 5, "DONE", False, 41)])
    assert store.body("api", "g1", at_ms=0) == synthesised(41)
    assert store.timeline("api", "g1") == [Snapshot(ALWAYS, synthesised(41), "DONE")]
    assert store.replace_from("api", "g1", Snapshot(1000, b"later", "CANCELED", True))
    # Its synthesised body became its first snapshot; the write came after it.
    assert store.body("api", "g1", at_ms=999) == synthesised(41)
    assert store.body("api", "g1", at_ms=1000) == b"later"
    store.synthesizers["api"] = lambda n: b"never asked again"
    assert store.timeline("api", "g1")[0].body == synthesised(41)
    assert store.query("api", [Equals("has_errors", True)], at_ms=1000) == (1, [b"later"])


def test_sessions_failures_counters_and_secrets(store: Store) -> None:
    session = store.open_session("api", "someone", ttl=10, now=100)
    assert store.session("api", session.token, now=105) == session
    assert store.session("api", session.token, now=110) is None
    assert store.session("api", "other", now=0) is None
    assert store.close_session("api", session.token)
    assert not store.close_session("api", session.token)
    for at in (1.0, 2.0, 3.0):
        store.record_failure("api", "someone", now=at)
    assert store.failures_since("api", "someone", 2.0) == [2.0, 3.0]
    store.clear_failures("api", "someone")
    assert store.failures_since("api", "someone", 0) == []
    assert [store.next_value("ids", start=5) for _ in range(3)] == [5, 6, 7]
    store.raise_counter("ids", 100)
    store.raise_counter("ids", 50)
    assert store.next_value("ids", start=5) == 101
    assert store.claim("seeded")
    assert not store.claim("seeded")
    key = store.secret("jwt")
    assert len(key) == 32
    assert store.secret("jwt") == key


def test_a_reset_forgets_all_but_the_secrets(store: Store) -> None:
    store.put(Record("api", "1", b"1", "one"))
    store.open_session("api", "someone", ttl=10, now=0)
    store.next_value("ids", start=1)
    key = store.secret("jwt")
    store.update_control(lambda _: '{"clock": {"offset": 5}}')
    before = store.control()[0]
    store.reset()
    generation, data = store.control()
    assert generation > before
    assert data == "{}"
    assert store.count("api") == 0
    assert store.next_value("ids", start=1) == 1
    assert store.secret("jwt") == key


def test_two_stores_see_each_others_writes_at_once(two_stores: tuple[Store, Store]) -> None:
    one, two = two_stores
    cache = ReadCache(two)
    control = Control(two)
    one.put(Record("api", "1", b"first", "one"))
    assert cache.body(control.state().generation, "api", "1", at_ms=0) == b"first"
    one.replace_from("api", "1", Snapshot(0, b"second"))
    # The write moved the generation on: the other's cache drops what it held.
    assert cache.body(control.state().generation, "api", "1", at_ms=0) == b"second"
    session = two.open_session("api", "p", ttl=60, now=0)
    assert one.session("api", session.token, now=1) == session
    Control(one).update(lambda raw: raw.update(clock={"frozen_at": 7.0}))
    assert control.state().frozen_at == 7.0


def run_together(workers: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported after the join
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_fail_next_n_is_exact_across_stores(two_stores: tuple[Store, Store]) -> None:
    results: list[tuple[bool, int, int]] = []

    def count(i: int) -> None:
        for _ in range(25):
            results.append(two_stores[i % 2].count_fault("f1", lambda _n, fired: fired < 7))

    run_together(6, count)
    assert sum(hit for hit, _, _ in results) == 7
    assert sorted(n for _, n, _ in results) == list(range(1, 151))
    assert two_stores[1].fault_counters() == {"f1": (150, 7)}
    two_stores[0].forget_faults(["f1"])
    assert two_stores[1].fault_counters() == {}


def test_concurrent_writers_lose_no_update_and_share_no_id(
    two_stores: tuple[Store, Store],
) -> None:
    ids: list[int] = []

    def write(i: int) -> None:
        store = two_stores[i % 2]
        for _ in range(15):
            ids.append(store.next_value("ids", start=1))
            store.update_control(lambda data: json.dumps({"n": json.loads(data).get("n", 0) + 1}))

    run_together(4, write)
    assert sorted(ids) == list(range(1, 61))
    assert json.loads(two_stores[0].control()[1]) == {"n": 60}


def test_a_prefix_is_one_exact_range() -> None:
    assert successor("Ab") == "Ac"
    assert successor("a\U0010ffff\U0010ffff") == "b"
    assert successor("\U0010ffff") is None
    assert successor("\ud7ff") == "\ue000"
    for name in ("Ab", "Ab\U0010ffff", "Ab\U0010ffffz", "Ac", "Aa\U0010ffff"):
        top = successor("Ab")
        assert top is not None
        assert ("Ab" <= name < top) == name.startswith("Ab")


def test_a_nul_in_a_lookup_finds_nothing_on_either_backend(store: Store) -> None:
    # PostgreSQL text holds no U+0000; a client may still send one (a file name, a prefix).
    store.put(Record("api", "k", b"1", "name"))
    assert store.body("api", "k\0", at_ms=0) is None
    assert store.timeline("api", "k\0") == []
    assert store.session("api", "t\0", now=0) is None
    for where in ([Prefix("name", "na\0")], [Contains("name", "\0")], [Equals("key", "k\0")]):
        assert store.query("api", where, at_ms=0) == (0, [])
    assert store.query("api", [Prefix("name", "na")], at_ms=0) == (1, [b"1"])

"""Generated records: drawn per record from (seed, n), their bodies synthesised from templates
validated once, and every one exactly what the stored-record path gives.

A million generated records are never all made here: a thousand of them, spread over the
million, are synthesised alone and checked one by one.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver._generated import Draws, Template
from mockserver.store import Record
from mockserver.tealium import create_app as create_tealium
from mockserver.tealium._generated import GeneratedFiles
from mockserver.tealium.api import TealiumApi
from mockserver.thalamus import FIRST_GENERATED_ID
from mockserver.thalamus import create_app as create_thalamus
from mockserver.thalamus._generated import GeneratedImports
from mockserver.thalamus.api import ThalamusApi
from statuskit.errors import ContractViolation
from tests.mock.conftest import client_for, login_v1
from tests.mock.thalamus_support import CLIENT, NOW_MS, REGISTRY, STATUS, login, state_of

MILLION = 1_000_000
#: A thousand of a million, the same every run: the first, the last, and 998 between.
SAMPLE = sorted({0, MILLION - 1, *random.Random(14).sample(range(1, MILLION - 1), 998)})


def _columns(stored: Record, n: int) -> tuple[Any, ...]:
    # The store row the stored-record path writes, as load_generated takes it.
    row = (stored.key, stored.name, stored.category, stored.created_ms, stored.state)
    return (*row, int(stored.has_errors), n)


@pytest.fixture(scope="module")
def thalamus_api() -> ThalamusApi:
    """A Thalamus mock's helpers (its gate, its record factory), without generated records."""
    api: ThalamusApi = state_of(create_thalamus({"generated": 0})).api("thalamus")
    return api


@pytest.fixture(scope="module")
def tealium_api() -> TealiumApi:
    """A Tealium mock's helpers (its gate, its file factory), without generated files."""
    api: TealiumApi = state_of(create_tealium({"generated": 0})).api("tealium")
    return api


def imports(api: ThalamusApi, seed: int = 0) -> GeneratedImports:
    return GeneratedImports(api.records, api.state.gate, seed=seed, first_id=FIRST_GENERATED_ID)


def files(api: TealiumApi, seed: int = 0) -> GeneratedFiles:
    return GeneratedFiles(api.files, api.state.gate, seed=seed, account="acme", profile="main")


# -- a thousand of a million, each alone ------------------------------------------------------


def test_a_thousand_of_a_million_imports_are_valid_and_as_stored(thalamus_api: ThalamusApi) -> None:
    generated = imports(thalamus_api)
    states = set()
    for n in SAMPLE:
        body = generated.body(n)
        record = json.loads(body)
        assert not REGISTRY.validate("thalamus", "import-record", record, strict=True), n
        # The stored-record path: build, gate.encode (strict again), the store's columns.
        stored = thalamus_api.row(thalamus_api.records.build(**generated.draw(n)))
        assert body == stored.body, n
        assert generated.row(n) == _columns(stored, n)
        states.add(record["state"])
    assert record["id"] == FIRST_GENERATED_ID + MILLION - 1
    # Every template (one per state) was used.
    assert states == set(thalamus_api.records.states.ids)


def test_a_thousand_of_a_million_files_are_valid_and_as_stored(tealium_api: TealiumApi) -> None:
    generated = files(tealium_api)
    shapes = set()
    for n in SAMPLE:
        body = generated.body(n)
        status = json.loads(body)
        assert not REGISTRY.validate("tealium", "file-status", status, strict=True), n
        draw = generated.draw(n)
        stored = tealium_api.row(tealium_api.files.build(**draw))
        assert body == stored.body, n
        assert generated.row(n) == _columns(stored, n)
        shapes.add(generated.shape(draw))
    # Every template (one per shape of history) was used: 1 to 4 steps, and failed.
    assert shapes == {(1, False), (2, False), (3, False), (4, False), (4, True)}


# -- drawn per record ----------------------------------------------------------------------


def test_any_record_is_made_alone_in_any_order(thalamus_api: ThalamusApi) -> None:
    picks = [MILLION - 1, 7, 0, 500_000]
    forward = [imports(thalamus_api).body(n) for n in picks]
    backward = [imports(thalamus_api).body(n) for n in reversed(picks)]
    assert forward == backward[::-1]
    assert len(set(forward)) == len(picks)


def test_a_different_seed_draws_different_records(
    thalamus_api: ThalamusApi, tealium_api: TealiumApi
) -> None:
    for n in (0, 1, MILLION - 1):
        assert imports(thalamus_api, 1).body(n) != imports(thalamus_api, 2).body(n)
        assert files(tealium_api, 1).body(n) != files(tealium_api, 2).body(n)


def test_the_same_seed_draws_the_same_records_in_another_process(
    tealium_api: TealiumApi,
) -> None:
    # Not Python's hash(): another interpreter, with another hash seed, makes the same file.
    code = (
        "from mockserver.tealium import create_app\n"
        "from mockserver.tealium._generated import GeneratedFiles\n"
        "api = create_app({'generated': 0}).extensions['statuskit'].api('tealium')\n"
        "made = GeneratedFiles(api.files, api.state.gate, seed=9, account='acme', profile='main')\n"
        "print(made.body(123_456).decode())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip().encode() == files(tealium_api, 9).body(123_456)


def test_draws_never_spend_more_than_their_budget() -> None:
    draws = Draws("thalamus", 0, 0)
    assert 0 <= draws.below(2**300) < 2**300
    with pytest.raises(ValueError, match="cannot draw"):
        draws.below(2**100)
    with pytest.raises(ValueError, match="cannot draw"):
        Draws("thalamus", 0, 0).below(0)


# -- templates -------------------------------------------------------------------------------


def test_a_template_of_a_body_that_breaks_its_schema_is_refused(
    thalamus_api: ThalamusApi,
) -> None:
    record = thalamus_api.records.build(**imports(thalamus_api).draw(0))
    broken = {**record, "rows": -1}
    with pytest.raises(ContractViolation):
        Template(thalamus_api.state.gate, "thalamus", "import-record", broken, [("id",)])


def test_a_template_renders_what_the_gate_encodes(thalamus_api: ThalamusApi) -> None:
    record = thalamus_api.records.build(**imports(thalamus_api).draw(0))
    gate = thalamus_api.state.gate
    template = Template(gate, "thalamus", "import-record", record, [("name",), ("owner", "id")])
    other = {**record, "name": 'with "quotes", \\ and ü', "owner": {**record["owner"], "id": 9}}
    assert template.render([other["name"], 9]) == gate.encode("thalamus", "import-record", other)
    with pytest.raises(ValueError, match="scalar"):
        Template(gate, "thalamus", "import-record", record, [("owner",)])


# -- served: the same answers as stored records ------------------------------------------------

COUNT = 400


def _pinned(app: Flask) -> Flask:
    state_of(app).clock = lambda: NOW_MS / 1000
    return app


def _thalamus_twins() -> tuple[Flask, Flask]:
    """Two mocks: one with COUNT generated imports, one with the same imports stored."""
    synthesised = _pinned(create_thalamus({"generated": COUNT, "seed": 5}))
    stored = _pinned(create_thalamus({"generated": 0, "seed": 5}))
    api: ThalamusApi = state_of(stored).api("thalamus")
    made = imports(api, 5)
    state_of(stored).store.put_many(
        api.row(api.records.build(**made.draw(n))) for n in range(COUNT)
    )
    return synthesised, stored


def _answers(app: Flask, requests: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    with client_for(app) as http:
        login(http)
        out = []
        for method, path, kwargs in requests:
            response = http.request(method, path, **kwargs)
            out.append((response.status_code, response.content))
        return out


def test_generated_imports_answer_as_stored_ones() -> None:
    synthesised, stored = _thalamus_twins()
    lists = [
        {},
        {"pageSize": "1000", "orderBy": "creationDate"},
        {"pageSize": "50", "page": "3", "orderBy": "name", "ascending": "false"},
        {"name": "SALES", "pageSize": "1000"},
        {"state": "3", "withErrors": "true", "pageSize": "1000"},
        {"type": "25011", "beginDate": "2025-03-01", "endDate": "2025-09-30"},
    ]
    admin = f"/__admin/v1/thalamus/imports/{FIRST_GENERATED_ID + 17}/state"
    requests = [("GET", STATUS, {"params": {**CLIENT, **query}}) for query in lists]
    requests += [
        ("GET", f"{STATUS}/{FIRST_GENERATED_ID + n}", {"params": CLIENT})
        for n in (0, 17, COUNT - 1, COUNT)
    ]
    # A write to a generated record, then reads of it: as for a stored one.
    requests += [
        ("POST", admin, {"json": {"state": "WAITING"}}),
        ("GET", f"{STATUS}/{FIRST_GENERATED_ID + 17}", {"params": CLIENT}),
        ("GET", STATUS, {"params": {**CLIENT, "state": "1", "pageSize": "1000"}}),
    ]
    answers = _answers(synthesised, requests)
    assert answers == _answers(stored, requests)
    assert all(status == 200 for status, _ in answers[:-4]), answers
    assert json.loads(answers[1][1])["totalItems"] > COUNT  # the fixtures, and all of these


def _file_answers(app: Flask, draw: dict[str, Any]) -> list[tuple[int, bytes]]:
    when = {"startDate": "2025-01-01T00:00Z", "endDate": "2026-12-31T00:00Z"}
    profile, name = draw["profile"], draw["name"]
    files_url = f"/v1/omnichannel/accounts/acme/profiles/{profile}/files"
    with client_for(app) as http:
        v1 = login_v1(http)

        def get(path: str, **query: str) -> httpx.Response:
            return http.get(path, params={**v1.params, **query}, headers=v1.headers)

        out = [
            get(f"{files_url}/{name}"),
            get(f"{files_url}/count", filePrefix="", **when),
            get(f"{files_url}/count", filePrefix="orders", **when),
            get(f"{files_url}/search", filePrefix=name[:-4], **when),
            # A write to a generated file, then a read of it: as for a stored one.
            http.post(
                "/__admin/v1/tealium/files/state",
                json={"profile": profile, "name": name, "state": "FAILED_PROCESSING"},
            ),
            get(f"{files_url}/{name}"),
        ]
        return [(r.status_code, r.content) for r in out]


def test_generated_files_answer_as_stored_ones() -> None:
    synthesised = _pinned(create_tealium({"generated": COUNT, "seed": 5}))
    stored = _pinned(create_tealium({"generated": 0, "seed": 5}))
    api: TealiumApi = state_of(stored).api("tealium")
    made = files(api, 5)
    state_of(stored).store.put_many(api.row(api.files.build(**made.draw(n))) for n in range(COUNT))
    for n in (3, COUNT - 1):
        answers = _file_answers(synthesised, made.draw(n))
        assert answers == _file_answers(stored, made.draw(n))
        assert all(status == 200 for status, _ in answers), answers


def test_a_later_process_serves_what_the_database_was_seeded_with(tmp_path: Any) -> None:
    # Workers and instances share one database; one seeds it, with its parameters. Others,
    # configured with another seed or with none, still serve those very records.
    path = str(tmp_path / "state.db")
    first = state_of(create_tealium({"state_path": path, "generated": 30, "seed": 1}))
    made = files(first.api("tealium"), 1)
    expected = {made.row(n)[0]: made.body(n) for n in range(30)}
    for config in ({"generated": 30, "seed": 2}, {"generated": 0}):
        later = state_of(create_tealium({"state_path": path, **config}))
        assert later.store.keys("tealium") == first.store.keys("tealium")
        assert {key: later.store.body("tealium", key, at_ms=0) for key in expected} == expected

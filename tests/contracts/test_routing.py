"""Coverage counts every exchange under the operation the server really routed it to.

The oracle is read apart from the wire table the coverage classifies with: the mock's own
router (its URL map, each rule matched to its catalogue template), and what the mock
answered. The properties run over the contract suites' own strategies (every id and file
name they generate reaches its operation, and is counted there, under a documented case)
and over any text (whatever an id holds, it is counted where it went).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NoReturn

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

import mockserver
from contract_tests._support import file_names, status_path, thalamus_errors, thalamus_ids
from statuskit.contracts.coverage import Coverage
from statuskit.contracts.options import ContractOptions
from statuskit.contracts.raw import Raw
from statuskit.contracts.routing import segment_value, siblings
from statuskit.contracts.target import ContractTarget, open_target
from statuskit.registry import default_registry

APIS = ("thalamus", "tealium")


def _shape(template: str) -> str:
    """A route with each parameter blanked: ``<raw_id>`` and ``{id}`` alike."""
    return re.sub(r"<[^>]*>|\{[^}]*\}", "{}", template)


#: (method, shape) -> the wire table's name of the catalogue operation, per API.
CATALOGUED = {
    (entry["method"].upper(), _shape(entry["path"])): (
        api,
        re.sub(r"^v\d+-", "", entry["operationId"]),  # Tealium's v1-/v2- twins are one
    )
    for api in APIS
    for entry in default_registry().catalogue(api)["operations"]
}


def _refuse(reason: str) -> NoReturn:
    raise AssertionError(f"the in-process target refused a request: {reason}")


@pytest.fixture(scope="module")
def target() -> Iterator[ContractTarget]:
    """The contract suites' in-process target: the same mock, transport and wire table."""
    opened = open_target(ContractOptions(), refuse=_refuse)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def raw(target: ContractTarget) -> Iterator[Raw]:
    """Hand-built requests through the target's transport, as the suites send them."""
    wire = Raw(target)
    yield wire
    wire.close()


@pytest.fixture(scope="module")
def router() -> MapAdapter:
    """The mock's own router: its URL map, apart from the wire table."""
    return mockserver.create_app({"generated": 0}).url_map.bind("mock.statuskit.invalid")


def routed(router: MapAdapter, request: httpx.Request) -> tuple[str, str] | None:
    """``(api, operation)`` the mock's router sends ``request`` to; ``None``: no route."""
    try:
        rule, _ = router.match(request.url.path, method=request.method, return_rule=True)
    except HTTPException:
        return None
    found = CATALOGUED.get((request.method, _shape(rule.rule)))
    assert found is not None, f"the mock's route {rule.rule} is in no catalogue"
    return found


def counted(
    target: ContractTarget, response: httpx.Response
) -> tuple[Coverage, tuple[str, str] | None]:
    """A fresh coverage that saw this one exchange, and the operation it counted it under
    (``None``: counted as another request)."""
    coverage = Coverage(target.ops, APIS)
    coverage.observe(response.request, response)
    under = [
        (api, key.rpartition(" ")[0]) for api in APIS for key in coverage.statuses[api].elements()
    ]
    others = sum(sum(coverage.other[api].values()) for api in APIS)
    assert len(under) + others == 1, (under, coverage.other)
    return coverage, (under[0] if under else None)


def assert_documented(coverage: Coverage) -> None:
    """Nothing the exchange was counted under lies outside the documented universe."""
    for api, entry in coverage.summary().items():
        for kind in ("statuses", "error_cases", "error_codes", "states"):
            assert entry[kind]["undocumented"] == [], (api, kind, entry[kind]["undocumented"])


@given(data=st.data())
def test_every_generated_id_reaches_get_status_and_is_counted_there(
    target: ContractTarget, raw: Raw, router: MapAdapter, data: st.DataObject
) -> None:
    raw_id = data.draw(thalamus_ids(target.resources.import_ids), label="raw_id")
    response = raw.thalamus_get(status_path(raw_id))
    assert routed(router, response.request) == ("thalamus", "get-status")
    coverage, under = counted(target, response)
    assert under == ("thalamus", "get-status")
    assert_documented(coverage)
    assert "path" not in thalamus_errors(response)


@given(raw_id=st.text(max_size=12))
@example(raw_id="/")
@example(raw_id="27/4")
@example(raw_id="/274")
@example(raw_id="274/")
@example(raw_id="")
@example(raw_id=".")
@example(raw_id="..")
@example(raw_id="%2F")
@example(raw_id="\n")
def test_any_id_is_counted_where_the_server_routed_it(
    target: ContractTarget, raw: Raw, router: MapAdapter, raw_id: str
) -> None:
    response = raw.thalamus_get(status_path(raw_id))
    where = routed(router, response.request)
    coverage, under = counted(target, response)
    assert under == where
    if where is None:
        assert response.status_code == 404
        assert thalamus_errors(response) == {"path": "NotFound"}
    else:
        assert_documented(coverage)
    # The suites' filter, derived from the catalogue, keeps exactly the ids that get there.
    reaches = segment_value("thalamus", "get-status", "id")(raw_id)
    assert reaches == (where == ("thalamus", "get-status"))


def _file_status(
    target: ContractTarget, raw: Raw, router: MapAdapter, name: str, version: int
) -> None:
    path = raw.files_path(version, name=name)
    response = raw.tealium_get(path) if version == 1 else raw.tealium_v2_get(path)
    assert routed(router, response.request) == ("tealium", "get-file-status")
    coverage, under = counted(target, response)
    assert under == ("tealium", "get-file-status")
    assert_documented(coverage)


@given(data=st.data(), version=st.sampled_from([1, 2]))
def test_every_generated_file_name_reaches_the_lookup_and_is_counted_there(
    target: ContractTarget, raw: Raw, router: MapAdapter, data: st.DataObject, version: int
) -> None:
    name = data.draw(file_names(target.resources.files), label="name")
    _file_status(target, raw, router, name, version)


@pytest.mark.parametrize("name", ["a/b.csv", "/count", "search/", "../x.csv"])
def test_a_name_holding_a_slash_is_counted_under_the_lookup(
    target: ContractTarget, raw: Raw, router: MapAdapter, name: str
) -> None:
    # Tealium's kit decision: unlike a Thalamus id, a name with "/" reaches the lookup.
    _file_status(target, raw, router, name, 1)


@pytest.mark.parametrize("name", sorted(siblings("tealium", "v1-get-file-status", "name")))
def test_a_sibling_routes_literal_is_counted_under_that_route(
    target: ContractTarget, raw: Raw, router: MapAdapter, name: str
) -> None:
    response = raw.tealium_get(raw.files_path(1, name=name))
    assert routed(router, response.request) == ("tealium", name)
    assert counted(target, response)[1] == ("tealium", name)


def test_the_routes_beside_a_parameter_come_from_the_catalogue() -> None:
    assert siblings("tealium", "v2-get-file-status", "name") == {"count", "search"}
    assert siblings("thalamus", "get-status", "id") == frozenset()
    with pytest.raises(ValueError, match="not a whole segment"):
        segment_value("thalamus", "get-status", "touchpoint")

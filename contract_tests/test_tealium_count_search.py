"""Tealium ``GET .../files/count`` and ``.../files/search`` (v1): the documented bodies, and
variants of the refusals the catalogue lists (each of its cases is sent by
``contract_tests/test_error_cases.py``; docs/wire.md, Files)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, dates, expect_case, tealium_error
from statuskit.client import TealiumClient
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.mock import MockServer

pytestmark = pytest.mark.contract_api("tealium")
#: A window wide enough for any file a target holds.
WIDE = {"startDate": "2000-01-01T00:00Z", "endDate": "2099-12-31T23:59Z"}
_MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z")


def _ask(raw: Raw, what: str, params: dict[str, str], **options: Any) -> Any:
    return raw.tealium_get(raw.files_path(1, f"/{what}"), params=params, **options)


@pytest.mark.parametrize("what", ["count", "search"])
def test_a_window_answers_200_with_the_documented_body(
    contract: ContractTarget, raw: Raw, file_names: tuple[str, ...], what: str
) -> None:
    params = {"filePrefix": file_names[0], **WIDE}
    check(contract, "tealium", what, _ask(raw, what, params), 200)


@pytest.mark.parametrize("what", ["count", "search"])
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"startDate": WIDE["startDate"], "endDate": WIDE["endDate"]}, id="no-prefix"),
        pytest.param({"filePrefix": "x", "startDate": WIDE["startDate"]}, id="no-end"),
    ],
)
def test_any_missing_parameter_is_the_missing_parameter_case(
    contract: ContractTarget, raw: Raw, what: str, params: dict[str, str]
) -> None:
    # The catalogue's case leaves the start out; the other refusals are its cases too.
    expect_case(contract, "tealium", what, "parameterMissing", _ask(raw, what, params))


@pytest.mark.parametrize("what", ["count", "search"])
@pytest.mark.parametrize("how", ["missing-utk", "wrong-cookie"])
def test_half_a_session_is_a_bad_session(
    contract: ContractTarget, raw: Raw, what: str, how: str
) -> None:
    # The catalogue's case sends a wrong utk and cookie; here one of the two is right.
    option = {"utk": ""} if how == "missing-utk" else {"cookie": "JSESSIONID=statuskit-x"}
    answer = _ask(raw, what, {"filePrefix": "x", **WIDE}, **option)
    expect_case(contract, "tealium", what, "badSession", answer)


def test_the_reference_client_counts_and_searches(
    tealium_client: TealiumClient, file_names: tuple[str, ...]
) -> None:
    prefix = file_names[0]
    found = tealium_client.search(prefix, WIDE["startDate"], WIDE["endDate"])
    assert tealium_client.count(prefix, WIDE["startDate"], WIDE["endDate"]) == len(found) >= 1


# -- kit decisions ---------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_a_prefix_matches_exactly_and_an_empty_one_matches_all(
    contract: ContractTarget, raw: Raw, file_names: tuple[str, ...]
) -> None:
    everything = check(contract, "tealium", "count", _ask(raw, "count", {"filePrefix": "", **WIDE}))
    assert everything["count"] >= len(file_names)
    upper = {"filePrefix": file_names[0].upper() + "%", **WIDE}
    assert check(contract, "tealium", "count", _ask(raw, "count", upper), 200)["count"] == 0


@pytest.mark.kit_decision
def test_search_lists_oldest_first(contract: ContractTarget, raw: Raw) -> None:
    found = check(contract, "tealium", "search", _ask(raw, "search", {"filePrefix": "", **WIDE}))
    created = [status["created_at"]["$date"] for status in found]
    assert created == sorted(created)


@pytest.mark.kit_decision
def test_search_refuses_more_than_50_matches(
    contract: ContractTarget, raw: Raw, mock: MockServer
) -> None:
    mock.add_file("statuskit-many.csv", count=51)
    answer = _ask(raw, "search", {"filePrefix": "00", **WIDE})
    check(contract, "tealium", "search", answer, 400)
    assert "narrow" in str(tealium_error(answer)[1])


# -- generated windows -----------------------------------------------------------------------


@given(
    what=st.sampled_from(["count", "search"]),
    prefix=st.none() | st.text(max_size=10) | st.text(min_size=149, max_size=152),
    start=dates(),
    end=dates(),
)
def test_generated_windows(
    contract: ContractTarget,
    raw: Raw,
    what: str,
    prefix: str | None,
    start: str | None,
    end: str | None,
) -> None:
    sent = {"filePrefix": prefix, "startDate": start, "endDate": end}
    params = {key: value for key, value in sent.items() if value is not None}
    answer = _ask(raw, what, params)
    check(contract, "tealium", what, answer)
    client_agrees(contract.op("tealium", what), answer)
    refused = (
        None in sent.values()
        or len(prefix or "") > 150
        or not all(_MINUTE.fullmatch(value or "") for value in (start, end))
        or (end or "") < (start or "")
    )
    if refused:
        assert answer.status_code == 400, "a missing or malformed parameter: 400"
    elif what == "count":
        assert answer.status_code == 200
    else:  # a search may also be refused for matching more than 50 files
        assert answer.status_code in (200, 400)

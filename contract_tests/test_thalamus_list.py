"""Thalamus ``GET /api/v4/import/status``: the list and its filters. The endpoint and its
filters are documented; the page's envelope and the filters' refusals are kit decisions
(docs/wire.md, Imports). Its error cases, one per filter, are the catalogue's
(``contract_tests/test_error_cases.py``)."""

from __future__ import annotations

from itertools import islice
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, thalamus_errors
from statuskit.catalogue import operation
from statuskit.client import ThalamusClient
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.registry import default_registry

pytestmark = pytest.mark.contract_api("thalamus")
LIST = "/api/v4/import/status"
STATE_IDS: dict[str, int] = default_registry().definition("thalamus", "state")["x-state-ids"]
TYPES = default_registry().enum("thalamus", "importType")
ORDER_BY = operation("thalamus", "list-imports").allowed("orderBy")


def _list(
    contract: ContractTarget,
    raw: Raw,
    status: int | None = None,
    params: dict[str, str] | None = None,
) -> Any:
    answer = raw.thalamus_get(LIST, params=params)
    return answer, check(contract, "thalamus", "list-imports", answer, status)


def test_the_list_answers_200_with_a_session(contract: ContractTarget, raw: Raw) -> None:
    _list(contract, raw, 200)


def test_the_reference_client_pages_through_the_list(thalamus_client: ThalamusClient) -> None:
    page = thalamus_client.list_imports(page_size=2)
    # Two pages at most: a live target may hold thousands of imports.
    records = list(islice(thalamus_client.iter_imports(page_size=2), 4))
    assert len(records) == min(4, page.total_items)


# -- kit decisions -----------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_the_envelope_echoes_page_and_size_and_counts(contract: ContractTarget, raw: Raw) -> None:
    _, body = _list(contract, raw, 200, {"page": "1", "pageSize": "2"})
    assert (body["page"], body["pageSize"]) == (1, 2)
    assert len(body["items"]) == min(2, body["totalItems"])
    assert body["totalPages"] == -(-body["totalItems"] // 2)


@pytest.mark.kit_decision
@pytest.mark.parametrize("state", list(STATE_IDS))
def test_the_state_filter_takes_a_state_id(contract: ContractTarget, raw: Raw, state: str) -> None:
    _, body = _list(contract, raw, 200, {"state": str(STATE_IDS[state]), "pageSize": "1000"})
    assert {item["state"] for item in body["items"]} <= {state}


# -- generated filters ---------------------------------------------------------------------------

_FILTERS = {
    "page": st.integers(-2, 5).map(str) | st.text(max_size=4),
    "pageSize": st.integers(-1, 1100).map(str),
    "orderBy": st.sampled_from([*ORDER_BY, "size", ""]),
    "ascending": st.sampled_from(["true", "FALSE", "1", "0", "yes", "No", "maybe", ""]),
    "type": st.sampled_from([*map(str, TYPES), "1", "x"]),
    "name": st.text(max_size=10),
    "beginDate": st.dates().map(str) | st.text(max_size=12),
    "endDate": st.dates().map(str) | st.text(max_size=12),
    "state": st.integers(0, 8).map(str),
    "withErrors": st.sampled_from(["true", "false", "x"]),
}


@given(filters=st.fixed_dictionaries({}, optional=_FILTERS))
def test_generated_list_filters(
    contract: ContractTarget, raw: Raw, filters: dict[str, str]
) -> None:
    answer, _ = _list(contract, raw, None, filters)
    client_agrees(contract.op("thalamus", "list-imports"), answer)
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        # A refusal names one of the filters sent.
        assert set(thalamus_errors(answer)) <= set(filters)

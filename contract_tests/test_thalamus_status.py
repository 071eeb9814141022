"""Thalamus ``GET /api/v4/import/status/{id}``: the documented record, and every documented
way a request is refused (docs/wire.md, Thalamus v4)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import (
    CHOICES,
    check,
    credential_error,
    expect_case,
    kit,
    status_path,
    thalamus_errors,
    thalamus_ids,
    wrong_values,
)
from statuskit.client import ThalamusClient
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Place, Raw
from statuskit.contracts.target import ContractTarget

pytestmark = pytest.mark.contract_api("thalamus")
PLACES: tuple[Place, ...] = ("query", "header")
#: An id no target has: the largest a Java long holds.
UNKNOWN_ID = 2**63 - 1


def _check(contract: ContractTarget, response: Any, status: int) -> Any:
    return check(contract, "thalamus", "get-status", response, status)


# -- the documented record -------------------------------------------------------------------


def test_known_imports_answer_the_strictly_valid_record(
    contract: ContractTarget, raw: Raw, import_ids: tuple[int, ...]
) -> None:
    for import_id in import_ids:
        body = _check(contract, raw.thalamus_get(status_path(import_id)), 200)
        assert body["id"] == import_id


def test_the_reference_client_reads_every_known_import(
    thalamus_client: ThalamusClient, import_ids: tuple[int, ...]
) -> None:
    # Strict: the client holds each body to the strict schema as it reads it.
    for import_id in import_ids:
        assert thalamus_client.get_status(import_id).id == import_id


@pytest.mark.parametrize("touchpoint_in", PLACES)
@pytest.mark.parametrize("token_in", PLACES)
def test_touchpoint_and_token_are_accepted_as_query_or_header(
    contract: ContractTarget,
    raw: Raw,
    import_ids: tuple[int, ...],
    touchpoint_in: Place,
    token_in: Place,
) -> None:
    response = raw.thalamus_get(
        status_path(import_ids[0]), touchpoint_in=touchpoint_in, token_in=token_in
    )
    _check(contract, response, 200)


# -- refusals: variants of the catalogue's cases (contract_tests/test_error_cases.py) -------


def test_an_unknown_touchpoint_in_a_header_is_its_case(contract: ContractTarget, raw: Raw) -> None:
    # The catalogue's case sends the touchpoint as a query parameter.
    response = raw.thalamus_get(
        status_path(UNKNOWN_ID), touchpoint="statuskit-no-such-touchpoint", touchpoint_in="header"
    )
    expect_case(contract, "thalamus", "get-status", "touchpointUnknown", response)


def test_a_wrong_token_in_the_query_is_its_case(contract: ContractTarget, raw: Raw) -> None:
    # The catalogue's case sends the token as a header.
    response = raw.thalamus_get(
        status_path(UNKNOWN_ID), token="statuskit-wrong-token", token_in="query"
    )
    expect_case(contract, "thalamus", "get-status", "tokenWrong", response)


@pytest.mark.parametrize("raw_id", ["0", "-1", "1.5", "²", str(2**63)])
def test_an_id_that_is_not_a_positive_long_is_400_invalid_id(
    contract: ContractTarget, raw: Raw, raw_id: str
) -> None:
    response = raw.thalamus_get(status_path(raw_id))
    expect_case(contract, "thalamus", "get-status", "id:InvalidId", response)


# -- kit decisions ---------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_401_has_no_body_and_names_basic_auth(contract: ContractTarget, raw: Raw) -> None:
    response = raw.thalamus_get(status_path(UNKNOWN_ID), session=False)
    _check(contract, response, 401)
    assert response.content == b""
    challenge = contract.op("thalamus", "get-status").body(401)
    assert challenge is not None
    assert response.headers.get("WWW-Authenticate") == challenge.headers["WWW-Authenticate"]


@pytest.mark.kit_decision
@pytest.mark.parametrize("raw_id", ["27/4", "/274", "274/"])
def test_an_id_holding_a_slash_is_no_route(contract: ContractTarget, raw: Raw, raw_id: str) -> None:
    # Sent as %2F, decoded by the server before it routes: not this operation, and
    # answered as every unknown route is (docs/wire.md), never a 5xx.
    response = raw.thalamus_get(status_path(raw_id))
    assert response.status_code == 404
    assert thalamus_errors(response) == {"path": "NotFound"}


@pytest.mark.kit_decision
def test_leading_zeros_name_the_same_import(
    contract: ContractTarget, raw: Raw, import_ids: tuple[int, ...]
) -> None:
    body = _check(contract, raw.thalamus_get(status_path(f"00{import_ids[0]}")), 200)
    assert body["id"] == import_ids[0]


@pytest.mark.kit_decision
@pytest.mark.parametrize("name", ["touchpoint", "token"])
def test_an_empty_value_counts_as_missing(contract: ContractTarget, raw: Raw, name: str) -> None:
    response = raw.thalamus_get(status_path(UNKNOWN_ID), **{name: ""})  # type: ignore[arg-type]
    _check(contract, response, 400)
    expected = "TouchpointCodeRequired" if name == "touchpoint" else "Required"
    assert expected in thalamus_errors(response).values()


@pytest.mark.kit_decision
def test_the_query_wins_over_the_header(
    contract: ContractTarget, raw: Raw, import_ids: tuple[int, ...]
) -> None:
    valid = raw.thalamus.token.reveal()
    wins = raw.thalamus_get(
        status_path(import_ids[0]),
        token=valid,
        token_in="query",
        headers={"Thalamus-Token": "statuskit-wrong-token"},
    )
    _check(contract, wins, 200)
    loses = raw.thalamus_get(
        status_path(import_ids[0]),
        token="statuskit-wrong-token",
        token_in="query",
        headers={"Thalamus-Token": valid},
    )
    _check(contract, loses, 400)


@pytest.mark.kit_decision
def test_plain_touchpoint_and_token_headers_are_not_read(
    contract: ContractTarget, raw: Raw
) -> None:
    headers = {"Touchpoint": raw.thalamus.touchpoint, "Token": raw.thalamus.token.reveal()}
    response = raw.thalamus_get(
        status_path(UNKNOWN_ID), touchpoint=None, token=None, headers=headers
    )
    _check(contract, response, 400)
    assert thalamus_errors(response) == {"partnerDataSource": "TouchpointCodeRequired"}


@pytest.mark.kit_decision
def test_the_touchpoint_test_is_always_accepted(
    contract: ContractTarget, raw: Raw, import_ids: tuple[int, ...]
) -> None:
    _check(contract, raw.thalamus_get(status_path(import_ids[0]), touchpoint="test"), 200)


@pytest.mark.kit_decision
def test_checks_run_touchpoint_token_session(contract: ContractTarget, raw: Raw) -> None:
    both = raw.thalamus_get(status_path("abc"), touchpoint=None, token=None, session=False)
    assert thalamus_errors(both) == {"partnerDataSource": "TouchpointCodeRequired"}
    token_first = raw.thalamus_get(status_path("abc"), token="statuskit-wrong", session=False)
    assert thalamus_errors(token_first) == {"token": "InvalidToken"}
    _check(contract, raw.thalamus_get(status_path("abc"), session=False), 401)


# -- generated requests ----------------------------------------------------------------------


@st.composite
def _requests(draw: st.DrawFn, known: tuple[int, ...], token: str) -> dict[str, Any]:
    return {
        "raw_id": draw(thalamus_ids(known)),
        "touchpoint": draw(st.sampled_from(CHOICES)),
        "touchpoint_in": draw(st.sampled_from(PLACES)),
        "token": draw(st.sampled_from(CHOICES)),
        "token_in": draw(st.sampled_from(PLACES)),
        "wrong": draw(wrong_values(token)),
        "session": draw(st.booleans()),
    }


def _value(choice: str, valid: str, wrong: str) -> str | None:
    return {"valid": valid, "missing": None, "empty": "", "wrong": wrong}[choice]


@given(data=st.data())
def test_generated_status_requests(contract: ContractTarget, raw: Raw, data: st.DataObject) -> None:
    token = raw.thalamus.token.reveal()
    case = data.draw(_requests(contract.resources.import_ids, token), label="request")
    response = raw.thalamus_get(
        status_path(case["raw_id"]),
        touchpoint=_value(case["touchpoint"], raw.thalamus.touchpoint, "zz" + case["wrong"]),
        token=_value(case["token"], token, case["wrong"]),
        touchpoint_in=case["touchpoint_in"],
        token_in=case["token_in"],
        session=case["session"],
    )
    check(contract, "thalamus", "get-status", response)
    client_agrees(contract.op("thalamus", "get-status"), response)
    # Where exactly one credential is missing or wrong, the answer is the catalogue's case
    # for it (an empty value counts as missing: a kit decision of its own, tested apart).
    problems = [(name, case[name]) for name in ("touchpoint", "token") if case[name] != "valid"]
    if response.status_code == 404:
        # Every generated id reaches this operation (thalamus_ids), never a routing 404.
        kit(thalamus_errors(response) == {"id": "NotFound"}, "an unknown id is id:NotFound")
    if len(problems) == 1 and problems[0][1] in ("missing", "wrong"):
        name, choice = problems[0]
        key = credential_error(
            contract, "thalamus", "get-status", name, missing=choice == "missing"
        )
        expect_case(contract, "thalamus", "get-status", key, response)
    elif not problems and not case["session"]:
        key = credential_error(contract, "thalamus", "get-status", "session", missing=True)
        expect_case(contract, "thalamus", "get-status", key, response)

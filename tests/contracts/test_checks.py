"""What is checked about one answer: documented statuses, strict bodies, kit decisions told
apart from documented behaviour, and the reference client's replay."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from statuskit.catalogue import Operation, operations
from statuskit.contracts.checks import check_answer, client_agrees, expected_error, kit_located
from statuskit.errors import (
    AuthenticationError,
    ContractViolation,
    InvalidRequestError,
    KitDecisionDiffers,
    NotFoundError,
    ServerError,
    TouchpointError,
)
from statuskit.fixtures import documented
from statuskit.registry import default_registry

RECORD: dict[str, Any] = documented("thalamus", "get-status", 200).load()
FILE: dict[str, Any] = documented("tealium", "get-file-status", 200).load()


OPERATIONS = operations()


def op(api: str, name: str) -> Operation:
    return next(o for o in OPERATIONS if (o.api, o.name) == (api, name))


def answer(status: int, body: Any = None, path: str = "/api/v4/import/status/1") -> httpx.Response:
    request = httpx.Request("GET", f"http://target{path}")
    if body is None:
        return httpx.Response(status, request=request)
    return httpx.Response(status, json=body, request=request)


def test_the_documented_record_passes() -> None:
    assert check_answer(op("thalamus", "get-status"), answer(200, RECORD)) == RECORD


def test_a_5xx_is_never_documented() -> None:
    with pytest.raises(ContractViolation, match="never gets a 5xx") as raised:
        check_answer(op("thalamus", "get-status"), answer(503, {"errors": {"x": "y"}}))
    assert not isinstance(raised.value, KitDecisionDiffers)


def test_an_undocumented_status_fails() -> None:
    with pytest.raises(ContractViolation, match="documented statuses: 200, 400, 401, 404"):
        check_answer(op("thalamus", "get-status"), answer(409, {}))


def test_a_documented_field_of_the_wrong_type_is_a_contract_violation() -> None:
    broken = {**RECORD, "rowsOk": "576"}
    with pytest.raises(ContractViolation, match=r"\$\.rowsOk") as raised:
        check_answer(op("thalamus", "get-status"), answer(200, broken))
    assert not isinstance(raised.value, KitDecisionDiffers)


def test_a_field_typed_by_a_kit_decision_differs_as_a_kit_decision() -> None:
    # relatedEntityType is shown only as null: typing it as an integer was the kit's guess.
    broken = {**RECORD, "relatedEntityType": "PARTNER"}
    with pytest.raises(KitDecisionDiffers, match="only where kit decisions govern"):
        check_answer(op("thalamus", "get-status"), answer(200, broken))


def test_a_kit_body_shape_differs_as_a_kit_decision() -> None:
    path = "/v1/omnichannel/accounts/a/profiles/p/files/x.csv"
    with pytest.raises(KitDecisionDiffers):
        check_answer(op("tealium", "get-file-status"), answer(404, {"error": "nope"}, path))


def test_kit_location_follows_refs_into_other_documents() -> None:
    registry = default_registry()
    broken = copy.deepcopy(FILE)
    broken["status"][0]["lines_skipped"] = -1
    broken["file"]["source"]["type"] = 5
    findings = registry.validate("tealium", "file-status", broken)
    located = {f.path: kit_located(registry, "tealium", "file-status", f) for f in findings}
    assert located == {"$.file.source.type": True, "$.status[0].lines_skipped": False}


@pytest.mark.parametrize(
    ("api", "status", "body", "expected"),
    [
        ("thalamus", 200, {}, None),
        ("thalamus", 400, {"errors": {"partnerDataSource": "X"}}, TouchpointError),
        ("thalamus", 400, {"errors": {"token": "InvalidToken"}}, AuthenticationError),
        ("thalamus", 400, {"errors": {"id": "InvalidId"}}, InvalidRequestError),
        ("thalamus", 401, None, AuthenticationError),
        ("tealium", 404, {"returnCode": 404}, NotFoundError),
        ("tealium", 502, None, ServerError),
    ],
)
def test_the_oracle_of_typed_errors(
    api: str, status: int, body: Any, expected: type[Exception] | None
) -> None:
    assert expected_error(api, status, body) is expected


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, RECORD),
        (400, {"errors": {"token": "InvalidToken"}}),
        (400, {"errors": {"partnerDataSource": "InvalidTouchpointCode"}}),
        (401, None),
        (404, {"errors": {"id": "NotFound"}}),
    ],
)
def test_the_reference_client_agrees_with_each_answer(status: int, body: Any) -> None:
    client_agrees(op("thalamus", "get-status"), answer(status, body))


def test_a_client_that_maps_an_answer_wrongly_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from statuskit.client._thalamus import ThalamusCore

    def wrong(self: Any, call: Any, request: Any, response: httpx.Response, body: Any) -> Any:
        return NotFoundError("wrong", status_code=response.status_code)

    monkeypatch.setattr(ThalamusCore, "error_for", wrong)
    with pytest.raises(AssertionError, match="must be TouchpointError"):
        client_agrees(
            op("thalamus", "get-status"), answer(400, {"errors": {"partnerDataSource": "X"}})
        )


def test_tealium_answers_replay_through_a_canned_login() -> None:
    path = "/v2/omnichannel/accounts/a/profiles/p/files/x.csv"
    client_agrees(op("tealium", "get-file-status"), answer(200, FILE, path))
    client_agrees(
        op("tealium", "get-file-status"), answer(401, {"returnCode": 1401, "message": "m"}, path)
    )
    client_agrees(op("tealium", "count"), answer(200, {"count": 3}, "/v1/x/count"))

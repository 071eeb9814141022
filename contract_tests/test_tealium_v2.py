"""Tealium v2: ``POST /v2/auth`` answers a bearer JWT, valid for 30 minutes, that the file
endpoints under ``/v2/`` take (docs/wire.md, v2)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, expect_case, wrong_values
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import NOBODY, Raw
from statuskit.contracts.target import ContractTarget
from statuskit.mock import MockServer
from statuskit.wire import tealium as tealium_wire

pytestmark = pytest.mark.contract_api("tealium")
UNKNOWN = "statuskit-no-such-file.csv"
WIDE = {"startDate": "2000-01-01T00:00Z", "endDate": "2099-12-31T23:59Z"}


def _auth(raw: Raw, username: str | None = None, key: str | None = None) -> Any:
    auth = tealium_wire.login(2)
    form = auth.form(
        raw.tealium.username if username is None else username,
        raw.tealium.api_key.reveal() if key is None else key,
    )
    return raw.send("POST", auth.path, data=form)


def _claims(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")

    def part(text: str) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        )
        return decoded

    return part(header), part(payload)


def test_auth_answers_a_token_the_file_endpoints_take(
    contract: ContractTarget, raw: Raw, file_names: tuple[str, ...]
) -> None:
    answer = _auth(raw)
    check(contract, "tealium", "auth", answer, 200)
    token = answer.json()["token"]
    for name in file_names:
        status = raw.tealium_v2_get(raw.files_path(2, name=name), bearer=token)
        assert check(contract, "tealium", "get-file-status", status, 200)["file"]["name"] == name


@pytest.mark.parametrize("what", ["count", "search"])
def test_count_and_search_take_the_token(contract: ContractTarget, raw: Raw, what: str) -> None:
    answer = raw.tealium_v2_get(raw.files_path(2, f"/{what}"), params={"filePrefix": "", **WIDE})
    check(contract, "tealium", what, answer)
    assert answer.status_code in ((200,) if what == "count" else (200, 400))


# -- kit decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize("bearer", ["", "not-a-jwt", "a.b.c"])
def test_a_missing_or_malformed_token_is_a_bad_bearer(
    contract: ContractTarget, raw: Raw, bearer: str
) -> None:
    # The catalogue's case sends a wrong token; these are missing or malformed ones.
    answer = raw.tealium_v2_get(raw.files_path(2, name=UNKNOWN), bearer=bearer)
    expect_case(contract, "tealium", "get-file-status", "badBearer", answer)


@pytest.mark.kit_decision
def test_the_token_is_an_hs256_jwt_for_30_minutes(contract: ContractTarget, raw: Raw) -> None:
    header, claims = _claims(_auth(raw).json()["token"])
    assert header["alg"] == "HS256"
    assert claims["sub"] == raw.tealium.username
    assert claims["exp"] - claims["iat"] == 1800
    assert claims["jti"]


@pytest.mark.kit_decision
def test_a_token_expires_after_30_minutes(
    contract: ContractTarget, raw: Raw, mock: MockServer
) -> None:
    mock.freeze()
    token = _auth(raw).json()["token"]
    path = raw.files_path(2, name=UNKNOWN)
    mock.advance(1799)
    check(contract, "tealium", "get-file-status", raw.tealium_v2_get(path, bearer=token), 404)
    mock.advance(2)
    check(contract, "tealium", "get-file-status", raw.tealium_v2_get(path, bearer=token), 401)


# -- generated credentials -------------------------------------------------------------------


@given(
    username=st.sampled_from(["valid", NOBODY]),
    key=st.sampled_from(["valid", "wrong"]),
    wrong=wrong_values(""),
)
def test_generated_auth(
    contract: ContractTarget, raw: Raw, username: str, key: str, wrong: str
) -> None:
    answer = _auth(
        raw,
        None if username == "valid" else username,
        None if key == "valid" else "statuskit-" + wrong,
    )
    check(contract, "tealium", "auth", answer)
    client_agrees(contract.op("tealium", "auth"), answer)
    if (username, key) == ("valid", "valid"):
        assert answer.status_code == 200
    else:
        refused = next(case for case in contract.op("tealium", "auth").errors if case.request.body)
        expect_case(contract, "tealium", "auth", refused.name, answer)

"""Thalamus consumer login and logout: the documented flows, variants of the refusals the
catalogue lists (each of its cases is sent by ``contract_tests/test_error_cases.py``), and
the kit's decisions about the rest (docs/wire.md, Login and logout).

Wrong credentials are only ever tried with a principal no target has, so a live account is
never put at risk of a lockout.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, expect_case, status_path, thalamus_errors
from statuskit.client import RetryPolicy, ThalamusClient
from statuskit.client._base import session_cookies
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import NOBODY, Raw
from statuskit.contracts.target import ContractTarget
from statuskit.strategies import from_schema
from statuskit.wire import thalamus as thalamus_wire

pytestmark = pytest.mark.contract_api("thalamus")
UNKNOWN_ID = 2**63 - 1


def _login(contract: ContractTarget, response: Any, status: int | None = None) -> Any:
    return check(contract, "thalamus", "login", response, status)


def _session_works(contract: ContractTarget, raw: Raw, cookie: str) -> bool:
    answer = raw.thalamus_get(status_path(UNKNOWN_ID), session=False, headers={"Cookie": cookie})
    check(contract, "thalamus", "get-status", answer)
    return answer.status_code != 401


def _logout(contract: ContractTarget, raw: Raw, cookie: str) -> Any:
    params, headers = raw.thalamus_client()
    path = thalamus_wire.logout_path()
    answer = raw.send("GET", path, params=params, headers={**headers, "Cookie": cookie})
    check(contract, "thalamus", "logout", answer)
    return answer


# -- the documented flows --------------------------------------------------------------------


@pytest.mark.parametrize("style", ["basic", "json"])
def test_a_login_answers_200_and_sets_a_session_cookie(
    contract: ContractTarget, raw: Raw, style: str
) -> None:
    creds = raw.thalamus
    if style == "basic":
        answer = raw.thalamus_login(auth=(creds.principal, creds.password.reveal()))
    else:
        answer = raw.thalamus_login(
            json={"principal": creds.principal, "password": creds.password.reveal()}
        )
    _login(contract, answer, 200)
    cookie = session_cookies(answer)
    assert cookie is not None, "a successful login sets session cookies"
    assert _session_works(contract, raw, cookie)
    _logout(contract, raw, cookie)


@pytest.mark.parametrize("login_style", ["basic", "json"])
def test_the_reference_client_logs_in_and_out(contract: ContractTarget, login_style: str) -> None:
    with ThalamusClient.from_env(
        contract.base_url,
        login_path=contract.resources.login_path,
        login_style=login_style,  # type: ignore[arg-type]
        transport=contract.transport,
        retry=RetryPolicy(max_attempts=1),
        strict=True,
    ) as client:
        client.login()
        assert client.logged_in
        client.logout()
        assert not client.logged_in


@pytest.mark.parametrize("length", [3, 101])
def test_a_password_outside_4_to_100_characters_is_400_invalid_format(
    contract: ContractTarget, raw: Raw, length: int
) -> None:
    # The catalogue's case sends three characters for a principal no target has.
    answer = raw.thalamus_login(
        json={"principal": raw.thalamus.principal, "password": "p" * length}
    )
    expect_case(contract, "thalamus", "login", "password:InvalidFormat", answer)


@given(size=st.integers(1, 3) | st.integers(101, 140), char=st.sampled_from("pé😀 "))
def test_generated_passwords_of_a_wrong_length(
    contract: ContractTarget, raw: Raw, size: int, char: str
) -> None:
    # Lengths count characters, not bytes: "é" * 100 is a valid length.
    answer = raw.thalamus_login(json={"principal": raw.thalamus.principal, "password": char * size})
    expect_case(contract, "thalamus", "login", "password:InvalidFormat", answer)


# -- kit decisions ---------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_wrong_credentials_are_401_with_no_body(contract: ContractTarget, raw: Raw) -> None:
    answer = raw.thalamus_login(auth=(NOBODY, "statuskit-wrong"))
    _login(contract, answer, 401)
    assert answer.content == b""
    challenge = contract.op("thalamus", "login").body(401)
    assert challenge is not None
    assert answer.headers.get("WWW-Authenticate") == challenge.headers["WWW-Authenticate"]


@pytest.mark.kit_decision
def test_the_session_cookie_is_jsessionid_and_the_body_names_the_principal(
    contract: ContractTarget, raw: Raw
) -> None:
    creds = raw.thalamus
    answer = raw.thalamus_login(auth=(creds.principal, creds.password.reveal()))
    body = _login(contract, answer, 200)
    cookie = session_cookies(answer) or ""
    assert cookie.startswith("JSESSIONID=")
    assert body == {"principal": creds.principal}
    _logout(contract, raw, cookie)


def test_json_that_is_not_an_object_is_invalid_json(contract: ContractTarget, raw: Raw) -> None:
    # The catalogue's case sends JSON cut short; this one is whole, but not an object.
    answer = raw.thalamus_login(content=b"[1]", headers={"Content-Type": "application/json"})
    expect_case(contract, "thalamus", "login", "body:InvalidJson", answer)


@pytest.mark.kit_decision
def test_basic_auth_gets_the_same_checks_as_a_body(contract: ContractTarget, raw: Raw) -> None:
    empty_user = raw.thalamus_login(auth=("", "statuskit-password"))
    _login(contract, empty_user, 400)
    assert thalamus_errors(empty_user) == {"principal": "Required"}
    short = raw.thalamus_login(auth=(raw.thalamus.principal, "abc"))
    assert thalamus_errors(short) == {"password": "InvalidFormat"}
    garbled = raw.thalamus_login(headers={"Authorization": "Basic %%%"})
    _login(contract, garbled, 401)


@pytest.mark.kit_decision
def test_a_logout_answers_204_ends_the_session_and_is_idempotent(
    contract: ContractTarget, raw: Raw
) -> None:
    cookie = raw.new_thalamus_session()
    assert _logout(contract, raw, cookie).status_code == 204
    assert not _session_works(contract, raw, cookie)
    assert _logout(contract, raw, cookie).status_code == 204


# -- generated logins ------------------------------------------------------------------------


@given(body=from_schema("thalamus", "login-request"), basic=st.booleans())
def test_generated_logins(
    contract: ContractTarget, raw: Raw, body: dict[str, Any], basic: bool
) -> None:
    # Schema-valid bodies for principals no target has: refused, as documented, never a 5xx.
    principal = "statuskit-" + body["principal"]
    if basic:
        answer = raw.thalamus_login(auth=(principal, body.get("password", "")))
    else:
        answer = raw.thalamus_login(json={**body, "principal": principal})
    _login(contract, answer)
    client_agrees(contract.op("thalamus", "login"), answer)
    assert answer.status_code in (400, 401)

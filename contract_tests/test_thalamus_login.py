"""Thalamus consumer login and logout: the documented flows, each documented refusal, and
the kit's decisions about the rest (docs/wire.md, Login and logout).

Wrong credentials are only ever tried with a principal no target has, so a live account is
never put at risk of a lockout.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, status_path, thalamus_errors
from statuskit.client import RetryPolicy, ThalamusClient
from statuskit.client._base import session_cookies
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.strategies import from_schema

pytestmark = pytest.mark.contract_api("thalamus")
NOBODY = "statuskit-nobody@example.invalid"
UNKNOWN_ID = 2**63 - 1


def _login(contract: ContractTarget, response: Any, status: int | None = None) -> Any:
    return check(contract, "thalamus", "login", response, status)


def _session_works(contract: ContractTarget, raw: Raw, cookie: str) -> bool:
    answer = raw.thalamus_get(status_path(UNKNOWN_ID), session=False, headers={"Cookie": cookie})
    check(contract, "thalamus", "get-status", answer)
    return answer.status_code != 401


def _logout(contract: ContractTarget, raw: Raw, cookie: str) -> Any:
    params, headers = raw.thalamus_client()
    answer = raw.send("GET", "/api/v3/logout", params=params, headers={**headers, "Cookie": cookie})
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


def test_a_second_login_on_a_live_session_names_party_already_logged_in(
    contract: ContractTarget, raw: Raw
) -> None:
    cookie = raw.new_thalamus_session()
    creds = raw.thalamus
    again = raw.thalamus_login(
        auth=(creds.principal, creds.password.reveal()), headers={"Cookie": cookie}
    )
    _login(contract, again, 400)
    assert "PartyAlreadyLoggedin" in thalamus_errors(again).values()
    _logout(contract, raw, cookie)


def test_a_body_that_is_not_json_is_400_invalid_json(contract: ContractTarget, raw: Raw) -> None:
    answer = raw.thalamus_login(
        content=b'{"principal": ', headers={"Content-Type": "application/json"}
    )
    _login(contract, answer, 400)
    assert "InvalidJson" in thalamus_errors(answer).values()


def test_another_content_type_is_400_unsupported_media_type(
    contract: ContractTarget, raw: Raw
) -> None:
    answer = raw.thalamus_login(content=b"principal=x", headers={"Content-Type": "text/plain"})
    _login(contract, answer, 400)
    assert "UnsupportedMediaType" in thalamus_errors(answer).values()


def test_a_missing_principal_is_400_principal_required(contract: ContractTarget, raw: Raw) -> None:
    answer = raw.thalamus_login(json={"password": "statuskit-password"})
    _login(contract, answer, 400)
    assert thalamus_errors(answer) == {"principal": "Required"}


@pytest.mark.parametrize("length", [3, 101])
def test_a_password_outside_4_to_100_characters_is_400_invalid_format(
    contract: ContractTarget, raw: Raw, length: int
) -> None:
    answer = raw.thalamus_login(
        json={"principal": raw.thalamus.principal, "password": "p" * length}
    )
    _login(contract, answer, 400)
    assert thalamus_errors(answer) == {"password": "InvalidFormat"}


@given(size=st.integers(1, 3) | st.integers(101, 140), char=st.sampled_from("pé😀 "))
def test_generated_passwords_of_a_wrong_length(
    contract: ContractTarget, raw: Raw, size: int, char: str
) -> None:
    # Lengths count characters, not bytes: "é" * 100 is a valid length.
    answer = raw.thalamus_login(json={"principal": raw.thalamus.principal, "password": char * size})
    _login(contract, answer, 400)
    assert thalamus_errors(answer) == {"password": "InvalidFormat"}


@pytest.mark.parametrize(
    ("touchpoint", "token", "code"),
    [
        (None, "valid", {"partnerDataSource": "TouchpointCodeRequired"}),
        ("statuskit-no-such-touchpoint", "valid", {"partnerDataSource": "InvalidTouchpointCode"}),
        ("valid", None, {"token": "Required"}),
        ("valid", "statuskit-wrong-token", {"token": "InvalidToken"}),
    ],
)
@pytest.mark.parametrize("name", ["login", "logout"])
def test_login_and_logout_check_touchpoint_and_token(
    contract: ContractTarget,
    raw: Raw,
    name: str,
    touchpoint: str | None,
    token: str | None,
    code: dict[str, str],
) -> None:
    valid = {"touchpoint": raw.thalamus.touchpoint, "token": raw.thalamus.token.reveal()}
    params, headers = raw.placed(
        valid["touchpoint"] if touchpoint == "valid" else touchpoint,
        valid["token"] if token == "valid" else token,
    )
    if name == "login":
        auth = (raw.thalamus.principal, raw.thalamus.password.reveal())
        path = contract.resources.login_path
        answer = raw.send("POST", path, params=params, headers=headers, auth=auth)
    else:
        answer = raw.send("GET", "/api/v3/logout", params=params, headers=headers)
    check(contract, "thalamus", name, answer, 400)
    assert thalamus_errors(answer) == code


# -- kit decisions ---------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_wrong_credentials_are_401_with_no_body(contract: ContractTarget, raw: Raw) -> None:
    answer = raw.thalamus_login(auth=(NOBODY, "statuskit-wrong"))
    _login(contract, answer, 401)
    assert answer.content == b""
    assert answer.headers.get("WWW-Authenticate") == 'Basic realm="Thalamus"'


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


@pytest.mark.kit_decision
def test_the_codes_of_a_refused_login_are_keyed_as_the_kit_keys_them(
    contract: ContractTarget, raw: Raw
) -> None:
    cookie = raw.new_thalamus_session()
    creds = raw.thalamus
    again = raw.thalamus_login(
        auth=(creds.principal, creds.password.reveal()), headers={"Cookie": cookie}
    )
    assert thalamus_errors(again) == {"party": "PartyAlreadyLoggedin"}
    _logout(contract, raw, cookie)
    bad = raw.thalamus_login(content=b"[1]", headers={"Content-Type": "application/json"})
    assert thalamus_errors(bad) == {"body": "InvalidJson"}
    plain = raw.thalamus_login(content=b"x", headers={"Content-Type": "text/plain"})
    assert thalamus_errors(plain) == {"body": "UnsupportedMediaType"}


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

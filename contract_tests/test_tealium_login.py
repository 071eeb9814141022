"""Tealium v1 login and logout: the documented flow, the documented refusals, the lockout
(docs/wire.md, Tealium v1).

Wrong credentials are only ever tried with usernames no target has, so a live user is never
locked out; the lockout itself is tested on a mock only.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from contract_tests._support import check, tealium_error
from statuskit.client import RetryPolicy, TealiumClient
from statuskit.client._base import session_cookies
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import NOBODY, Raw
from statuskit.contracts.target import ContractTarget
from statuskit.fixtures import fixtures
from statuskit.mock import MockServer
from statuskit.strategies import from_schema
from statuskit.wire import tealium as tealium_wire

pytestmark = pytest.mark.contract_api("tealium")


def _documented_401(code: int) -> dict[str, Any]:
    """The documented 401 body of ``code``, from the documented fixtures."""
    for fixture in fixtures(api="tealium", kind="documented"):
        body = fixture.load()
        if fixture.schema == "error" and body.get("returnCode") == code:
            return dict(body)
    raise LookupError(code)


def _login(contract: ContractTarget, answer: Any, status: int | None = None) -> Any:
    return check(contract, "tealium", "login", answer, status)


def _logout(contract: ContractTarget, raw: Raw, cookie: str, utk: str) -> Any:
    params, headers = tealium_wire.v1_credentials(utk, cookie)
    answer = raw.send("POST", tealium_wire.logout_path(), params=params, headers=headers)
    return check(contract, "tealium", "logout", answer)


def _file_answer(contract: ContractTarget, raw: Raw, cookie: str, utk: str) -> int:
    path = raw.files_path(1, name="statuskit-no-such-file.csv")
    answer = raw.tealium_get(path, cookie=cookie, utk=utk)
    check(contract, "tealium", "get-file-status", answer)
    return answer.status_code


def test_a_login_answers_a_utk_and_the_documented_session_cookie(
    contract: ContractTarget, raw: Raw
) -> None:
    answer = raw.tealium_login()
    _login(contract, answer, 200)
    set_cookie = answer.headers.get("set-cookie", "")
    for part in ("JSESSIONID=", "Path=/urest_service", "Secure", "HttpOnly"):
        assert part in set_cookie, f"Set-Cookie lacks {part!r}"
    cookie, utk = session_cookies(answer) or "", answer.json()["utk"]
    assert _file_answer(contract, raw, cookie, utk) != 401
    _logout(contract, raw, cookie, utk)


def test_wrong_credentials_are_401_authentication_failed(
    contract: ContractTarget, raw: Raw
) -> None:
    answer = raw.tealium_login(NOBODY, "statuskit-wrong")
    _login(contract, answer, 401)
    assert answer.json() == _documented_401(1401)


def test_the_reference_client_logs_in_and_out(contract: ContractTarget) -> None:
    with TealiumClient.from_env(
        contract.base_url, transport=contract.transport, retry=RetryPolicy(max_attempts=1)
    ) as client:
        client.login()
        assert client.logged_in
        client.logout()
        assert not client.logged_in


@pytest.mark.kit_decision
@pytest.mark.parametrize("form", ["no-password", "no-username", "json"])
def test_a_login_that_is_not_a_full_form_is_wrong_credentials(
    contract: ContractTarget, raw: Raw, form: str
) -> None:
    login = tealium_wire.login(1)
    if form == "json":
        answer = raw.send("POST", login.path, json=login.form(NOBODY, "x"))
    else:
        full = login.form(NOBODY, "x")
        data = {
            k: v
            for k, v in full.items()
            if k != (login.secret_field if form == "no-password" else login.user_field)
        }
        answer = raw.send("POST", login.path, data=data)
    _login(contract, answer, 401)
    assert tealium_error(answer)[0] == 1401


@pytest.mark.kit_decision
def test_a_logout_answers_204_and_ends_the_session(contract: ContractTarget, raw: Raw) -> None:
    cookie, utk = raw.new_tealium_session()
    assert _logout(contract, raw, cookie, utk) is None
    assert _file_answer(contract, raw, cookie, utk) == 401
    params, headers = tealium_wire.v1_credentials(utk, cookie)
    again = raw.send("POST", tealium_wire.logout_path(), params=params, headers=headers)
    assert again.status_code == 204


@pytest.mark.kit_decision
def test_five_failures_lock_a_user_out_for_ten_minutes(
    contract: ContractTarget, raw: Raw, mock: MockServer
) -> None:
    mock.freeze()
    for _ in range(5):
        assert tealium_error(raw.tealium_login(password="statuskit-wrong"))[0] == 1401
    # [DOC] Once locked out, right and wrong credentials alike get 1402.
    for password in ("statuskit-wrong", None):
        locked = raw.tealium_login(password=password)
        _login(contract, locked, 401)
        assert locked.json() == _documented_401(1402)
    mock.advance(601)
    _login(contract, raw.tealium_login(), 200)


# -- generated logins ------------------------------------------------------------------------


@given(form=from_schema("tealium", "login-request"))
def test_generated_logins(contract: ContractTarget, raw: Raw, form: dict[str, str]) -> None:
    # Schema-valid forms for usernames no target has: 401 1401, never anything else.
    answer = raw.tealium_login("statuskit-" + form["username"], form["password"])
    _login(contract, answer, 401)
    client_agrees(contract.op("tealium", "login"), answer)
    assert tealium_error(answer)[0] == 1401

"""The Tealium mock's authentication (v1 sessions, v2 tokens) and its error answers."""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path

import httpx
import pytest
from flask import Flask

from mockserver import create_app as create_combined
from mockserver.tealium.api import SESSION_TTL
from statuskit.fixtures import documented, fixtures
from tests.mock.conftest import (
    API_KEY,
    PASSWORD,
    USERNAME,
    V1,
    Fresh,
    assert_body,
    assert_error,
    auth_v2,
    client_for,
    files_url,
    login_v1,
)

SECRET = "hunter2-do-not-print"
DOCUMENTED_NAME = "sales-transaction_2016feb4v50.csv"
DOCUMENTED = {
    f.load()["returnCode"]: f.load()
    for f in fixtures(api="tealium", kind="documented")
    if f.schema == "error"
}


def documented_file(client: httpx.Client, version: str, **kw: object) -> httpx.Response:
    return client.get(f"{files_url(version)}/{DOCUMENTED_NAME}", **kw)  # type: ignore[arg-type]


def set_clock(app: Flask, now: float) -> None:
    app.extensions["statuskit"].clock = lambda: now


# -- v1 login ---------------------------------------------------------------------------


def test_login_answers_utk_and_the_documented_cookie(tealium: httpx.Client) -> None:
    response = tealium.post("/v1/login", data={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 200
    assert set(assert_body(response, "login-response")) == {"utk"}
    cookie = response.headers["set-cookie"]
    assert re.fullmatch(r"JSESSIONID=[0-9a-f]+; Path=/urest_service; Secure; HttpOnly", cookie)


def test_cookie_path_and_secure_flag_are_configurable(fresh: Fresh) -> None:
    _, client = fresh(tealium_cookie_path="/", tealium_cookie_secure=False)
    response = client.post("/v1/login", data={"username": USERNAME, "password": PASSWORD})
    assert re.fullmatch(r"JSESSIONID=[0-9a-f]+; Path=/; HttpOnly", response.headers["set-cookie"])


@pytest.mark.parametrize(
    "form",
    [
        {"username": USERNAME, "password": "wrong"},
        {"username": "someone@example.com", "password": PASSWORD},
        {"username": USERNAME},
        {"password": PASSWORD},
        {},
    ],
    ids=["password", "username", "no-password", "no-username", "empty"],
)
def test_wrong_credentials_are_the_documented_1401(fresh: Fresh, form: dict[str, str]) -> None:
    _, client = fresh()
    response = client.post("/v1/login", data=form)
    assert_error(response, 401, 1401)
    assert response.json() == DOCUMENTED[1401]
    assert PASSWORD not in response.text


def test_a_json_login_body_is_not_a_form(fresh: Fresh) -> None:
    _, client = fresh()
    response = client.post("/v1/login", json={"username": USERNAME, "password": PASSWORD})
    assert_error(response, 401, 1401)


def test_lockout_after_five_failures_lasts_ten_minutes(fresh: Fresh) -> None:
    app, client = fresh()
    wrong = {"username": USERNAME, "password": "wrong"}
    right = {"username": USERNAME, "password": PASSWORD}
    for n in range(5):
        set_clock(app, 1000.0 + n)
        assert_error(client.post("/v1/login", data=wrong), 401, 1401)
    # The 6th attempt, right or wrong, and every attempt for ten minutes after the 5th failure.
    for at, form in ((1005.0, right), (1300.0, wrong), (1603.9, right)):
        set_clock(app, at)
        response = client.post("/v1/login", data=form)
        assert_error(response, 401, 1402)
        assert response.json() == DOCUMENTED[1402]
    set_clock(app, 1604.0)
    assert client.post("/v1/login", data=right).status_code == 200


def test_failures_outside_the_window_do_not_lock(fresh: Fresh) -> None:
    app, client = fresh()
    wrong = {"username": USERNAME, "password": "wrong"}
    for at in (0.0, 1.0, 2.0, 3.0, 700.0):
        set_clock(app, at)
        assert_error(client.post("/v1/login", data=wrong), 401, 1401)
    assert client.post("/v1/login", data={**wrong, "password": PASSWORD}).status_code == 200


def test_a_successful_login_forgets_failures(fresh: Fresh) -> None:
    app, client = fresh()
    set_clock(app, 50.0)
    wrong = {"username": USERNAME, "password": "wrong"}
    for _ in range(4):
        client.post("/v1/login", data=wrong)
    login_v1(client)
    for _ in range(4):
        assert_error(client.post("/v1/login", data=wrong), 401, 1401)
    login_v1(client)


def test_lockout_is_per_username(fresh: Fresh) -> None:
    _, client = fresh(tealium_lockout_attempts=2)
    for _ in range(3):
        client.post("/v1/login", data={"username": "other@example.com", "password": "x"})
    assert_error(
        client.post("/v1/login", data={"username": "other@example.com", "password": "x"}),
        401,
        1402,
    )
    login_v1(client)


# -- v1 sessions ------------------------------------------------------------------------


def test_files_need_cookie_and_utk_of_one_session(tealium: httpx.Client, v1: V1) -> None:
    other = login_v1(tealium)
    assert documented_file(tealium, "v1", params=v1.params, headers=v1.headers).status_code == 200
    for params, headers in (
        ({}, v1.headers),
        (v1.params, {}),
        ({}, {}),
        (other.params, v1.headers),
        (v1.params, {"Cookie": "JSESSIONID=0123"}),
        (v1.params, {"Cookie": f"OTHER={v1.jsessionid}"}),
        ({"utk": ""}, v1.headers),
    ):
        response = documented_file(tealium, "v1", params=params, headers=headers)
        assert_error(response, 401, 1401)


def test_logout_ends_the_session(tealium: httpx.Client) -> None:
    caller = login_v1(tealium)
    response = tealium.post("/v1/logout", params=caller.params, headers=caller.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    tealium.cookies.clear()
    gone = documented_file(tealium, "v1", params=caller.params, headers=caller.headers)
    assert_error(gone, 401, 1401)
    assert tealium.post("/v1/logout").status_code == 204


def test_a_session_expires(fresh: Fresh) -> None:
    app, client = fresh()
    set_clock(app, 10_000.0)
    caller = login_v1(client)
    set_clock(app, 10_000.0 + SESSION_TTL - 1)
    assert documented_file(client, "v1", params=caller.params, headers=caller.headers).is_success
    set_clock(app, 10_000.0 + SESSION_TTL)
    expired = documented_file(client, "v1", params=caller.params, headers=caller.headers)
    assert_error(expired, 401, 1401)


def test_an_account_outside_the_configured_list_is_1469(fresh: Fresh) -> None:
    _, client = fresh(tealium_accounts=["acme"])
    caller, bearer = login_v1(client), auth_v2(client)
    for version, kw in (
        ("v1", {"params": caller.params, "headers": caller.headers}),
        ("v2", {"headers": bearer}),
    ):
        ok = client.get(f"{files_url(version)}/{DOCUMENTED_NAME}", **kw)  # type: ignore[arg-type]
        assert ok.status_code == 200
        denied = client.get(f"{files_url(version, 'globex')}/x.csv", **kw)  # type: ignore[arg-type]
        assert_error(denied, 401, 1469)
        assert denied.json() == DOCUMENTED[1469]


# -- v2 tokens --------------------------------------------------------------------------


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return claims


def test_auth_answers_a_30_minute_hs256_jwt(tealium: httpx.Client) -> None:
    response = tealium.post("/v2/auth", data={"username": USERNAME, "key": API_KEY})
    token = assert_body(response, "auth-response")["token"]
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = _claims(token)
    assert claims["exp"] == claims["iat"] + 1800  # type: ignore[operator]
    assert claims["sub"] == USERNAME


@pytest.mark.parametrize(
    "form",
    [{"username": USERNAME, "key": "wrong"}, {"username": "x@example.com", "key": API_KEY}, {}],
)
def test_auth_with_wrong_credentials_is_1401(tealium: httpx.Client, form: dict[str, str]) -> None:
    assert_error(tealium.post("/v2/auth", data=form), 401, 1401)


def test_v2_needs_a_good_bearer_token(tealium: httpx.Client, v2: dict[str, str], v1: V1) -> None:
    assert documented_file(tealium, "v2", headers=v2).status_code == 200
    token = v2["Authorization"].removeprefix("Bearer ")
    head, payload, signature = token.split(".")
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    for headers in (
        {},
        {"Authorization": token},
        {"Authorization": f"Basic {token}"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {head}.{payload}.{signature[:-2]}AA"},
        {"Authorization": f"Bearer {head}.{payload[:-2]}xx.{signature}"},
        {"Authorization": f"Bearer {unsigned}.{payload}."},
        {"Authorization": f"Bearer {v1.utk}"},
        v1.headers,
    ):
        assert_error(documented_file(tealium, "v2", headers=headers), 401, 1401)
    # v1 credentials do not open v2, nor a v2 token v1.
    assert_error(documented_file(tealium, "v2", params=v1.params, headers=v1.headers), 401, 1401)
    assert_error(documented_file(tealium, "v1", headers=v2), 401, 1401)


def test_a_token_from_another_database_is_refused(fresh: Fresh, v2: dict[str, str]) -> None:
    _, client = fresh()
    assert_error(documented_file(client, "v2", headers=v2), 401, 1401)


def test_a_token_expires_after_its_ttl(fresh: Fresh) -> None:
    app, client = fresh()
    set_clock(app, 2_000_000.0)
    bearer = auth_v2(client)
    set_clock(app, 2_000_000.0 + 1799)
    assert documented_file(client, "v2", headers=bearer).status_code == 200
    set_clock(app, 2_000_000.0 + 1800)
    assert_error(documented_file(client, "v2", headers=bearer), 401, 1401)


def test_workers_sharing_a_database_accept_each_others_credentials(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    first, second = create_combined({"state_path": path}), create_combined({"state_path": path})
    with client_for(first) as a, client_for(second) as b:
        bearer, caller = auth_v2(a), login_v1(a)
        assert documented_file(b, "v2", headers=bearer).status_code == 200
        assert documented_file(b, "v1", params=caller.params, headers=caller.headers).is_success
        total = a.get(f"{files_url('v2')}/count", headers=bearer, params=_everything())
        assert (
            total.json()
            == b.get(f"{files_url('v2')}/count", headers=bearer, params=_everything()).json()
        )


def _everything() -> dict[str, str]:
    return {"filePrefix": "", "startDate": "2000-01-01T00:00Z", "endDate": "2999-12-31T23:59Z"}


# -- errors outside the documented cases ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/nowhere", 404),
        ("GET", "/v2/omnichannel/accounts/acme", 404),
        ("GET", "/v1//login", 404),
        ("GET", f"{files_url('v1')}/", 404),
        ("GET", "/v1/login", 405),
        ("DELETE", "/v2/auth", 405),
        ("POST", f"{files_url('v1')}/{DOCUMENTED_NAME}", 405),
        ("PUT", f"{files_url('v2')}/count", 405),
    ],
)
def test_http_errors_answer_in_the_v1_shape(
    tealium: httpx.Client, method: str, path: str, status: int
) -> None:
    assert_error(tealium.request(method, path), status, status)


def test_a_body_too_large_is_413(fresh: Fresh) -> None:
    _, client = fresh(max_content_length=64)
    response = client.post("/v1/login", data={"username": USERNAME, "password": "x" * 100})
    assert_error(response, 413, 413)


def test_a_crash_is_a_500_in_the_v1_shape_without_secrets(
    fresh: Fresh, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app, client = fresh(tealium={"password": SECRET})
    caller = login_v1(client, password=SECRET)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.extensions["statuskit"].store, "timeline", broken)
    with caplog.at_level(logging.ERROR, logger="statuskit.mock"):
        response = documented_file(client, "v1", params=caller.params, headers=caller.headers)
    assert_error(response, 500, 500)
    for secret in (caller.utk, caller.jsessionid, SECRET):
        assert secret not in response.text
        assert secret not in caplog.text


def test_error_bodies_are_checked_once_then_reused(
    tealium_app: Flask, tealium: httpx.Client, v1: V1, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = tealium_app.extensions["statuskit"].gate
    unknown = {"url": f"{files_url('v1')}/x.csv", "params": v1.params, "headers": v1.headers}
    tealium.get("/v1/nowhere")
    tealium.get(f"{files_url('v1')}/x.csv")
    tealium.get(**unknown)  # type: ignore[arg-type]
    calls: list[str] = []

    def spy(api: str, schema: str, obj: object) -> bytes:
        calls.append(schema)
        return b""

    monkeypatch.setattr(gate, "encode", spy)
    assert_error(tealium.get("/v1/nowhere"), 404, 404)
    assert_error(tealium.get(f"{files_url('v1')}/x.csv"), 401, 1401)
    assert_error(tealium.get(**unknown), 404, 404)  # type: ignore[arg-type]
    assert calls == []


def test_reprs_hide_secrets(fresh: Fresh) -> None:
    app, client = fresh(tealium={"password": SECRET, "api_key": SECRET + "-key"})
    caller, bearer = login_v1(client, password=SECRET), auth_v2(client, key=SECRET + "-key")
    state = app.extensions["statuskit"]
    api = state.api("tealium")
    session = state.store.session("tealium", caller.jsessionid, now=state.clock())
    token = bearer["Authorization"].removeprefix("Bearer ")
    for obj in (api, api.signer, session, state.config, state, caller):
        text = repr(obj)
        for secret in (caller.utk, caller.jsessionid, SECRET, token):
            assert secret not in text


# -- the combined app -------------------------------------------------------------------


def test_the_combined_app_serves_both_apis() -> None:
    with client_for(create_combined()) as client:
        caller = login_v1(client)
        served = documented_file(client, "v1", params=caller.params, headers=caller.headers)
        assert served.json() == documented("tealium", "get-file-status", 200).load()
        assert documented_file(client, "v2", headers=auth_v2(client)).status_code == 200
        thalamus = client.get("/api/v4/import/status/1", params={"touchpoint": "test"})
        assert thalamus.json() == {"errors": {"token": "Required"}}
        assert client.get("/nowhere").json() == {"errors": {"path": "NotFound"}}
        assert_error(client.get("/v1/nowhere"), 404, 404)
        assert_error(client.get("/v2/nowhere"), 404, 404)

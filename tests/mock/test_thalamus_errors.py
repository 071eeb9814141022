"""Errors outside the documented cases, the never-drifts gate, and secrets (docs/wire.md)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver.thalamus import create_app
from mockserver.thalamus.records import RecordFactory
from statuskit.errors import ContractViolation
from tests.mock.thalamus_support import (
    CLIENT,
    COOKIE,
    LOGIN,
    LOGOUT,
    PASSWORD,
    PRINCIPAL,
    STATUS,
    UPLOAD,
    assert_error,
    client,
    login,
    state_of,
)

# -- 404, 405, 413 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/api", "/api/v4/import", "/api/v4/import/status/1/2", "/api/v3/logout/", "/index.html"],
)
def test_no_such_route(thalamus_session: httpx.Client, path: str) -> None:
    assert_error(thalamus_session.get(path, params=CLIENT), 404, "path", "NotFound")


def test_no_such_route_is_404_before_any_check(thalamus_http: httpx.Client) -> None:
    assert_error(thalamus_http.get("/nowhere"), 404, "path", "NotFound")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", f"{STATUS}/274", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", f"{STATUS}/274", {"GET", "HEAD", "OPTIONS"}),
        ("PUT", STATUS, {"GET", "HEAD", "OPTIONS"}),
        ("GET", UPLOAD, {"POST", "OPTIONS"}),
        ("PATCH", UPLOAD, {"POST", "OPTIONS"}),
        ("GET", LOGIN, {"POST", "OPTIONS"}),
        ("DELETE", LOGOUT, {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_method_not_allowed(
    thalamus_session: httpx.Client, method: str, path: str, allowed: set[str]
) -> None:
    response = thalamus_session.request(method, path, params=CLIENT)
    assert_error(response, 405, "method", "MethodNotAllowed")
    # RFC 9110: a 405 lists the methods the resource does allow.
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


def test_head_is_get_without_a_body(thalamus_session: httpx.Client) -> None:
    get = thalamus_session.get(f"{STATUS}/274", params=CLIENT)
    head = thalamus_session.head(f"{STATUS}/274", params=CLIENT)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))


def test_options_names_the_methods(thalamus_http: httpx.Client) -> None:
    # [KIT] Flask's automatic OPTIONS: 200, the Allow header, no body, no checks.
    response = thalamus_http.options(f"{STATUS}/274")
    assert response.status_code == 200
    assert response.content == b""
    assert "content-type" not in response.headers
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}


@pytest.fixture
def small_app() -> Flask:
    return create_app({"max_content_length": 64})


def test_a_large_login_body_is_413(small_app: Flask) -> None:
    http = client(small_app)
    body = {"principal": PRINCIPAL, "password": PASSWORD, "padding": "x" * 100}
    assert_error(http.post(LOGIN, params=CLIENT, json=body), 413, "body", "PayloadTooLarge")
    # A body under the limit still logs in.
    response = http.post(LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": PASSWORD})
    assert response.status_code == 200


def test_a_large_upload_is_413(small_app: Flask) -> None:
    http = client(small_app)
    login(http)
    response = http.post(
        UPLOAD,
        params={**CLIENT, "name": "big", "type": "25006"},
        files={"file": ("big.xlsx", b"x" * 1000)},
    )
    assert_error(response, 413, "body", "PayloadTooLarge")
    # Nothing was stored.
    listed = http.get(STATUS, params={**CLIENT, "name": "big"}).json()
    assert listed["totalItems"] == 0


def test_a_large_body_on_a_route_that_ignores_bodies_is_ignored(small_app: Flask) -> None:
    http = client(small_app)
    login(http)
    response = http.request("GET", f"{STATUS}/274", params=CLIENT, content=b"x" * 1000)
    assert response.status_code == 200


def assert_never_html(response: httpx.Response) -> None:
    content_type = response.headers.get("content-type", "")
    assert "html" not in content_type
    assert b"<html" not in response.content.lower()
    assert b"<!doctype" not in response.content.lower()


def test_no_answer_is_html(thalamus_app: Flask) -> None:
    http = client(thalamus_app)
    answers = [
        http.get("/nowhere"),
        http.delete(f"{STATUS}/274"),
        http.get(f"{STATUS}/274", params=CLIENT),  # 401
        http.options(f"{STATUS}/274"),
        http.post(LOGIN, params=CLIENT, auth=(PRINCIPAL, "wrong")),
    ]
    login(http)
    answers += [http.get(LOGOUT, params=CLIENT)]
    small = client(create_app({"max_content_length": 8}))
    answers += [small.post(LOGIN, params=CLIENT, json={"principal": "x" * 100})]
    assert {r.status_code for r in answers} == {200, 204, 401, 404, 405, 413}
    for response in answers:
        assert_never_html(response)
        if response.content:
            assert response.headers["content-type"] == "application/json"


# -- 500 and the never-drifts gate ----------------------------------------------------------


def upload(http: httpx.Client) -> httpx.Response:
    return http.post(
        UPLOAD,
        params={**CLIENT, "name": "weekly", "type": "25011"},
        files={"file": ("weekly.xlsx", b"data")},
    )


def test_a_record_that_breaks_its_schema_is_a_loud_500(
    thalamus_app: Flask,
    thalamus_session: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    build = RecordFactory.build

    def broken(self: RecordFactory, **kwargs: Any) -> dict[str, Any]:
        record = build(self, **kwargs)
        record["state"] = "FINISHED"  # not a state the schema knows
        return record

    monkeypatch.setattr(RecordFactory, "build", broken)
    with caplog.at_level(logging.ERROR, logger="statuskit.mock"):
        response = upload(thalamus_session)
    assert_error(response, 500, "server", "InternalError")
    [line] = [r for r in caplog.records if r.name == "statuskit.mock"]
    assert line.levelno == logging.ERROR
    assert "drifted from its schema" in line.getMessage()
    assert "$.state" in line.getMessage()
    # The broken record was never stored: the list still holds only the seeded ones.
    listed = thalamus_session.get(STATUS, params={**CLIENT, "name": "weekly"}).json()
    assert listed["totalItems"] == 0


def test_a_broken_gate_still_answers_in_the_api_format(
    thalamus_app: Flask,
    thalamus_session: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Even when every body the gate sees is rejected, the 500 itself still goes out.
    gate = state_of(thalamus_app).gate

    def reject(api: str, schema: str, obj: Any) -> bytes:
        raise ContractViolation(f"{api}/{schema}: rejected for the test")

    monkeypatch.setattr(gate, "encode", reject)
    with caplog.at_level(logging.ERROR, logger="statuskit.mock"):
        response = upload(thalamus_session)
        listing = thalamus_session.get(STATUS, params=CLIENT)
    for answer in (response, listing):
        assert answer.status_code == 500
        assert answer.json() == {"errors": {"server": "InternalError"}}
    messages = [r.getMessage() for r in caplog.records if r.name == "statuskit.mock"]
    assert any("thalamus/import-record: rejected" in m for m in messages)
    assert any("thalamus/import-page: rejected" in m for m in messages)


def test_a_crash_is_a_500_in_the_api_format_and_logged(
    thalamus_session: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crash(self: RecordFactory, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(RecordFactory, "build", crash)
    with caplog.at_level(logging.ERROR, logger="statuskit.mock"):
        response = upload(thalamus_session)
    assert_error(response, 500, "server", "InternalError")
    assert b"kaboom" not in response.content
    [line] = [r for r in caplog.records if r.name == "statuskit.mock"]
    assert "POST /api/v4/import/file" in line.getMessage()
    assert line.exc_info is not None


def test_the_gate_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({"validate_responses": False})
    http = client(app)
    login(http)
    build = RecordFactory.build

    def broken(self: RecordFactory, **kwargs: Any) -> dict[str, Any]:
        return {**build(self, **kwargs), "state": "FINISHED"}

    monkeypatch.setattr(RecordFactory, "build", broken)
    response = upload(http)
    assert response.status_code == 200
    assert response.json()["state"] == "FINISHED"


# -- secrets --------------------------------------------------------------------------------

SECRET_TOKEN = "tok-0123456789-secret"
SECRET_PASSWORD = "pw-9876543210-secret"


def test_secrets_never_appear_in_bodies_or_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app({"thalamus": {"token": SECRET_TOKEN, "password": SECRET_PASSWORD}})
    http = client(app)
    params = {"touchpoint": "test", "token": SECRET_TOKEN}
    wrong = {"principal": PRINCIPAL, "password": SECRET_PASSWORD + "x"}
    responses: list[httpx.Response] = []
    with caplog.at_level(logging.DEBUG):
        responses.append(http.post(LOGIN, params=params, json=wrong))
        responses.append(http.post(LOGIN, params=params, auth=(PRINCIPAL, SECRET_PASSWORD + "x")))
        responses.append(
            http.post(LOGIN, params={"touchpoint": "test", "token": SECRET_TOKEN[:-1]})
        )
        responses.append(
            http.post(
                LOGIN, params=params, json={"principal": PRINCIPAL, "password": SECRET_PASSWORD}
            )
        )
        cookie = http.cookies[COOKIE]
        responses.append(http.post(LOGIN, params=params, json=wrong))  # already logged in
        responses.append(http.get(f"{STATUS}/274", params=params))
        responses.append(http.get(STATUS, params={**params, "page": "x"}))
        responses.append(
            http.post(
                UPLOAD,
                params={**params, "name": "n", "type": "25011"},
                files={"file": ("f.xlsx", b"x")},
            )
        )

        def crash(self: RecordFactory, **kwargs: Any) -> dict[str, Any]:
            raise RuntimeError("kaboom")

        monkeypatch.setattr(RecordFactory, "build", crash)
        responses.append(
            http.post(
                UPLOAD,
                params={**params, "name": "n", "type": "25011"},
                headers={"Thalamus-Token": SECRET_TOKEN},
                files={"file": ("f.xlsx", b"x")},
            )
        )
        responses.append(http.get(LOGOUT, params=params))
    assert [r.status_code for r in responses] == [401, 401, 400, 200, 400, 200, 400, 200, 500, 204]
    # What the mock logs; httpx's own lines are the test client's, which sent the secrets.
    mock_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in mock_records)
    assert any(r.name == "statuskit.mock" for r in mock_records)  # the crash was logged
    for secret in (SECRET_TOKEN, SECRET_PASSWORD, cookie):
        for response in responses:
            assert secret.encode() not in response.content
        assert secret not in logged

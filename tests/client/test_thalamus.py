"""The Thalamus client against respx: login, session, every status and error body."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from statuskit.client import ThalamusClient
from statuskit.client.retry import RetryPolicy
from statuskit.errors import (
    AuthenticationError,
    ContractViolation,
    InvalidArgumentError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
    TouchpointError,
)
from tests.client.conftest import PASSWORD, SESSION, THALAMUS, TOKEN, FakeTime, transport

STATUS = "/api/v4/import/status/274"


def client(router: respx.Router, fake_time: FakeTime, **options: Any) -> ThalamusClient:
    options.setdefault("principal", "consumer@example.com")
    options.setdefault("password", PASSWORD)
    return ThalamusClient(
        THALAMUS,
        touchpoint="test",
        token=TOKEN,
        transport=transport(router),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        **options,
    )


def page(items: list[Any], number: int, total_pages: int) -> dict[str, Any]:
    return {
        "items": items,
        "page": number,
        "pageSize": 2,
        "totalItems": 5,
        "totalPages": total_pages,
    }


def test_get_status_logs_in_first_and_sends_the_session(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    status = thalamus_router.get(STATUS).respond(200, content=record_bytes)
    with client(thalamus_router, fake_time) as c:
        record = c.get_status(274)
        assert c.logged_in
    assert (record.id, record.state, record.owner.entity_type) == (274, "CANCELED", 25011)
    login = thalamus_router["login"].calls.last.request
    expected = base64.b64encode(f"consumer@example.com:{PASSWORD}".encode()).decode()
    assert login.headers["Authorization"] == f"Basic {expected}"
    assert "cookie" not in login.headers
    sent = status.calls.last.request
    assert sent.url.params["touchpoint"] == "test"
    assert "token" not in sent.url.params  # the token travels as a header, out of URL logs
    assert sent.headers["Thalamus-Token"] == TOKEN
    assert sent.headers["Cookie"] == f"JSESSIONID={SESSION}"


def test_json_login_sends_principal_and_password(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    with client(thalamus_router, fake_time, login_style="json", activity="a1") as c:
        c.login()
    sent = thalamus_router["login"].calls.last.request
    assert json.loads(sent.content) == {"principal": "consumer@example.com", "password": PASSWORD}
    assert "authorization" not in sent.headers
    assert sent.url.params["activity"] == "a1"


def test_the_login_path_is_configurable(fake_time: FakeTime) -> None:
    router = respx.Router(base_url=THALAMUS)
    route = router.post("/custom/login").respond(200, headers={"Set-Cookie": "JSESSIONID=x"})
    with client(router, fake_time, login_path="custom/login") as c:
        c.login()
    assert route.called


def test_an_expired_session_logs_in_again_once(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    thalamus_router.get(STATUS).mock(
        side_effect=[httpx.Response(401), httpx.Response(200, content=record_bytes)]
    )
    with client(thalamus_router, fake_time) as c:
        assert c.get_status(274).id == 274
    assert thalamus_router["login"].call_count == 2  # first use, then after the 401


def test_a_second_401_is_raised_after_one_new_login(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    status = thalamus_router.get(STATUS).respond(401, headers={"WWW-Authenticate": "Basic"})
    with client(thalamus_router, fake_time) as c, pytest.raises(AuthenticationError) as caught:
        c.get_status(274)
    assert thalamus_router["login"].call_count == 2
    assert status.call_count == 2
    assert caught.value.status_code == 401
    assert "\n" not in str(caught.value)


def test_without_a_principal_the_client_never_logs_in(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    thalamus_router.get(STATUS).respond(401)
    c = client(thalamus_router, fake_time, principal=None, password=None)
    with pytest.raises(AuthenticationError, match="pass principal= and password="):
        c.get_status(274)
    assert not thalamus_router["login"].called
    with pytest.raises(InvalidArgumentError, match="without a principal"):
        c.login()


def test_a_wrong_password_is_an_authentication_error(fake_time: FakeTime) -> None:
    router = respx.Router(base_url=THALAMUS)
    router.post("/api/v3/thalamus_security_check").respond(401)
    with client(router, fake_time) as c, pytest.raises(AuthenticationError) as caught:
        c.login()
    assert "wrong principal or password" in str(caught.value)
    assert not c.logged_in


def test_a_login_without_a_cookie_is_malformed(fake_time: FakeTime) -> None:
    router = respx.Router(base_url=THALAMUS)
    router.post("/api/v3/thalamus_security_check").respond(200, json={"principal": "x"})
    with client(router, fake_time) as c, pytest.raises(MalformedResponseError, match="cookie"):
        c.login()


@pytest.mark.parametrize(
    ("status", "body", "error", "attributes"),
    [
        (400, {"errors": {"token": "InvalidToken"}}, AuthenticationError, {}),
        (400, {"errors": {"token": "Required"}}, AuthenticationError, {}),
        (400, {"errors": {"partnerDataSource": "InvalidTouchpointCode"}}, TouchpointError, {}),
        (400, {"errors": {"partnerDataSource": "TouchpointCodeRequired"}}, TouchpointError, {}),
        (400, {"errors": {"id": "InvalidId"}}, InvalidRequestError, {}),
        (404, {"errors": {"id": "NotFound"}}, NotFoundError, {}),
        (404, {"errors": {"path": "NotFound"}}, NotFoundError, {}),
        (405, {"errors": {"method": "MethodNotAllowed"}}, InvalidRequestError, {}),
        (413, {"errors": {"body": "PayloadTooLarge"}}, InvalidRequestError, {}),
        (500, {"errors": {"server": "InternalError"}}, ServerError, {}),
    ],
)
def test_error_statuses_map_to_the_tree(
    thalamus_router: respx.Router,
    fake_time: FakeTime,
    status: int,
    body: dict[str, Any],
    error: type[Exception],
    attributes: dict[str, Any],
) -> None:
    route = thalamus_router.get(STATUS).respond(status, json=body)
    with client(thalamus_router, fake_time) as c, pytest.raises(error) as caught:
        c.get_status(274)
    assert type(caught.value) is error
    assert caught.value.errors == body["errors"]  # type: ignore[attr-defined]
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    field, code = next(iter(body["errors"].items()))
    assert f"{field}={code}" in str(caught.value)
    assert route.call_count == 1  # none of these is retried, nor cured by a new login
    assert thalamus_router["login"].call_count == 1


def test_a_proxy_error_page_is_classified_by_status(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    thalamus_router.get(STATUS).respond(500, text="<html>oops</html>")
    with client(thalamus_router, fake_time) as c, pytest.raises(ServerError) as caught:
        c.get_status(274)
    assert caught.value.errors == {}


def test_strict_mode_checks_error_bodies(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    thalamus_router.get(STATUS).respond(400, json={"errors": {"id": "NoSuchCode"}})
    with client(thalamus_router, fake_time) as c, pytest.raises(InvalidRequestError):
        c.get_status(274)
    with client(thalamus_router, fake_time, strict=True) as c, pytest.raises(ContractViolation):
        c.get_status(274)


def test_an_unknown_state_is_a_value_and_strict_mode_reports_it(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    body = json.loads(record_bytes) | {"state": "ARCHIVED", "newField": [1]}
    thalamus_router.get(STATUS).respond(200, json=body)
    with client(thalamus_router, fake_time) as c:
        record = c.get_status(274)
    assert (record.state, record.extra) == ("ARCHIVED", {"newField": [1]})
    with (
        client(thalamus_router, fake_time, strict=True) as c,
        pytest.raises(ContractViolation) as caught,
    ):
        c.get_status(274)
    assert [(f.path, f.schema_path) for f in caught.value.findings] == [
        ("$", "/additionalProperties"),
        ("$.state", "/properties/state/enum"),
    ]
    assert (caught.value.path, caught.value.schema_path) == ("$", "/additionalProperties")
    assert STATUS in str(caught.value)


def test_a_record_missing_a_required_key_is_malformed(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    body = json.loads(record_bytes)
    del body["state"]
    thalamus_router.get(STATUS).respond(200, json=body)
    with client(thalamus_router, fake_time) as c, pytest.raises(MalformedResponseError) as caught:
        c.get_status(274)
    assert [(f.path, f.keyword) for f in caught.value.findings] == [("$", "required")]
    assert caught.value.response is not None
    assert caught.value.response.status_code == 200


def test_ids_are_path_encoded_and_bools_refused(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    route = thalamus_router.get(url__regex=r"/api/v4/import/status/.+").respond(
        400, json={"errors": {"id": "InvalidId"}}
    )
    with client(thalamus_router, fake_time) as c:
        with pytest.raises(InvalidRequestError):
            c.get_status("a/b")
        assert route.calls.last.request.url.raw_path.startswith(b"/api/v4/import/status/a%2Fb")
        with pytest.raises(InvalidArgumentError):
            c.get_status(True)


def test_list_filters_are_sent_in_wire_spelling(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    route = thalamus_router.get("/api/v4/import/status").respond(200, json=page([], 1, 0))
    with client(thalamus_router, fake_time) as c:
        result = c.list_imports(
            page=1,
            page_size=2,
            order_by="name",
            ascending=False,
            type=25011,
            name="sep",
            begin_date=date(2026, 1, 2),
            end_date="2026-02-03",
            state="PROCESSED",
            with_errors=True,
        )
        assert result.items == ()
        with pytest.raises(InvalidArgumentError, match="unknown state"):
            c.list_imports(state="DONE")
        with pytest.raises(TypeError, match="unknown filters"):
            c.list_imports(colour="red")  # type: ignore[call-arg]
    params = dict(route.calls.last.request.url.params)
    assert params == {
        "touchpoint": "test",
        "page": "1",
        "pageSize": "2",
        "orderBy": "name",
        "ascending": "false",
        "type": "25011",
        "name": "sep",
        "beginDate": "2026-01-02",
        "endDate": "2026-02-03",
        "state": "3",  # from the schema's x-state-ids
        "withErrors": "true",
    }


def test_iter_imports_walks_every_page(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    record = json.loads(record_bytes)
    items = [record | {"id": n} for n in range(1, 6)]
    route = thalamus_router.get("/api/v4/import/status").mock(
        side_effect=[
            httpx.Response(200, json=page(items[0:2], 1, 3)),
            httpx.Response(200, json=page(items[2:4], 2, 3)),
            httpx.Response(200, json=page(items[4:5], 3, 3)),
        ]
    )
    with client(thalamus_router, fake_time) as c:
        ids = [r.id for r in c.iter_imports(page_size=2)]
    assert ids == [1, 2, 3, 4, 5]
    assert [call.request.url.params.get("page") for call in route.calls] == [None, "2", "3"]


def test_iter_imports_stops_on_an_empty_page(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    route = thalamus_router.get("/api/v4/import/status").respond(200, json=page([], 1, 9))
    with client(thalamus_router, fake_time) as c:
        assert list(c.iter_imports()) == []
    assert route.call_count == 1


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
def test_upload_sends_a_multipart_file(
    thalamus_router: respx.Router,
    fake_time: FakeTime,
    record_bytes: bytes,
    tmp_path: Path,
    kind: str,
) -> None:
    route = thalamus_router.post("/api/v4/import/file").respond(200, content=record_bytes)
    source = tmp_path / "sales.xlsx"
    source.write_bytes(b"PK\x03\x04data")
    with client(thalamus_router, fake_time) as c:
        if kind == "bytes":
            record = c.upload(b"PK\x03\x04data", "vantas", 25011, filename="sales.xlsx")
        elif kind == "path":
            record = c.upload(source, "vantas", 25011)
        else:
            with source.open("rb") as handle:
                record = c.upload(handle, "vantas", 25011)
    assert record.id == 274
    sent = route.calls.last.request
    assert (sent.url.params["name"], sent.url.params["type"]) == ("vantas", "25011")
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert b'name="file"; filename="sales.xlsx"' in sent.content
    assert b"PK\x03\x04data" in sent.content


def test_upload_is_never_retried_but_resent_after_a_new_login(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    route = thalamus_router.post("/api/v4/import/file").mock(
        side_effect=[httpx.Response(401), httpx.Response(503), httpx.Response(200)]
    )
    with client(thalamus_router, fake_time) as c, pytest.raises(ServerError):
        c.upload(b"x", "n", 25011)
    assert route.call_count == 2  # the 401 was cured by a login; the 503 was not retried
    assert fake_time.sleeps == []


def test_logout_ends_the_session_and_tolerates_a_forgotten_one(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    with client(thalamus_router, fake_time) as c:
        c.logout()  # no session: nothing is sent
        assert not thalamus_router["logout"].called
        c.login()
        c.logout()
        assert thalamus_router["logout"].calls.last.request.headers["Cookie"] == (
            f"JSESSIONID={SESSION}"
        )
        assert not c.logged_in
        thalamus_router["logout"].respond(401)
        c.login()
        c.logout()
        assert not c.logged_in
        assert thalamus_router["login"].call_count == 2  # logout never logs in


def test_from_env_reads_the_statuskit_variables(
    thalamus_router: respx.Router, record_bytes: bytes
) -> None:
    route = thalamus_router.get(STATUS).respond(200, content=record_bytes)
    env = {
        "STATUSKIT_THALAMUS_TOUCHPOINT": "web",
        "STATUSKIT_THALAMUS_TOKEN": TOKEN,
        "STATUSKIT_THALAMUS_PRINCIPAL": "someone@example.com",
        "STATUSKIT_THALAMUS_PASSWORD": PASSWORD,
    }
    with ThalamusClient.from_env(THALAMUS, environ=env, transport=transport(thalamus_router)) as c:
        c.get_status(274)
        assert "someone@example.com" in repr(c)
    assert route.calls.last.request.headers["Thalamus-Token"] == TOKEN
    assert route.calls.last.request.url.params["touchpoint"] == "web"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"base_url": "thalamus.test"}, "absolute http"),
        ({"touchpoint": ""}, "touchpoint and token"),
        ({"login_style": "digest"}, "login_style"),
    ],
)
def test_bad_arguments_are_refused_at_construction(arguments: dict[str, Any], message: str) -> None:
    kwargs: dict[str, Any] = {"base_url": THALAMUS, "touchpoint": "test", "token": TOKEN}
    with pytest.raises(InvalidArgumentError, match=message):
        ThalamusClient(**(kwargs | arguments))


def test_transport_and_http_client_are_exclusive() -> None:
    with httpx.Client() as http, pytest.raises(InvalidArgumentError, match="not both"):
        ThalamusClient(
            THALAMUS,
            touchpoint="t",
            token=TOKEN,
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
            http_client=http,
        )
    with pytest.raises(TypeError, match="unexpected keyword"):
        ThalamusClient(THALAMUS, touchpoint="t", token=TOKEN, colour="red")  # type: ignore[call-arg]


def test_a_supplied_http_client_is_used_and_left_open(
    thalamus_router: respx.Router, record_bytes: bytes
) -> None:
    thalamus_router.get(STATUS).respond(200, content=record_bytes)
    http = httpx.Client(transport=transport(thalamus_router), headers={"X-Team": "qa"})
    with ThalamusClient(
        THALAMUS, touchpoint="test", token=TOKEN, principal="p", password=PASSWORD, http_client=http
    ) as c:
        c.get_status(274)
    assert not http.is_closed
    assert thalamus_router.calls.last.request.headers["X-Team"] == "qa"
    http.close()


def test_timeouts_reach_the_request(thalamus_router: respx.Router, record_bytes: bytes) -> None:
    thalamus_router.get(STATUS).respond(200, content=record_bytes)
    with ThalamusClient(
        THALAMUS,
        touchpoint="test",
        token=TOKEN,
        transport=transport(thalamus_router),
        timeout=httpx.Timeout(3.0, connect=1.0),
        retry=RetryPolicy(max_attempts=1),
    ) as c:
        c.get_status(274)
    timeout = thalamus_router.calls.last.request.extensions["timeout"]
    assert (timeout["connect"], timeout["read"]) == (1.0, 3.0)

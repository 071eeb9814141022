"""The Tealium client against respx: v1 login, v2 tokens, file names, count and search."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from statuskit.client import TealiumClient
from statuskit.client._tealium import TOKEN_REUSE
from statuskit.errors import (
    AuthenticationError,
    ContractViolation,
    InvalidArgumentError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
)
from tests.client.conftest import (
    API_KEY,
    FILE_NAME,
    FILES,
    FILES_V2,
    JWT,
    PASSWORD,
    SESSION,
    TEALIUM,
    UTK,
    FakeTime,
    transport,
)


def client(
    router: respx.Router, fake_time: FakeTime, api_version: int = 1, **options: Any
) -> TealiumClient:
    return TealiumClient(
        TEALIUM,
        account="acme",
        profile="main",
        username="user@example.com",
        password=PASSWORD,
        api_key=API_KEY,
        api_version=api_version,  # type: ignore[arg-type]
        transport=transport(router),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        **options,
    )


def error(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"returnCode": code, "message": message})


def test_v1_logs_in_with_a_form_and_sends_utk_and_cookie(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    route = tealium_router.get(f"{FILES}/{FILE_NAME}").respond(200, content=file_status_bytes)
    with client(tealium_router, fake_time) as c:
        status = c.get_file_status(FILE_NAME)
        assert c.logged_in
    assert status.file.name == FILE_NAME
    assert [entry.state for entry in status.status][-1] == "PROCESSED"
    login = tealium_router["login"].calls.last.request
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(httpx.QueryParams(login.content.decode())) == {
        "username": "user@example.com",
        "password": PASSWORD,
    }
    sent = route.calls.last.request
    assert sent.url.params["utk"] == UTK
    # The cookie's documented Path=/urest_service would never match: it is sent explicitly.
    assert sent.headers["Cookie"] == f"JSESSIONID={SESSION}"
    assert "authorization" not in sent.headers


def test_v2_fetches_a_token_and_reuses_it_for_29_minutes(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    route = tealium_router.get(f"{FILES_V2}/{FILE_NAME}").respond(200, content=file_status_bytes)
    with client(tealium_router, fake_time, api_version=2) as c:
        c.get_file_status(FILE_NAME)
        fake_time.now += TOKEN_REUSE - 1
        c.get_file_status(FILE_NAME)
        assert tealium_router["auth"].call_count == 1
        fake_time.now += 1
        c.get_file_status(FILE_NAME)
        assert tealium_router["auth"].call_count == 2
    auth = tealium_router["auth"].calls.last.request
    assert dict(httpx.QueryParams(auth.content.decode())) == {
        "username": "user@example.com",
        "key": API_KEY,
    }
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == f"Bearer {JWT}"
    assert "utk" not in sent.url.params
    assert not tealium_router["login"].called


def test_a_1401_logs_in_again_once(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    tealium_router.get(f"{FILES}/{FILE_NAME}").mock(
        side_effect=[
            error(401, 1401, "Authentication Failed"),
            httpx.Response(200, content=file_status_bytes),
        ]
    )
    with client(tealium_router, fake_time) as c:
        c.get_file_status(FILE_NAME)
    assert tealium_router["login"].call_count == 2


@pytest.mark.parametrize(
    ("code", "message", "advice"),
    [
        (1402, "Too many unsuccessful login attempts.", "wait 10 minutes"),
        (1469, "Although the user is authenticated, the request is denied", "may not read"),
    ],
)
def test_lockout_and_permission_codes_are_not_cured_by_a_login(
    tealium_router: respx.Router, fake_time: FakeTime, code: int, message: str, advice: str
) -> None:
    tealium_router.get(f"{FILES}/{FILE_NAME}").mock(return_value=error(401, code, message))
    with client(tealium_router, fake_time) as c, pytest.raises(AuthenticationError) as caught:
        c.get_file_status(FILE_NAME)
    assert tealium_router["login"].call_count == 1
    assert (caught.value.return_code, caught.value.server_message) == (code, message)
    assert advice in str(caught.value)


def test_a_refused_login_names_the_variables(fake_time: FakeTime) -> None:
    router = respx.Router(base_url=TEALIUM)
    router.post("/v1/login").mock(return_value=error(401, 1401, "Authentication Failed"))
    with client(router, fake_time) as c, pytest.raises(AuthenticationError) as caught:
        c.login()
    assert "STATUSKIT_TEALIUM_USERNAME and STATUSKIT_TEALIUM_PASSWORD" in str(caught.value)
    assert caught.value.return_code == 1401


def test_a_login_without_credentials_is_a_usage_error(tealium_router: respx.Router) -> None:
    c = TealiumClient(
        TEALIUM, account="acme", profile="main", api_version=2, transport=transport(tealium_router)
    )
    with pytest.raises(InvalidArgumentError, match="api_key="):
        c.get_file_status(FILE_NAME)
    assert not tealium_router["auth"].called


@pytest.mark.parametrize(
    ("body", "headers", "problem"),
    [
        ({"utk": UTK}, {}, "JSESSIONID"),
        ({"nope": 1}, {"Set-Cookie": "JSESSIONID=x"}, "$: violates 'required'"),
        ({"utk": 5}, {"Set-Cookie": "JSESSIONID=x"}, "$.utk: violates 'type'"),
        (["utk-in-a-list"], {"Set-Cookie": "JSESSIONID=x"}, "$: violates 'type'"),
    ],
)
def test_an_unusable_login_answer_is_malformed(
    fake_time: FakeTime, body: dict[str, Any], headers: dict[str, str], problem: str
) -> None:
    router = respx.Router(base_url=TEALIUM)
    router.post("/v1/login").respond(200, json=body, headers=headers)
    with client(router, fake_time) as c, pytest.raises(MalformedResponseError) as caught:
        c.login()
    assert problem in str(caught.value)
    assert not c.logged_in


def test_a_name_over_150_characters_is_refused_before_sending(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    route = tealium_router.get(url__startswith=f"{TEALIUM}{FILES}/").respond(
        200, content=file_status_bytes
    )
    with client(tealium_router, fake_time) as c:
        with pytest.raises(InvalidArgumentError, match="151 characters") as caught:
            c.get_file_status("x" * 147 + ".csv")
        assert isinstance(caught.value, ValueError)
        assert not route.called
        assert not tealium_router["login"].called
        c.get_file_status("x" * 146 + ".csv")  # exactly 150 is allowed
        c.get_file_status("é" * 146 + ".csv")  # code points, not UTF-8 bytes
        with pytest.raises(InvalidArgumentError, match="empty"):
            c.get_file_status("")
        with pytest.raises(InvalidArgumentError, match="file prefix"):
            c.count("p" * 151, "2026-01-01T00:00Z", "2026-01-02T00:00Z")
    assert route.call_count == 2


def test_the_name_is_sent_as_given_and_percent_encoded(
    tealium_router: respx.Router, fake_time: FakeTime
) -> None:
    route = tealium_router.get(url__startswith=f"{TEALIUM}{FILES}/").mock(
        return_value=error(404, 404, "Supplied file name not found")
    )
    with client(tealium_router, fake_time) as c:
        with pytest.raises(NotFoundError) as caught:
            c.get_file_status("sales report")  # no ".csv" is appended
        with pytest.raises(NotFoundError):
            c.get_file_status("a/é.csv")
    assert caught.value.return_code == 404
    assert "'.csv' included" in str(caught.value)
    paths = [call.request.url.raw_path.split(b"?")[0] for call in route.calls]
    assert paths == [
        f"{FILES}/sales%20report".encode(),
        f"{FILES}/a%2F%C3%A9.csv".encode(),
    ]


def test_a_400_carries_the_return_code_and_message(
    tealium_router: respx.Router, fake_time: FakeTime
) -> None:
    tealium_router.get(f"{FILES}/{FILE_NAME}").mock(
        return_value=error(400, 400, "File name exceeds 150 chars")
    )
    with client(tealium_router, fake_time) as c, pytest.raises(InvalidRequestError) as caught:
        c.get_file_status(FILE_NAME)
    assert (caught.value.return_code, caught.value.server_message) == (
        400,
        "File name exceeds 150 chars",
    )


def test_count_and_search_send_the_window(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    count = tealium_router.get(f"{FILES}/count").respond(200, json={"count": 2})
    item = json.loads(file_status_bytes)
    search = tealium_router.get(f"{FILES}/search").respond(200, json=[item, item])
    paris = timezone(timedelta(hours=1))
    with client(tealium_router, fake_time) as c:
        assert c.count("sales", datetime(2016, 4, 4, 23, 30, tzinfo=paris), date(2016, 4, 5)) == 2
        results = c.search("sales", "2016-04-04T00:00Z", datetime(2016, 4, 5, tzinfo=UTC))
        with pytest.raises(InvalidArgumentError, match="naive"):
            c.search("sales", datetime(2016, 4, 4), date(2016, 4, 5))
    assert [r.file.name for r in results] == [FILE_NAME, FILE_NAME]
    assert dict(count.calls.last.request.url.params) == {
        "utk": UTK,
        "filePrefix": "sales",
        "startDate": "2016-04-04T22:30Z",
        "endDate": "2016-04-05T00:00Z",
    }
    assert search.calls.last.request.url.params["startDate"] == "2016-04-04T00:00Z"


def test_search_reports_a_bad_item_by_its_index(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    item = json.loads(file_status_bytes)
    broken = item | {"status": "PROCESSED"}
    tealium_router.get(f"{FILES}/search").respond(200, json=[item, broken])
    with client(tealium_router, fake_time) as c, pytest.raises(MalformedResponseError) as caught:
        c.search("sales", "2016-04-04T00:00Z", "2016-04-05T00:00Z")
    assert [f.path for f in caught.value.findings] == ["$[1].status"]
    tealium_router.get(f"{FILES}/search").respond(200, json={"count": 1})
    with client(tealium_router, fake_time) as c, pytest.raises(MalformedResponseError):
        c.search("sales", "2016-04-04T00:00Z", "2016-04-05T00:00Z")


def test_strict_search_checks_the_list_schema(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    item = json.loads(file_status_bytes)
    tealium_router.get(f"{FILES}/search").respond(200, json=[item] * 51)
    with client(tealium_router, fake_time) as c:
        assert len(c.search("s", "2016-04-04T00:00Z", "2016-04-05T00:00Z")) == 51
    with (
        client(tealium_router, fake_time, strict=True) as c,
        pytest.raises(ContractViolation) as caught,
    ):
        c.search("s", "2016-04-04T00:00Z", "2016-04-05T00:00Z")
    assert caught.value.findings[0].keyword == "maxItems"


def test_an_unknown_state_and_keys_are_kept(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    item = json.loads(file_status_bytes)
    item["status"].append(
        {"state": "ARCHIVED", "timestamp": {"$date": "2016-04-05T00:00:00.000Z"}, "by": "ops"}
    )
    tealium_router.get(f"{FILES}/{FILE_NAME}").respond(200, json=item)
    with client(tealium_router, fake_time) as c:
        status = c.get_file_status(FILE_NAME)
    assert status.status[-1].state == "ARCHIVED"
    assert status.status[-1].extra == {"by": "ops"}
    assert status.to_json() == item


def test_v1_logout_ends_the_session_and_v2_forgets_the_token(
    tealium_router: respx.Router, fake_time: FakeTime
) -> None:
    with client(tealium_router, fake_time) as c:
        c.login()
        c.logout()
        assert not c.logged_in
    sent = tealium_router["logout"].calls.last.request
    assert (sent.url.params["utk"], sent.headers["Cookie"]) == (UTK, f"JSESSIONID={SESSION}")
    with client(tealium_router, fake_time, api_version=2) as c:
        c.login()
        assert c.logged_in
        c.logout()
        assert not c.logged_in
    assert tealium_router["logout"].call_count == 1


def test_from_env_and_argument_checks(tealium_router: respx.Router) -> None:
    env = {"STATUSKIT_TEALIUM_USERNAME": "ops@example.com", "STATUSKIT_TEALIUM_PASSWORD": PASSWORD}
    with TealiumClient.from_env(
        TEALIUM, account="acme", profile="main", environ=env, transport=transport(tealium_router)
    ) as c:
        c.login()
        assert "ops@example.com" in repr(c)
    login = tealium_router["login"].calls.last.request
    assert dict(httpx.QueryParams(login.content.decode()))["username"] == "ops@example.com"
    env |= {"STATUSKIT_TEALIUM_ACCOUNT": "globex", "STATUSKIT_TEALIUM_PROFILE": "prod"}
    with TealiumClient.from_env(TEALIUM, environ=env, transport=transport(tealium_router)) as c:
        assert (c.account, c.profile) == ("globex", "prod")
    with pytest.raises(InvalidArgumentError, match="api_version"):
        TealiumClient(TEALIUM, account="a", profile="p", api_version=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="account and profile"):
        TealiumClient(TEALIUM, account="", profile="p")

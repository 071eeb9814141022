"""The async twins run the same flows: the same requests, retries, logins and errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from statuskit.client import AsyncTealiumClient, AsyncThalamusClient, RetryPolicy
from statuskit.errors import AuthenticationError, InvalidArgumentError, WaitTimeoutError
from tests.client.conftest import (
    API_KEY,
    FILE_NAME,
    FILES_V2,
    JWT,
    PASSWORD,
    SESSION,
    TEALIUM,
    THALAMUS,
    TOKEN,
    FakeTime,
    transport,
)

pytestmark = pytest.mark.anyio
STATUS = "/api/v4/import/status/274"


def thalamus(router: respx.Router, fake_time: FakeTime, **options: Any) -> AsyncThalamusClient:
    return AsyncThalamusClient(
        THALAMUS,
        touchpoint="test",
        token=TOKEN,
        principal="consumer@example.com",
        password=PASSWORD,
        transport=transport(router),
        clock=fake_time.clock,
        sleep=fake_time.async_sleep,
        retry=RetryPolicy(jitter=lambda: 1.0),
        **options,
    )


async def test_get_status_logs_in_retries_and_logs_in_again(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    route = thalamus_router.get(STATUS).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(401),
            httpx.Response(200, content=record_bytes),
        ]
    )
    async with thalamus(thalamus_router, fake_time) as c:
        record = await c.get_status(274)
        assert c.logged_in
    assert record.state == "CANCELED"
    assert thalamus_router["login"].call_count == 2
    assert fake_time.sleeps == [0.5]
    assert route.calls.last.request.headers["Cookie"] == f"JSESSIONID={SESSION}"


async def test_iter_imports_and_list(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    record = json.loads(record_bytes)

    def page(number: int) -> httpx.Response:
        items = [record | {"id": number}]
        body = {"items": items, "page": number, "pageSize": 1, "totalItems": 2, "totalPages": 2}
        return httpx.Response(200, json=body)

    thalamus_router.get("/api/v4/import/status").mock(side_effect=[page(1), page(2), page(1)])
    async with thalamus(thalamus_router, fake_time) as c:
        assert [r.id async for r in c.iter_imports(page_size=1)] == [1, 2]
        assert (await c.list_imports(page_size=1)).total_pages == 2


async def test_upload_logout_and_errors(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    thalamus_router.post("/api/v4/import/file").respond(200, content=record_bytes)
    thalamus_router.get(STATUS).respond(400, json={"errors": {"token": "InvalidToken"}})
    async with thalamus(thalamus_router, fake_time) as c:
        assert (await c.upload(b"data", "n", 25011)).id == 274
        with pytest.raises(AuthenticationError):
            await c.get_status(274)
        await c.logout()
        assert not c.logged_in
        assert "logged_in=False" in repr(c)


async def test_wait_for_completion_times_out_with_the_last_state(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    thalamus_router.get(STATUS).respond(200, json=json.loads(record_bytes) | {"state": "WAITING"})
    async with thalamus(thalamus_router, fake_time) as c:
        with pytest.raises(WaitTimeoutError) as caught:
            await c.wait_for_completion(274, timeout=3, poll_interval=1)
    assert caught.value.last.state == "WAITING"
    assert fake_time.sleeps == [1, 1, 1]


async def test_from_env_builds_an_async_client(thalamus_router: respx.Router) -> None:
    env = {"STATUSKIT_THALAMUS_TOKEN": TOKEN}
    async with AsyncThalamusClient.from_env(
        THALAMUS, environ=env, transport=transport(thalamus_router), login_style="json"
    ) as c:
        await c.login()
    sent = thalamus_router["login"].calls.last.request
    assert json.loads(sent.content)["principal"] == "consumer@example.com"


async def test_tealium_v2_twin(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    route = tealium_router.get(f"{FILES_V2}/{FILE_NAME}").respond(200, content=file_status_bytes)
    tealium_router.get(f"{FILES_V2}/count").respond(200, json={"count": 1})
    tealium_router.get(f"{FILES_V2}/search").respond(200, content=b"[" + file_status_bytes + b"]")
    env = {"STATUSKIT_TEALIUM_API_KEY": API_KEY}
    async with AsyncTealiumClient.from_env(
        TEALIUM,
        account="acme",
        profile="main",
        api_version=2,
        environ=env,
        transport=transport(tealium_router),
        clock=fake_time.clock,
        sleep=fake_time.async_sleep,
    ) as c:
        assert (await c.get_file_status(FILE_NAME)).file.name == FILE_NAME
        assert await c.count("s", "2016-04-04T00:00Z", "2016-04-05T00:00Z") == 1
        assert len(await c.search("s", "2016-04-04T00:00Z", "2016-04-05T00:00Z")) == 1
        assert (await c.wait_for_completion(FILE_NAME, timeout=5)).file.size == 2744
        with pytest.raises(InvalidArgumentError):
            await c.get_file_status("x" * 151)
        await c.logout()
        assert not c.logged_in
        await c.login()
        assert c.logged_in
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {JWT}"
    assert tealium_router["auth"].call_count == 2


async def test_a_supplied_async_client_stays_open(
    thalamus_router: respx.Router, record_bytes: bytes
) -> None:
    thalamus_router.get(STATUS).respond(200, content=record_bytes)
    http = httpx.AsyncClient(transport=transport(thalamus_router))
    async with AsyncThalamusClient(
        THALAMUS, touchpoint="test", token=TOKEN, principal="p", password=PASSWORD, http_client=http
    ) as c:
        await c.get_status(274)
    assert not http.is_closed
    await http.aclose()

"""No credential ever shows: not in a repr, a log record, an error, or an error's copies.

Each test runs a whole session (login, success, a retry, a new login, errors, malformed
bodies, transport faults, logout) with every logger at DEBUG, then searches everything a
human could see for every secret the session used.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx

from statuskit.client import RetryEvent, RetryPolicy, TealiumClient, ThalamusClient
from statuskit.client._redact import redact_text
from statuskit.errors import StatuskitError
from tests.client.conftest import (
    API_KEY,
    FILE_NAME,
    FILES,
    FILES_V2,
    PASSWORD,
    SECRETS,
    SESSION,
    TEALIUM,
    THALAMUS,
    TOKEN,
    UTK,
    FakeTime,
    transport,
)

BASIC = base64.b64encode(f"consumer@example.com:{PASSWORD}".encode()).decode()


def shown(obj: Any) -> str:
    """Everything a person could read off ``obj``."""
    parts = [str(obj), repr(obj)]
    if isinstance(obj, StatuskitError):
        parts += [obj.message, *map(str, obj.args)]
        for exchange in (obj.request, obj.response):
            if exchange is not None:
                parts.append(repr(exchange))
        if obj.request is not None:
            request = obj.request
            headers = repr(request.headers.multi_items())  # repr(Headers) hides Authorization
            parts += [str(request.url), headers, request.content.decode("latin-1")]
        if obj.response is not None:
            response = obj.response
            parts += [repr(response.headers.multi_items()), response.content.decode("latin-1")]
            parts += [str(response.request.url), repr(response.request.headers.multi_items())]
    return "\n".join(parts)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )


def assert_hidden(text: str, *extra: str) -> None:
    for secret in (*SECRETS, *extra):
        assert secret not in text, f"{secret!r} leaked"


def run_session(calls: list[Callable[[], object]]) -> list[str]:
    seen = []
    for call in calls:
        try:
            seen.append(shown(call()))
        except StatuskitError as exc:
            seen.append(shown(exc))
    return seen


def test_a_thalamus_session_leaks_nothing(
    thalamus_router: respx.Router,
    fake_time: FakeTime,
    record_bytes: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    thalamus_router.get("/api/v4/import/status/1").mock(
        side_effect=[
            httpx.Response(401),
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(200, content=record_bytes),
        ]
    )
    thalamus_router.get("/api/v4/import/status/2").respond(
        400, json={"errors": {"token": "InvalidToken"}}
    )
    thalamus_router.get("/api/v4/import/status/3").respond(200, content=b'{"id": 3, "tok')
    thalamus_router.get("/api/v4/import/status/4").mock(
        side_effect=httpx.ConnectError(f"cannot reach ?token={TOKEN}")
    )
    thalamus_router.get("/api/v4/import/status/5").respond(401)
    events: list[RetryEvent] = []
    caplog.set_level(logging.DEBUG)
    for style in ("basic", "json"):
        c = ThalamusClient(
            THALAMUS,
            touchpoint="test",
            token=TOKEN,
            principal="consumer@example.com",
            password=PASSWORD,
            login_style=style,
            transport=transport(thalamus_router),
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            retry=RetryPolicy(max_attempts=2),
            on_retry=events.append,
        )
        seen = run_session([*(partial(c.get_status, n) for n in range(1, 6)), c.__repr__, c.logout])
        thalamus_router.get("/api/v4/import/status/1").mock(return_value=httpx.Response(503))
        assert_hidden("\n".join(seen), BASIC)
        c.close()
    assert events, "the session should have retried"
    assert_hidden("\n".join(f"{e} {e!r} {shown(e.error)}" for e in events), BASIC)
    assert_hidden(logged(caplog), BASIC)
    assert any(r.name == "httpx" for r in caplog.records)


@pytest.mark.parametrize("version", [1, 2])
def test_a_tealium_session_leaks_nothing(
    tealium_router: respx.Router,
    fake_time: FakeTime,
    file_status_bytes: bytes,
    caplog: pytest.LogCaptureFixture,
    version: int,
) -> None:
    files = FILES if version == 1 else FILES_V2
    tealium_router.get(f"{files}/{FILE_NAME}").mock(
        side_effect=[
            httpx.Response(401, json={"returnCode": 1401, "message": "Authentication Failed"}),
            httpx.Response(502),
            httpx.Response(200, content=file_status_bytes),
        ]
    )
    tealium_router.get(f"{files}/missing.csv").respond(
        404, json={"returnCode": 404, "message": "Supplied file name not found"}
    )
    tealium_router.get(f"{files}/count").mock(side_effect=httpx.ReadTimeout("slow"))
    tealium_router.get(f"{files}/search").respond(200, content=b"[{")
    caplog.set_level(logging.DEBUG)
    events: list[RetryEvent] = []
    with TealiumClient(
        TEALIUM,
        account="acme",
        profile="main",
        username="user@example.com",
        password=PASSWORD,
        api_key=API_KEY,
        api_version=version,  # type: ignore[arg-type]
        transport=transport(tealium_router),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        on_retry=events.append,
    ) as c:
        seen = run_session(
            [
                lambda: c.get_file_status(FILE_NAME),
                lambda: c.get_file_status("missing.csv"),
                lambda: c.count("s", "2016-01-01T00:00Z", "2016-01-02T00:00Z"),
                lambda: c.search("s", "2016-01-01T00:00Z", "2016-01-02T00:00Z"),
                lambda: c.get_file_status("x" * 151),
                lambda: repr(c),
                c.logout,
            ]
        )
    assert_hidden("\n".join(seen))
    assert_hidden("\n".join(f"{e} {e!r} {shown(e.error)}" for e in events))
    assert_hidden(logged(caplog))
    if version == 1:  # httpx logs each URL itself; the client's filter masks the utk in it
        assert any(r.name == "httpx" and "utk=***" in r.getMessage() for r in caplog.records)


def test_a_login_answer_never_lands_on_an_error(fake_time: FakeTime) -> None:
    router = respx.Router(base_url=TEALIUM)
    router.post("/v1/login").respond(
        200, json=[UTK], headers={"Set-Cookie": f"JSESSIONID={SESSION}"}
    )
    with (
        TealiumClient(
            TEALIUM,
            account="acme",
            profile="main",
            username="u@example.com",
            password=PASSWORD,
            transport=transport(router),
        ) as c,
        pytest.raises(StatuskitError) as caught,
    ):
        c.login()
    assert_hidden(shown(caught.value))
    assert caught.value.response is not None
    assert caught.value.response.content == b""


def test_the_client_installs_no_event_hooks(tealium_router: respx.Router) -> None:
    with TealiumClient(
        TEALIUM, account="acme", profile="main", transport=transport(tealium_router)
    ) as c:
        assert c._http.event_hooks == {"request": [], "response": []}


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"GET /x?utk={UTK}&a=1", "GET /x?utk=***&a=1"),
        (f"/x?a=1&token={TOKEN}", "/x?a=1&token=***"),
        (
            f"return_value=(b'HTTP/1.1', 200, [(b'Set-Cookie', b'JSESSIONID={SESSION}; Path=/')])",
            "return_value=(b'HTTP/1.1', 200, [(b'Set-Cookie', b'***')])",
        ),
        (f"Cookie: JSESSIONID={SESSION}", "Cookie: JSESSIONID=***"),
    ],
)
def test_redact_text(text: str, masked: str) -> None:
    assert redact_text(text) == masked


# -- over a real socket, where httpcore traces headers too --------------------------------


class _Tealium(BaseHTTPRequestHandler):
    """Just enough of Tealium v1 to log in and read one file."""

    body: bytes = b""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        cookie = f"JSESSIONID={SESSION}; Path=/urest_service; Secure; HttpOnly"
        self._send(200, json.dumps({"utk": UTK}).encode(), {"Set-Cookie": cookie})

    def do_GET(self) -> None:
        ok = f"utk={UTK}" in self.path and self.headers.get("Cookie") == f"JSESSIONID={SESSION}"
        if ok:
            self._send(200, self.body, {"Content-Type": "application/json"})
        else:
            self._send(401, b'{"returnCode":1401,"message":"Authentication Failed"}', {})

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def loopback(file_status_bytes: bytes) -> Iterator[str]:
    handler = type("Handler", (_Tealium,), {"body": file_status_bytes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_real_socket_session_leaks_nothing(
    loopback: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TealiumClient(
        loopback,
        account="acme",
        profile="main",
        username="user@example.com",
        password=PASSWORD,
    ) as c:
        assert c.get_file_status(FILE_NAME).file.name == FILE_NAME
    names = {r.name for r in caplog.records}
    assert {"httpx", "httpcore.http11", "httpcore.connection"} <= names
    assert_hidden(logged(caplog))

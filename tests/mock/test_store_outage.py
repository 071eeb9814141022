"""A PostgreSQL state store that goes away: 503s in each API's own format, never a hang or
a crash, and service again once it is back. Its URL's password is never shown."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from mockserver import create_app
from mockserver._middleware import RETRY_AFTER
from mockserver.process import serve_process
from mockserver.store import StoreUnavailable, open_store, redact_url
from statuskit.registry import default_registry
from tests.mock.conftest import auth_v2
from tests.mock.thalamus_support import CLIENT, STATUS, login, state_of
from tests.postgres import PostgresServer, require, running

#: Not a measurement: a request that waits longer than this has hung.
HUNG = 30


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A server of this module's own, since its tests stop and start it."""
    require()
    with running("statuskit-pg-outage-") as server:
        yield server


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_url_is_shown_without_its_password() -> None:
    assert redact_url("postgresql://kit:s3cret@db:5432/state?sslmode=require&password=x") == (
        "postgresql://kit:***@db:5432/state?sslmode=require&password=***"
    )
    assert redact_url("postgresql://db/state") == "postgresql://db/state"
    assert redact_url("host=db password='a b' dbname=x") == "host=db password=*** dbname=x"


def test_an_unreachable_store_says_so_without_its_url() -> None:
    url = f"postgresql://kit:s3cret@127.0.0.1:{closed_port()}/state"
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value)
    assert url not in str(caught.value)


def test_serve_with_an_unreachable_state_exits_2_in_one_line() -> None:
    url = f"postgresql://kit:s3cret@127.0.0.1:{closed_port()}/state"
    done = subprocess.run(
        [sys.executable, "-m", "statuskit", "serve", "--port", "0", "--state", url],
        capture_output=True,
        text=True,
        timeout=HUNG,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("statuskit: error: cannot open the state store postgresql://kit:***@")
    assert "s3cret" not in line


def test_an_outage_is_answered_503_in_each_apis_format_then_recovers(
    own_server: PostgresServer,
) -> None:
    url = own_server.url(own_server.new_database())
    app = create_app({"state_url": url})
    http = httpx.Client(
        transport=httpx.WSGITransport(app=app), base_url="http://mock", timeout=HUNG
    )
    login(http)
    bearer = auth_v2(http)
    account, profile, name = state_of(app).store.keys("tealium")[0].split("/", 2)
    file = f"/v2/omnichannel/accounts/{account}/profiles/{profile}/files/{name}"
    assert http.get(f"{STATUS}/274", params=CLIENT).status_code == 200
    assert http.get(file, headers=bearer).status_code == 200
    own_server.stop()
    try:
        answers = {
            "thalamus": http.get(f"{STATUS}/274", params=CLIENT),
            "tealium": http.get(file, headers=bearer),
            "admin": http.get("/__admin/v1/clock"),
        }
    finally:
        own_server.start()
    for api, answer in answers.items():
        assert answer.status_code == 503, api
        assert answer.headers["Retry-After"] == str(RETRY_AFTER)
        # Each in its own API's error format, by that API's strict schema.
        assert default_registry().validate(api, "error", answer.json()) == [], api
        assert own_server.password not in answer.text
    assert answers["thalamus"].json() == {"errors": {"server": "ServiceUnavailable"}}
    assert answers["tealium"].json()["returnCode"] == 503
    # Back: the very next requests succeed, through the same app, with no restart.
    assert http.get(f"{STATUS}/274", params=CLIENT).status_code == 200
    assert http.get(file, headers=bearer).status_code == 200
    http.close()
    state_of(app).store.close()


def test_serve_shares_its_state_on_postgresql(own_server: PostgresServer) -> None:
    if not own_server.running():
        own_server.start()
    url = own_server.url(own_server.new_database())
    with (
        serve_process("--state", url, "--workers", "2") as one,
        serve_process("--state", url) as two,
    ):
        assert not any(own_server.password in line for line in one.banner)
        assert any("postgresql://statuskit:***@" in line for line in one.banner)
        first, second = (
            httpx.Client(base_url=server.base_url, timeout=HUNG) for server in (one, two)
        )
        login(first)
        second.cookies = first.cookies
        made = first.post("/__admin/v1/thalamus/imports", json={}).json()["items"][0]
        shown = second.get(f"{STATUS}/{made['id']}", params=CLIENT)
        first.close()
        second.close()
        assert shown.status_code == 200
        assert shown.json()["id"] == made["id"]
    assert not any(own_server.password in line for line in [*one.output, *two.output])

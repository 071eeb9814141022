"""The proxy's journal: every proxied answer kept with its response, scrubbed of the
secrets the request carried (an upstream may quote them) and of a login's secret fields.

The proxy is served in process on an ephemeral port, in front of a recording echo
(``tests.proxy.upstreams``) or of the mock itself, served in process too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx

from mockserver import create_app
from statuskit.proxy import ProxyApp, ProxyOptions
from statuskit.registry import default_registry
from tests.helpers import served
from tests.proxy.upstreams import GZIPPED, Echo

JOURNAL = "/__admin/v1/journal"


@contextmanager
def proxy(upstream: str) -> Iterator[str]:
    """A proxy in front of ``upstream`` with no observers, served until the block ends."""
    with closing(ProxyApp(ProxyOptions(upstream=upstream))) as app, served(app) as url:
        yield url


def journal(url: str) -> tuple[list[dict[str, Any]], str]:
    """The proxy's journal, checked against its schema, and the answer's whole text."""
    response = httpx.get(f"{url}{JOURNAL}")
    assert response.status_code == 200, response.text
    assert default_registry().validate("admin", "journal", response.json()) == []
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries, response.text


def test_an_upstream_quoting_the_requests_credentials_is_journaled_without_them() -> None:
    token, session, bearer = (secrets.token_hex(12) for _ in range(3))
    with Echo().serving() as up, proxy(up) as url:
        answer = httpx.get(
            f"{url}/api/v4/import/status/274",
            params={"touchpoint": "test", "token": token},
            headers={"Cookie": f"JSESSIONID={session}", "Authorization": f"Bearer {bearer}"},
        )
        gzipped = httpx.get(f"{url}/gzip", headers={"Accept-Encoding": "gzip"})
        entries, text = journal(url)
    # The echo says back what it was sent: the credentials are in the answer itself.
    assert answer.status_code == 200
    assert all(value in answer.text for value in (token, session, bearer))
    for value in (token, session, bearer):
        assert value not in text
    [status] = [e for e in entries if e["path"] == "/api/v4/import/status/274"]
    expected = answer.text
    for value in (token, session, bearer):
        expected = expected.replace(value, "***")
    assert status["response"] == {
        "type": "application/json",
        "bytes": len(answer.content),
        "body": expected,
        "truncated": False,
    }
    # A compressed body is not text: its length and type only.
    [compressed] = [e for e in entries if e["path"] == "/gzip"]
    assert gzipped.status_code == 418
    assert compressed["response"] == {
        "type": "application/json",
        "bytes": len(GZIPPED),
        "body": None,
        "truncated": False,
    }


def test_a_login_through_the_proxy_leaves_no_secret_in_its_journal() -> None:
    password = f"tpw-{secrets.token_hex(8)}"
    upstream = create_app({"generated": 0, "tealium": {"password": password}})
    with served(upstream) as up, proxy(up) as url:
        login = httpx.post(
            f"{url}/v1/login", data={"username": "user@example.com", "password": password}
        )
        assert login.status_code == 200, login.text
        utk = login.json()["utk"]
        jsessionid = login.headers["set-cookie"].split(";")[0].partition("=")[2]
        files = (
            "/v1/omnichannel/accounts/acme/profiles/main/files/sales-transaction_2016feb4v50.csv"
        )
        status = httpx.get(
            f"{url}{files}", params={"utk": utk}, headers={"Cookie": f"JSESSIONID={jsessionid}"}
        )
        assert status.status_code == 200, status.text
        entries, text = journal(url)
    for secret in (password, utk, jsessionid):
        assert secret not in text
    by_path = {e["path"]: e["response"] for e in entries}
    assert by_path["/v1/login"]["body"] == '{"utk":"***"}'
    assert by_path[files]["body"] == status.text

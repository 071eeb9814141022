"""The proxy's forwarding: requests as sent, answers byte for byte, sessions, failures, faults.

The proxy's app is served in process on an ephemeral port; its upstream is a recording echo
(``tests.proxy.upstreams``), a real ``statuskit serve``, a port nothing listens on, or one
that never answers.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx
import pytest

from mockserver.process import ServerProcess, serve_process
from statuskit.client import TealiumClient, ThalamusClient
from statuskit.errors import ConfigError
from statuskit.proxy import ProxyApp, ProxyOptions, Upstream, create_proxy_app
from statuskit.proxy._cookies import CookieRewriter
from statuskit.wire import tealium as wire_tealium
from tests.helpers import served
from tests.proxy.upstreams import GZIPPED, LOGIN_COOKIE, Echo, closed_port, silent

Q = "touchpoint=test&token=statuskit-token"
DOC_FILE = "sales-transaction_2016feb4v50.csv"
FILES = f"/v1/omnichannel/accounts/acme/profiles/main/files/{DOC_FILE}"


@contextmanager
def proxy(upstream: str, **options: Any) -> Iterator[str]:
    """A proxy in front of ``upstream`` with no observers, served until the block ends."""
    with closing(ProxyApp(ProxyOptions(upstream=upstream, **options))) as app, served(app) as url:
        yield url


@pytest.fixture(scope="module")
def upstream() -> Iterator[ServerProcess]:
    """A real ``statuskit serve``, both APIs."""
    with serve_process() as running:
        yield running


# -- Set-Cookie rewriting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "given", "expected"),
    [
        # Tealium's documented cookie, the upstream at its base path: served at the root.
        ("/urest_service", LOGIN_COOKIE, "JSESSIONID=0123abcd; Path=/; HttpOnly"),
        ("/urest_service", "a=1; Path=/urest_service/v1; Secure", "a=1; Path=/v1"),
        ("/urest_service/", "a=1; Path=/urest_service/", "a=1; Path=/"),
        # Not under the base path (a segment boundary matters): the scope is kept.
        ("/urest_service", "a=1; Path=/urest_serviceX", "a=1; Path=/urest_serviceX"),
        ("/urest_service", "a=1; Path=/elsewhere; Max-Age=60", "a=1; Path=/elsewhere; Max-Age=60"),
        # No base path: the documented Path stays; only Secure goes (plain HTTP).
        ("", LOGIN_COOKIE, "JSESSIONID=0123abcd; Path=/urest_service; HttpOnly"),
        # Domain names the upstream's host: dropped, wherever it is and however written.
        ("", "t=d; domain=.upstream.example; Path=/", "t=d; Path=/"),
        ("", "t=d;Domain=upstream.example;HttpOnly", "t=d;HttpOnly"),
    ],
)
def test_set_cookie_rewritten_only_as_a_session_needs(base: str, given: str, expected: str) -> None:
    rewriter = CookieRewriter(Upstream.parse(f"https://upstream.example{base}").base_path)
    assert rewriter.set_cookie(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "a=1",
        "a=b=c; Expires=Wed, 21 Oct 2026 07:28:00 GMT; SameSite=Lax; HttpOnly",
        "JSESSIONID=x; Path=/; HttpOnly",
    ],
)
def test_a_cookie_that_needs_nothing_is_passed_on_untouched(given: str) -> None:
    assert CookieRewriter("/urest_service").set_cookie(given) is given


def test_secure_is_kept_when_the_proxy_itself_speaks_tls() -> None:
    rewriter = CookieRewriter("/urest_service", plain_http=False)
    assert rewriter.set_cookie(LOGIN_COOKIE) == "JSESSIONID=0123abcd; Path=/; Secure; HttpOnly"


# -- the upstream URL ---------------------------------------------------------------------


def test_upstream_url_with_a_base_path() -> None:
    up = Upstream.parse("https://staging.example:8443/urest_service/")
    assert (up.scheme, up.host, up.port, up.base_path) == (
        "https",
        "staging.example",
        8443,
        "/urest_service",
    )
    assert up.url == "https://staging.example:8443/urest_service"
    assert up.target("/v1/login", "a=1") == "/urest_service/v1/login?a=1"
    assert Upstream.parse("http://127.0.0.1").netloc == "127.0.0.1"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://staging.example", "http:// or https://"),
        ("staging.example:8080", "http:// or https://"),
        ("http://", "no host"),
        ("http://staging.example:99999", "not a URL"),
        ("https://ops:hunter2@staging.example", "credentials"),
        ("https://staging.example/base?token=hunter2", "query"),
    ],
)
def test_an_unusable_upstream_url_is_one_line_that_repeats_no_secret(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Upstream.parse(url)
    message = str(caught.value)
    assert says in message
    assert "hunter2" not in message
    assert "\n" not in message


# -- forwarding, both ways ----------------------------------------------------------------


def test_the_request_goes_as_sent_under_the_upstream_base_path() -> None:
    echo = Echo()
    body = bytes(range(256)) * 3
    with echo.serving() as up, proxy(f"{up}/urest_service") as url:
        answer = httpx.post(
            f"{url}/v1/files/a%20b.csv?b=2&a=1&a=%20x&empty=&flag",
            content=body,
            headers={
                "Content-Type": "application/octet-stream",
                "X-Thing": "as sent",
                "Connection": "keep-alive, X-Hop",
                "X-Hop": "for the proxy only",
                "Keep-Alive": "timeout=5",
                "Proxy-Authorization": "Basic c2VjcmV0",
            },
        )
    assert answer.status_code == 200
    seen = echo.received[-1]
    assert seen == answer.json()
    assert seen["method"] == "POST"
    assert seen["target"] == "/urest_service/v1/files/a%20b.csv?b=2&a=1&a=%20x&empty=&flag"
    assert base64.b64decode(seen["body"]) == body
    headers = dict(seen["headers"])
    assert headers["x-thing"] == "as sent"
    assert headers["content-type"] == "application/octet-stream"
    assert headers["host"] == up.removeprefix("http://")
    for hop in ("x-hop", "keep-alive", "proxy-authorization"):
        assert hop not in headers


def test_the_answer_comes_back_byte_for_byte_compressed_body_untouched() -> None:
    echo = Echo()
    with echo.serving() as up, proxy(up) as url:
        direct = httpx.get(f"{up}/gzip", headers={"Accept-Encoding": "gzip"})
        through = httpx.get(f"{url}/gzip", headers={"Accept-Encoding": "gzip"})
    # The raw bytes: httpx would otherwise decompress what it reads.
    assert through.status_code == direct.status_code == 418
    assert through.read() == direct.read()
    assert through.headers["content-encoding"] == "gzip"
    assert through.headers.get_list("x-repeated") == ["one", "two"]
    assert through.headers["cache-control"] == "no-store"
    assert int(through.headers["content-length"]) == len(GZIPPED)
    assert ["accept-encoding", "gzip"] in echo.received[-1]["headers"]  # as the client sent it


def test_a_session_cookie_scoped_to_the_base_path_comes_back_through_the_proxy() -> None:
    echo = Echo()
    with (
        echo.serving() as up,
        proxy(f"{up}/urest_service") as url,
        httpx.Client(base_url=url) as client,  # a plain cookie jar
    ):
        login = client.post("/v1/login", data={"username": "u", "password": "p"})
        assert login.headers.get_list("set-cookie") == [
            "JSESSIONID=0123abcd; Path=/; HttpOnly",
            "theme=dark; Path=/elsewhere",
        ]
        client.get("/v1/omnichannel/accounts/acme/profiles/main/files/x.csv")
    headers = dict(echo.received[-1]["headers"])
    assert headers["cookie"] == "JSESSIONID=0123abcd"


# -- both APIs' sessions against a real statuskit serve -----------------------------------


def test_thalamus_login_and_status_through_the_proxy(upstream: ServerProcess) -> None:
    with proxy(upstream.base_url) as url:
        with ThalamusClient.from_env(url) as client:
            through = client.get_status(274)
        with httpx.Client(base_url=url) as jar:
            jar.post(
                f"/api/v3/thalamus_security_check?{Q}", auth=("consumer@example.com", "statuskit")
            )
            raw = jar.get(f"/api/v4/import/status/274?{Q}")
    with httpx.Client(base_url=upstream.base_url) as jar:
        jar.post(f"/api/v3/thalamus_security_check?{Q}", auth=("consumer@example.com", "statuskit"))
        direct = jar.get(f"/api/v4/import/status/274?{Q}")
    assert through.id == 274
    assert raw.status_code == direct.status_code == 200
    assert raw.content == direct.content


def test_tealium_v1_session_through_the_proxy(upstream: ServerProcess) -> None:
    form = {"username": "user@example.com", "password": "statuskit"}
    with proxy(upstream.base_url) as url:
        login = httpx.post(f"{url}/v1/login", data=form)
        cookie = login.headers["set-cookie"]
        # No base path: the documented Path stays; Secure goes, the proxy being plain HTTP.
        assert f"Path={wire_tealium.COOKIE_PATH}" in cookie
        assert "Secure" not in cookie
        assert "HttpOnly" in cookie
        session = cookie.split(";", 1)[0]
        answer = httpx.get(
            f"{url}{FILES}", params={"utk": login.json()["utk"]}, headers={"Cookie": session}
        )
        with TealiumClient.from_env(url, api_version=1) as client:
            status = client.get_file_status(DOC_FILE)
    assert answer.status_code == 200
    assert answer.json()["file"]["name"] == DOC_FILE
    assert status.file.name == DOC_FILE


# -- an upstream that fails -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/api/v4/import/status/274?{Q}", {"errors": {"server": "BadGateway"}}),
        (FILES, {"returnCode": 502, "message": "Bad Gateway"}),
    ],
)
def test_an_upstream_that_refuses_is_a_502_in_the_api_format(path: str, body: Any) -> None:
    with proxy(f"http://127.0.0.1:{closed_port()}", timeout=5) as url:
        answer = httpx.get(f"{url}{path}", timeout=30)
    assert answer.status_code == 502
    assert answer.json() == body
    assert "refused the connection" in answer.headers["x-statuskit-hint"]


def test_an_upstream_that_never_answers_is_a_504_within_the_timeout() -> None:
    with silent() as up, proxy(up, timeout=0.5) as url:
        # The client waits far longer than --timeout: the proxy's own answer is what comes.
        answer = httpx.get(f"{url}/api/v4/import/status/274?{Q}", timeout=30)
        again = httpx.post(f"{url}/v1/login", data={"username": "u"}, timeout=30)
    assert answer.status_code == 504
    assert answer.json() == {"errors": {"server": "GatewayTimeout"}}
    assert "did not answer within 0.5 s" in answer.headers["x-statuskit-hint"]
    assert again.status_code == 504
    assert again.json() == {"returnCode": 504, "message": "Gateway Timeout"}


# -- faults on proxied traffic ------------------------------------------------------------------


def test_faults_apply_to_proxied_traffic_with_their_targeting() -> None:
    echo = Echo()
    with echo.serving() as up, proxy(up) as url, httpx.Client(base_url=url) as client:
        fault = {"kind": "status", "status": 503, "api": "thalamus", "resource": "7", "times": 1}
        assert client.post("/__admin/v1/faults", json=fault).status_code == 201
        other = client.get("/api/v4/import/status/8")
        failed = client.get("/api/v4/import/status/7")
        passed = client.get("/api/v4/import/status/7")
        listed = client.get("/__admin/v1/faults").json()["faults"]
    assert other.status_code == 200
    assert passed.status_code == 200
    assert failed.status_code == 503
    assert failed.json() == {"errors": {"server": "ServiceUnavailable"}}
    # The injected outage never reached the upstream: it saw the other two only.
    assert [seen["target"] for seen in echo.received] == [
        "/api/v4/import/status/8",
        "/api/v4/import/status/7",
    ]
    assert [(f["matched"], f["fired"]) for f in listed] == [(1, 1)]  # spent after one


def test_the_admin_routes_answer_bad_input_with_a_400_in_their_format() -> None:
    echo = Echo()
    with echo.serving() as up, proxy(up) as url, httpx.Client(base_url=url) as client:
        answers = [
            client.post("/__admin/v1/report", content=b"{", headers={"Content-Type": "x"}),
            client.post("/__admin/v1/report", json={"format": "pdf"}),
            client.post("/__admin/v1/report", json={"path": "/etc/passwd"}),
            client.get("/__admin/v1/findings", params={"all": "1"}),
            client.post("/__admin/v1/faults", json={"kind": "explode", "api": "thalamus"}),
        ]
        report = client.post("/__admin/v1/report", json={"format": "json"})
    for answer in answers:
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert error["status"] == 400
        assert error["message"]
    assert report.status_code == 200
    assert report.json()["report"]["tool"] == "statuskit proxy"
    assert echo.received == []  # the admin API is the proxy's own: nothing was forwarded


# -- findings on the answer ----------------------------------------------------------------


def test_findings_are_named_on_the_answer_and_errors_stops_the_exchange(
    upstream: ServerProcess,
) -> None:
    path = "/api/v4/import/status/274"  # no touchpoint, token or session: the app's mistake
    plain = create_proxy_app(ProxyOptions(upstream=upstream.base_url))
    stopping = create_proxy_app(ProxyOptions(upstream=upstream.base_url, errors=True))
    with closing(plain), served(plain) as url:
        passed = httpx.get(f"{url}{path}")
        findings = httpx.get(f"{url}/__admin/v1/findings").json()
    with closing(stopping), served(stopping) as url:
        stopped = httpx.get(f"{url}{path}")
    direct = httpx.get(f"{upstream.base_url}{path}")
    assert passed.status_code == direct.status_code
    assert passed.content == direct.content
    summary = passed.headers["x-statuskit-violations"]
    assert "breaking" in summary
    assert "request-credential-missing" in summary
    assert stopped.status_code == 502
    assert stopped.json() == {"errors": {"server": "BadGateway"}}
    assert stopped.headers["x-statuskit-violations"] == summary
    assert any(f["kind"] == "request-credential-missing" for f in findings["findings"])
    assert json.dumps(findings).count("statuskit-token") == 0

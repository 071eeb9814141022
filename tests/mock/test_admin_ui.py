"""The dashboard's routes (``/__admin/ui/``) without a browser: its files and their types,
the admin API's access rules with the login page and the ``statuskit_ui`` cookie, and bad
input answered plainly (never a 500, never the token in a header or the journal)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing, contextmanager
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from mockserver import create_app
from mockserver.admin._api import UI_COOKIE, UI_HEADER
from mockserver.admin.ui import FILES, STATIC
from mockserver.config import MockConfig
from statuskit.proxy import ProxyApp, ProxyOptions
from statuskit.registry import default_registry
from tests.mock.conftest import client_for

UI = "/__admin/ui/"
TOKEN = "ui-admin-token-9f3c"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: The one URL-looking text the files may hold: SVG's namespace, a name never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
FORM = "application/x-www-form-urlencoded"


@contextmanager
def mock(**config: Any) -> Iterator[httpx.Client]:
    with client_for(create_app({"generated": 0, **config})) as client:
        yield client


@contextmanager
def proxy(**config: Any) -> Iterator[httpx.Client]:
    # The upstream is never asked: only the proxy's own /__admin/ routes are called.
    app = ProxyApp(
        ProxyOptions(upstream="http://127.0.0.1:9"), config=MockConfig.coerce(config or None)
    )
    with closing(app), client_for(app) as client:  # type: ignore[arg-type]
        yield client


def logged_in(client: httpx.Client) -> str:
    """Log in through the form; the cookie's value."""
    answer = client.post(f"{UI}session", data={"token": TOKEN})
    assert answer.status_code == 303, answer.text
    return answer.cookies[UI_COOKIE]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


# -- the files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_is_served_with_its_type(name: str) -> None:
    with mock() as client:
        answer = client.get(UI + ("" if name == "index.html" else name))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == TYPES[FILES[name].suffix]
    assert answer.content == FILES[name].read_bytes()
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_the_page_links_only_files_it_serves() -> None:
    parser = _Links()
    parser.feed(FILES["index.html"].read_text(encoding="utf-8"))
    assert parser.links  # the stylesheet, the icon, the script
    imported = {
        match
        for path in STATIC.glob("*.js")
        for match in re.findall(r'from "\./([^"]+)"', path.read_text(encoding="utf-8"))
    }
    assert imported  # the modules import each other by relative path
    with mock() as client:
        for link in [*parser.links, *imported]:
            assert "/" not in link, link  # relative: nothing off the server
            assert ":" not in link, link
            assert client.get(UI + link).status_code == 200, link


def test_no_file_names_a_url_off_the_server() -> None:
    for path in STATIC.iterdir():
        urls = set(
            re.findall(r"[a-z][a-z0-9+.-]*://[^\s\"'<>)]*", path.read_text(encoding="utf-8"))
        )
        assert urls <= {SVG_NAMESPACE}, path.name


@pytest.mark.parametrize("path", ["nope.js", "..%2Fapi.js", "static/app.js", "index.htm"])
def test_an_unknown_file_is_a_404_in_the_admin_format(path: str) -> None:
    with mock() as client:
        answer = client.get(UI + path)
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == 404


def test_the_fault_schema_is_served_from_the_registry() -> None:
    with mock() as client:
        answer = client.get(f"{UI}schemas/admin/faults-add-request.json")
        missing = client.get(f"{UI}schemas/admin/no-such-schema.json")
    assert answer.status_code == 200
    assert answer.json() == default_registry().source("admin", "faults-add-request")
    assert missing.status_code == 404
    assert "no schema admin/no-such-schema.json" in missing.json()["error"]["message"]


def test_the_route_names_are_the_fault_targets_the_server_knows() -> None:
    with mock() as client:
        routes = client.get(f"{UI}routes.json").json()["routes"]
        assert set(routes) == {"thalamus", "tealium"}
        for api, names in routes.items():
            for name in names:  # each one a fault may name
                fault = {"kind": "reset", "api": api, "route": name}
                assert client.post("/__admin/v1/faults", json=fault).status_code == 201, name
    assert "GET /api/v4/import/status/{id}" in routes["thalamus"]


def test_the_proxy_serves_the_dashboard_too() -> None:
    with proxy() as client:
        page = client.get(UI)
        routes = client.get(f"{UI}routes.json").json()["routes"]
        kind = client.get("/__admin/v1/").json()["kind"]
    assert page.status_code == 200
    assert page.content == FILES["index.html"].read_bytes()
    assert set(routes) == {"thalamus", "tealium"}
    assert kind == "proxy"


# -- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("server", [mock, proxy])
def test_with_a_token_a_refused_page_is_the_login_page(server: Any) -> None:
    with server(admin_token=TOKEN) as client:
        for path in ["", *sorted(FILES), "routes.json", "schemas/admin/faults-add-request.json"]:
            answer = client.get(UI + path)
            assert answer.status_code == 401, path
            assert answer.headers["content-type"] == "text/html; charset=utf-8"
            assert '<form method="post" action="session">' in answer.text
            assert 'type="password"' in answer.text
            assert "<script" not in answer.text
            assert "://" not in answer.text
            assert "script-src" not in answer.headers["content-security-policy"]


@pytest.mark.parametrize("server", [mock, proxy])
def test_the_right_token_sets_a_cookie_that_is_not_the_token(server: Any) -> None:
    with server(admin_token=TOKEN) as client:
        answer = client.post(f"{UI}session", data={"token": f"  {TOKEN} "})
        assert answer.status_code == 303
        assert answer.headers["location"] == "./"
        set_cookie = answer.headers["set-cookie"]
        for header in answer.headers.values():
            assert TOKEN not in header
        attributes = {part.strip().lower() for part in set_cookie.split(";")}
        assert {"httponly", "samesite=strict", "path=/__admin/"} <= attributes
        value = answer.cookies[UI_COOKIE]
        assert re.fullmatch(r"[0-9a-f]{64}", value)
        # The browser keeps it; the pages open.
        assert client.get(UI).status_code == 200
        assert client.get(f"{UI}app.js").status_code == 200


def test_the_cookie_opens_the_admin_api_only_with_the_dashboards_header() -> None:
    with mock(admin_token=TOKEN) as client:
        logged_in(client)
        assert client.get("/__admin/v1/clock").status_code == 401
        assert client.post("/__admin/v1/clock/freeze", json={}).status_code == 401
        assert client.get("/__admin/v1/clock", headers={UI_HEADER: "yes"}).status_code == 401
        assert client.get("/__admin/v1/clock", headers={UI_HEADER: "1"}).status_code == 200
        frozen = client.post("/__admin/v1/clock/freeze", json={}, headers={UI_HEADER: "1"})
        assert frozen.json()["frozen"] is True
        # The header alone, or with a forged cookie, is nothing.
        client.cookies.clear()
        assert client.get("/__admin/v1/clock", headers={UI_HEADER: "1"}).status_code == 401
        client.cookies.set(UI_COOKIE, "0" * 64)
        assert client.get("/__admin/v1/clock", headers={UI_HEADER: "1"}).status_code == 401
        assert client.get(UI).status_code == 401
        # The token itself still works, as before.
        client.cookies.clear()
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/__admin/v1/clock", headers=bearer).status_code == 200


def test_a_cookie_for_another_token_opens_nothing() -> None:
    with mock(admin_token=TOKEN) as first, mock(admin_token=TOKEN + "-other") as second:
        second.cookies.set(UI_COOKIE, logged_in(first))
        assert second.get(UI).status_code == 401
        assert second.get("/__admin/v1/clock", headers={UI_HEADER: "1"}).status_code == 401


@pytest.mark.parametrize(
    ("request_args", "status", "says"),
    [
        ({}, 400, "Enter the admin token."),
        ({"data": {"token": ""}}, 400, "Enter the admin token."),
        ({"data": {"token": "   "}}, 400, "Enter the admin token."),
        ({"json": {"token": TOKEN}}, 400, "Enter the admin token."),  # a form, not JSON
        ({"data": {"password": TOKEN}}, 400, "Enter the admin token."),
        ({"data": {"token": "wrong"}}, 401, "That is not the admin token."),
        ({"data": {"token": TOKEN + "x"}}, 401, "That is not the admin token."),
        ({"content": b"token=%FF%FE%00", "headers": {"Content-Type": FORM}}, 401, "not the"),
        ({"files": {"token": ("t.txt", b"x")}}, 400, "Enter the admin token."),
    ],
)
def test_a_bad_login_is_the_login_page_again_with_why(
    request_args: dict[str, Any], status: int, says: str
) -> None:
    with mock(admin_token=TOKEN) as client:
        answer = client.post(f"{UI}session", **request_args)
        assert answer.status_code == status
        assert says in answer.text
        assert 'role="alert"' in answer.text
        assert "set-cookie" not in answer.headers
        assert client.get(UI).status_code == 401


def test_other_methods_and_shapes_are_plain_errors() -> None:
    with mock(admin_token=TOKEN) as client:
        assert client.get(f"{UI}session").status_code == 401  # a page: the login page
        too_big = client.post(f"{UI}session", data={"token": "x" * (64 << 20)})
        refused = [client.put(f"{UI}session"), client.delete(UI), too_big]
        logged_in(client)
        refused.append(client.get(f"{UI}session"))  # no such file
        for answer, status in zip(refused, [405, 405, 413, 404], strict=True):
            assert answer.status_code == status
            assert answer.json()["error"]["status"] == status


def test_with_no_token_on_loopback_the_dashboard_is_open() -> None:
    with mock() as client:
        assert client.get(UI).status_code == 200
        answer = client.post(f"{UI}session", data={"token": "anything"})
        assert answer.status_code == 303  # nothing to log in to: back to the dashboard
        assert "set-cookie" not in answer.headers


@pytest.mark.parametrize("server", [mock, proxy])
def test_off_loopback_with_no_token_the_dashboard_is_off(server: Any) -> None:
    with server(admin_requires_token=True) as client:
        for answer in (client.get(UI), client.post(f"{UI}session", data={"token": "x"})):
            assert answer.status_code == 403
            assert "STATUSKIT_ADMIN_TOKEN" in answer.text
            assert "<form" not in answer.text
            assert "set-cookie" not in answer.headers


def test_the_token_reaches_no_journal_entry() -> None:
    with mock(admin_token=TOKEN) as client:
        cookie = logged_in(client)
        client.post(f"{UI}session", data={"token": "wrong"})
        client.get("/__admin/v1/clock", headers={UI_HEADER: "1"})
        client.post("/__admin/v1/clock/freeze", json={}, headers={UI_HEADER: "1"})
        answer = client.get("/__admin/v1/journal", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.json()["entries"]  # the freeze, a write, is there
    assert TOKEN not in answer.text
    assert cookie not in answer.text

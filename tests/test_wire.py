"""statuskit.wire: each API's credential names and request builders follow its catalogue
and schemas."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver._request_record import request_record
from statuskit import catalogue
from statuskit.client import _redact
from statuskit.client._redact import redact_text, request_line, safe_request
from statuskit.registry import default_registry
from statuskit.secrets import REDACTED
from statuskit.wire import (
    STRAY_SECRET_NAMES,
    carriers,
    cookie_header,
    secret_names,
    tealium,
    thalamus,
)
from tests.helpers import edited_catalogue


def test_secret_names_are_the_catalogues_secret_schemes_and_fields() -> None:
    registry = default_registry()
    for api in ("thalamus", "tealium"):
        cat = registry.catalogue(api)
        expected: set[str] = set()
        for scheme in cat["securitySchemes"].values():
            if scheme.get("x-secret"):
                if scheme["type"] == "http":
                    expected.add("Authorization")
                else:
                    expected.add(scheme["name"])
                if scheme.get("in") == "cookie":
                    expected |= {"Cookie", "Set-Cookie"}
        for name in registry.names(api):
            for key, node in registry.source(api, name).get("properties", {}).items():
                if node.get("x-secret"):
                    expected.add(key)
        assert set(secret_names(api)) == expected
    assert thalamus.secret_names() == secret_names("thalamus")
    assert tealium.secret_names() == secret_names("tealium")
    assert set(secret_names()) == set(secret_names("thalamus")) | set(secret_names("tealium"))


def test_not_every_credential_is_a_secret() -> None:
    touchpoint = [c for c in carriers("thalamus") if c.credential == "touchpoint"]
    assert {(c.where, c.name) for c in touchpoint} == {
        ("query", "touchpoint"),
        ("header", "Thalamus-Touchpoint"),
    }
    assert not any(c.secret for c in touchpoint)
    assert "touchpoint" not in secret_names()


def test_a_scheme_marked_secret_in_a_copied_catalogue_joins_the_list(tmp_path: Path) -> None:
    def mark(data: dict[str, Any]) -> None:
        data["securitySchemes"]["touchpointHeader"]["x-secret"] = True

    copy = edited_catalogue(tmp_path, "thalamus", mark)
    assert "Thalamus-Touchpoint" in secret_names("thalamus", registry=copy)
    assert "Thalamus-Touchpoint" not in secret_names("thalamus")


def test_thalamus_credentials_go_where_asked() -> None:
    assert thalamus.placed("tp", "tok", activity="act") == (
        {"touchpoint": "tp", "activity": "act"},
        {"Thalamus-Token": "tok"},
    )
    assert thalamus.placed("tp", "tok", touchpoint_in="header", token_in="query") == (
        {"token": "tok"},
        {"Thalamus-Touchpoint": "tp"},
    )
    assert thalamus.placed(None, "") == ({}, {"Thalamus-Token": ""})
    assert thalamus.session_headers("JSESSIONID=x") == {"Cookie": "JSESSIONID=x"}
    assert thalamus.session_headers(None) == {}


def test_thalamus_login_fields_come_from_the_login_schema() -> None:
    schema = default_registry().source("thalamus", "login-request")
    user, secret = thalamus.login_fields()
    assert user in schema["required"]
    assert schema["properties"][secret]["x-secret"]
    assert thalamus.login_request("json", "me", None).json == {user: "me"}
    assert thalamus.login_request("json", "me", "pw").json == {user: "me", secret: "pw"}
    basic = thalamus.login_request("basic", "me", "pw")
    assert basic.json is None
    scheme, _, pair = basic.headers["Authorization"].partition(" ")
    assert (scheme, base64.b64decode(pair)) == ("Basic", b"me:pw")


def test_thalamus_paths_are_the_catalogues() -> None:
    assert thalamus.login_path() == catalogue.operation("thalamus", "login").path
    assert thalamus.logout_path() == catalogue.operation("thalamus", "logout").path
    assert thalamus.session_cookie() == "JSESSIONID"


@pytest.mark.parametrize("version", [1, 2])
def test_tealium_session_operations_come_from_the_catalogue(version: int) -> None:
    login = tealium.login(version)  # type: ignore[arg-type]
    registry = default_registry()
    op = catalogue.operation("tealium", login.operation)
    assert op.session
    assert op.path == login.path
    assert op.path.startswith(f"/v{version}/")
    assert op.body(200) == catalogue.Body(login.schema)
    answer = registry.source("tealium", login.schema)["properties"][login.secret]
    assert answer["x-secret"]
    form = login.form("me@example.com", "s3cret")
    assert form == {"username": "me@example.com", login.secret_field: "s3cret"}
    assert login.secret_field in secret_names("tealium")


def test_tealium_v1_and_v2_credentials() -> None:
    assert tealium.v1_credentials("u", "JSESSIONID=c") == ({"utk": "u"}, {"Cookie": "JSESSIONID=c"})
    assert tealium.v1_credentials(None, None) == ({}, {})
    assert tealium.v1_credentials("", None) == ({"utk": ""}, {})
    assert tealium.bearer_headers("jwt") == {"Authorization": "Bearer jwt"}
    assert tealium.bearer_headers(None) == {}


def test_tealium_cookie_facts_match_the_catalogues_prose() -> None:
    entry = next(
        e for e in default_registry().catalogue("tealium")["operations"] if e["path"] == "/v1/login"
    )
    described = entry["responses"]["200"]["description"]
    assert f"{tealium.session_cookie()}=<id>; " + "; ".join(tealium.COOKIE_ATTRIBUTES) in described


def test_tealium_files_paths_follow_the_routes() -> None:
    path = tealium.files_path(2, "a/b", "m", name="x y")
    assert path == "/v2/omnichannel/accounts/a%2Fb/profiles/m/files/x%20y"
    get = catalogue.operation("tealium", "get-file-status")
    assert get.pattern.fullmatch(path)
    count = catalogue.operation("tealium", "count")
    assert count.pattern.fullmatch(tealium.files_path(1, "a", "m", tail="/count"))


def test_cookie_header_sends_back_every_set_cookie() -> None:
    assert (
        cookie_header(["JSESSIONID=a; Path=/urest_service; Secure", "b=2"]) == "JSESSIONID=a; b=2"
    )
    assert cookie_header(["JSESSIONID=; Max-Age=0", 'x=""']) is None
    assert cookie_header([]) is None


# -- the users agree with the lists ---------------------------------------------------------

VALUE = "s3cret-value-0123"


@pytest.mark.parametrize("name", secret_names(where="query"))
def test_a_secret_query_value_is_masked_by_the_client_and_the_journal(name: str) -> None:
    request = httpx.Request("GET", f"http://127.0.0.1/p?a=1&{name}={VALUE}")
    assert VALUE not in request_line(request)
    assert VALUE not in str(safe_request(request).url)
    assert VALUE not in redact_text(f"GET {request.url} 200")
    assert name.lower() in _redact.SECRET_PARAMS
    record = request_record({"PATH_INFO": "/p", "QUERY_STRING": f"a=1&{name}={VALUE}"}, ())
    assert VALUE not in json.dumps(record)
    assert record["query"] == f"a=1&{name}"


@pytest.mark.parametrize("name", secret_names(where="body"))
def test_a_secret_body_field_sent_in_a_query_is_kept_out_of_the_journal(name: str) -> None:
    record = request_record({"PATH_INFO": "/p", "QUERY_STRING": f"{name}={VALUE}"}, ())
    assert VALUE not in json.dumps(record)


@pytest.mark.parametrize("name", secret_names(where="header"))
def test_a_secret_header_is_masked_by_the_client_and_never_journaled(name: str) -> None:
    request = httpx.Request("GET", "http://127.0.0.1/p", headers={name: VALUE})
    assert safe_request(request).headers[name] == REDACTED
    assert name.lower() in _redact.SECRET_HEADERS
    trace = f"receive_response_headers.complete return_value=[(b'{name}', b'{VALUE}')]"
    assert VALUE not in redact_text(trace)
    environ = {"PATH_INFO": "/p", "HTTP_" + name.upper().replace("-", "_"): VALUE}
    assert VALUE not in json.dumps(request_record(environ, ()))


@pytest.mark.parametrize("name", secret_names(where="cookie"))
def test_a_session_cookie_is_masked_by_the_client_and_only_named_by_the_journal(name: str) -> None:
    assert VALUE not in redact_text(f"sent Cookie: {name}={VALUE}; other=1")
    record = request_record({"PATH_INFO": "/p", "HTTP_COOKIE": f"{name}={VALUE}"}, ())
    assert VALUE not in json.dumps(record)
    assert record["credentials"] == [f"cookie:{name}"]


@pytest.mark.parametrize("name", STRAY_SECRET_NAMES)
def test_a_credential_under_a_stray_name_is_kept_out_of_the_journal(name: str) -> None:
    record = request_record({"PATH_INFO": "/p", "QUERY_STRING": f"{name}={VALUE}"}, ())
    assert VALUE not in json.dumps(record)


def test_every_secret_the_builders_place_travels_under_a_listed_name() -> None:
    listed = set(secret_names())
    params, headers = thalamus.placed("tp", VALUE)
    assert set(headers) <= listed
    assert "touchpoint" not in listed  # the touchpoint is a credential, not a secret
    params, headers = thalamus.placed("tp", VALUE, token_in="query")
    assert {k for k, v in params.items() if v == VALUE} <= listed
    assert set(thalamus.login_request("basic", "me", VALUE).headers) <= listed
    assert set(thalamus.session_headers(VALUE)) <= listed
    assert thalamus.login_fields()[1] in listed
    params, headers = tealium.v1_credentials(VALUE, VALUE)
    assert set(params) | set(headers) <= listed
    assert set(tealium.bearer_headers(VALUE)) <= listed
    for version in (1, 2):
        login = tealium.login(version)
        assert {login.secret_field, login.secret} <= listed

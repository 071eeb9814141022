"""Hypothesis request fuzzing of the Thalamus mock.

Whatever arrives, the mock answers with one of the route's documented or kit statuses,
never a 5xx, and every body it sends validates against the strict schema of that status.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mockserver.config import MockConfig
from mockserver.thalamus import create_app
from tests.mock.thalamus_support import (
    CLIENT,
    COOKIE,
    LOGIN,
    LOGOUT,
    PASSWORD,
    PRINCIPAL,
    REGISTRY,
    STATUS,
    TOKEN,
    UNAUTHORIZED,
    UPLOAD,
    basic,
    client,
    wsgi_path,
)

MAX_BODY = 2048
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Each route: its methods, the statuses it may answer, and the schema of its 200 body.
ROUTES: dict[str, tuple[frozenset[str], frozenset[int], str | None]] = {
    "login": (frozenset({"POST"}), frozenset({200, 400, 401, 413}), "login-response"),
    "logout": (frozenset({"GET", "HEAD"}), frozenset({204, 400}), None),
    "status": (frozenset({"GET", "HEAD"}), frozenset({200, 400, 401, 404}), "import-record"),
    "list": (frozenset({"GET", "HEAD"}), frozenset({200, 400, 401}), "import-page"),
    "upload": (frozenset({"POST"}), frozenset({200, 400, 401, 413}), "import-record"),
}
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
LIST_PARAMS = [
    "page",
    "pageSize",
    "orderBy",
    "ascending",
    "type",
    "name",
    "beginDate",
    "endDate",
    "state",
    "withErrors",
]


@pytest.fixture(scope="module")
def thalamus_fuzz_app() -> Flask:
    """One app for all examples (``@given`` cannot take function-scoped fixtures)."""
    return create_app(MockConfig.from_env({}, generated=5, max_content_length=MAX_BODY))


@pytest.fixture(scope="module")
def thalamus_fuzz_http(thalamus_fuzz_app: Flask) -> Iterator[httpx.Client]:
    with client(thalamus_fuzz_app) as http:
        yield http


# -- strategies -----------------------------------------------------------------------------

# Header values travel as ASCII (httpx's WSGITransport decodes them so), without CR or LF.
header_text = st.text(alphabet=string.printable.strip() + " ", max_size=20)
any_text = st.text(max_size=20)
ids = st.one_of(
    st.sampled_from(["274", "275", "1000", "1004", "0", "-1", "abc", "²", "0274"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text(min_size=1, max_size=25).filter(lambda s: "/" not in s and s not in (".", "..")),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
login_bodies = st.fixed_dictionaries(
    {},
    optional={
        "principal": st.sampled_from([PRINCIPAL]) | any_text | json_values,
        "password": st.sampled_from([PASSWORD, "abc", "x" * 101]) | any_text | json_values,
    },
)


@dataclass
class Plan:
    """One fuzzed request."""

    method: str
    route: str | None
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    session: str = "none"


def placed(
    name: str, values: st.SearchStrategy[str]
) -> st.SearchStrategy[tuple[str, str, str, str]]:
    """A client parameter: absent, in the query, in the header, or both."""
    return st.tuples(
        st.sampled_from(["none", "query", "header", "both"]),
        values,
        header_text,
    ).map(lambda t: (name, *t))


def multipart(field_names: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """httpx arguments for a multipart body: one file, and maybe form fields."""
    return st.builds(
        lambda name, filename, content, data: {"files": {name: (filename, content)}, "data": data},
        field_names,
        any_text,
        # Mostly small files; sometimes about the size limit, for the 413.
        st.binary(max_size=64) | st.integers(MAX_BODY - 64, MAX_BODY + 64).map(bytes),
        st.dictionaries(any_text, any_text, max_size=2),
    )


@st.composite
def well_formed(draw: st.DrawFn, plan: Plan) -> Plan:
    """``plan`` made a proper request of its route, with fuzzed details."""
    for name, good in (("touchpoint", "test"), ("token", TOKEN)):
        if draw(st.booleans()):
            plan.params[name] = good
        else:
            plan.headers[f"Thalamus-{name.capitalize()}"] = good
    if draw(st.booleans()):
        plan.params["activity"] = draw(any_text)
    plan.session = "live"
    if plan.route == "login":
        plan.session = draw(st.sampled_from(["none", "garbage", "live"]))
        if draw(st.booleans()):
            plan.headers["Authorization"] = basic(PRINCIPAL, PASSWORD)
        else:
            plan.body = {"json": {"principal": PRINCIPAL, "password": PASSWORD}}
    elif plan.route == "upload":
        plan.params["name"] = draw(st.text(min_size=1, max_size=40))
        plan.params["type"] = draw(st.sampled_from(["25006", "25004", "25011", "25012"]))
        plan.body = draw(multipart(st.just("file")))
    elif plan.route == "list":
        values = st.sampled_from(["1", "2", "3", "6", "25011", "true", "false", "name"])
        plan.params.update(
            draw(st.dictionaries(st.sampled_from(LIST_PARAMS), values | any_text, max_size=3))
        )
    return plan


@st.composite
def plans(draw: st.DrawFn, route: str | None) -> Plan:
    paths = {
        "login": LOGIN,
        "logout": LOGOUT,
        "list": STATUS,
        "upload": UPLOAD,
    }
    if route == "status":
        path = f"{STATUS}/{draw(ids)}"
    elif route is None:
        path = "/" + draw(st.text(alphabet=string.ascii_letters + "/_-.", max_size=30))
        path = path.replace("/.", "/x")
        if path.startswith("/api/v"):
            path = "/x" + path
    else:
        path = paths[route]
    # Mostly the route's own methods, so the fuzzing reaches the views.
    own = sorted(ROUTES[route][0]) if route else METHODS
    method = draw(st.sampled_from(own) | st.sampled_from(METHODS))
    plan = Plan(method=method, route=route, path=path)

    if draw(st.integers(0, 2)) == 0:
        # A well-formed request for the route, with some fuzz: reaches the 200s.
        return draw(well_formed(plan))

    for name, where, value, header_value in [
        draw(placed("touchpoint", st.sampled_from(["test"]) | any_text)),
        draw(placed("token", st.sampled_from([TOKEN]) | any_text)),
        draw(placed("activity", any_text)),
    ]:
        # Often the right values, so the fuzzing reaches past the client checks.
        good = {"touchpoint": "test", "token": TOKEN}.get(name)
        if good is not None and draw(st.booleans()):
            value = header_value = good
        if where in ("query", "both"):
            plan.params[name] = value
        if where in ("header", "both"):
            plan.headers[f"Thalamus-{name.capitalize()}"] = header_value

    extra_keys = st.sampled_from([*LIST_PARAMS, "id"]) | any_text
    plan.params.update(draw(st.dictionaries(extra_keys, any_text, max_size=4)))
    plan.headers.update(draw(st.dictionaries(st.sampled_from(["name", "type"]), header_text)))
    if draw(st.booleans()):
        plan.headers["Authorization"] = draw(
            st.sampled_from([basic(PRINCIPAL, PASSWORD), basic("", PASSWORD), "Basic ???"])
            | st.builds(basic, header_text, header_text)
        )
    plan.session = draw(st.sampled_from(["none", "live", "garbage"]))

    kind = draw(st.sampled_from(["none", "json", "login", "form", "multipart", "raw"]))
    if kind == "json":
        plan.body = {"json": draw(json_values)}
    elif kind == "login":
        plan.body = {"json": draw(login_bodies)}
    elif kind == "form":
        plan.body = {"data": draw(st.dictionaries(any_text, any_text, max_size=3))}
    elif kind == "multipart":
        plan.body = draw(multipart(st.sampled_from(["file", "document"]) | any_text))
    elif kind == "raw":
        plan.body = {"content": draw(st.binary(max_size=3 * MAX_BODY // 2))}
        plan.headers["Content-Type"] = draw(
            st.sampled_from(["application/json", "multipart/form-data", "text/plain"]) | header_text
        )
    return plan


def live_cookie(http: httpx.Client) -> str:
    """A fresh session's cookie (fuzzed logouts end earlier ones)."""
    response = http.post(LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": PASSWORD})
    assert response.status_code == 200
    value = response.cookies[COOKIE]
    http.cookies.clear()
    return value


def send(http: httpx.Client, plan: Plan) -> httpx.Response:
    headers = dict(plan.headers)
    if plan.session == "live":
        headers["Cookie"] = f"{COOKIE}={live_cookie(http)}"
    elif plan.session == "garbage":
        headers["Cookie"] = f"{COOKIE}=deadbeef"
    response = http.request(
        plan.method, wsgi_path(plan.path), params=plan.params, headers=headers, **plan.body
    )
    http.cookies.clear()
    return response


def check_answer(plan: Plan, response: httpx.Response) -> None:
    status = response.status_code
    event(f"{plan.route} {plan.method} {status}")
    assert status < 500, response.text
    if plan.route is None:
        allowed, schema = {404}, None
    else:
        methods, statuses, schema = ROUTES[plan.route]
        if plan.method == "OPTIONS":
            allowed = {200}
        elif plan.method in methods:
            allowed = set(statuses)
        else:
            allowed = {405}
    assert status in allowed, (plan, status, response.text)

    if status == 401:
        assert response.content == b""
        assert response.headers["www-authenticate"] == UNAUTHORIZED
        assert "content-type" not in response.headers
        return
    if status == 204 or plan.method == "HEAD" or (plan.method == "OPTIONS" and status == 200):
        assert response.content == b""
        if plan.method != "HEAD":  # HEAD keeps GET's headers
            assert "content-type" not in response.headers
        return
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    name = schema if status == 200 else "error"
    assert name is not None
    assert REGISTRY.validate("thalamus", name, body) == [], (plan, body)
    if status != 200:
        assert len(body["errors"]) == 1


# -- properties -----------------------------------------------------------------------------


@pytest.mark.parametrize("route", [*ROUTES, None])
@FUZZ
@given(data=st.data())
def test_any_request_gets_a_documented_answer(
    thalamus_fuzz_http: httpx.Client, route: str | None, data: st.DataObject
) -> None:
    plan = data.draw(plans(route), label="plan")
    check_answer(plan, send(thalamus_fuzz_http, plan))


@FUZZ
@given(raw_id=ids)
def test_the_id_decides_the_answer(thalamus_fuzz_http: httpx.Client, raw_id: str) -> None:
    plan = Plan("GET", "status", f"{STATUS}/{raw_id}", params=dict(CLIENT), session="live")
    response = send(thalamus_fuzz_http, plan)
    check_answer(plan, response)
    valid = raw_id.isascii() and raw_id.isdigit() and 1 <= int(raw_id) <= 2**63 - 1
    if not valid:
        assert response.json() == {"errors": {"id": "InvalidId"}}
    elif int(raw_id) in (274, 275, 1000, 1004):
        assert response.json()["id"] == int(raw_id)
    else:
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.json()["id"] == int(raw_id)


@FUZZ
@given(
    filters=st.dictionaries(
        st.sampled_from(LIST_PARAMS),
        st.sampled_from(["1", "0", "2", "25011", "true", "no", "name", "2025-10-09", ""])
        | any_text,
        max_size=5,
    )
)
def test_list_filters_answer_a_page_or_name_the_parameter(
    thalamus_fuzz_http: httpx.Client, filters: dict[str, str]
) -> None:
    plan = Plan("GET", "list", STATUS, params={**CLIENT, **filters}, session="live")
    response = send(thalamus_fuzz_http, plan)
    check_answer(plan, response)
    body = response.json()
    if response.status_code == 400:
        [(key, _code)] = body["errors"].items()
        assert key in filters
    else:
        assert response.status_code == 200
        assert len(body["items"]) <= body["pageSize"]
        assert body["totalPages"] * body["pageSize"] >= body["totalItems"]
        if "name" in filters:
            assert all(filters["name"].casefold() in r["name"].casefold() for r in body["items"])


@FUZZ
@given(body=login_bodies, basic_auth=st.none() | st.tuples(any_text, any_text))
def test_login_bodies(
    thalamus_fuzz_http: httpx.Client, body: dict[str, Any], basic_auth: tuple[str, str] | None
) -> None:
    headers: dict[str, str] = {}
    if basic_auth is not None:
        headers["Authorization"] = basic(*basic_auth)
    plan = Plan("POST", "login", LOGIN, params=dict(CLIENT), headers=headers, body={"json": body})
    response = send(thalamus_fuzz_http, plan)
    check_answer(plan, response)
    if response.status_code == 200:
        assert response.json() == {"principal": PRINCIPAL}

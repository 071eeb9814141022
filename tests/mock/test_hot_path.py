"""The hot path answers hot GETs itself, exactly as the Flask views would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from mockserver import create_app
from mockserver._inputs import Reply
from mockserver._state import EXTENSION
from mockserver.tealium.views import hot_file
from mockserver.thalamus.views import hot_status

Q = {"touchpoint": "test", "token": "statuskit-token"}
FILE = "/v1/omnichannel/accounts/acme/profiles/main/files/sales-transaction_2016feb4v50.csv"


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app()


def handler(app: Flask, api: str) -> Callable[[dict[str, Any]], Reply | None]:
    state = app.extensions[EXTENSION]
    make = hot_status if api == "thalamus" else hot_file
    return make(state.api(api))


def environ(
    path: str, query: dict[str, str], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    pairs = list((headers or {}).items())
    return EnvironBuilder(path=path, query_string=query, headers=pairs).get_environ()


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/api/v4/import/status/274", {}, 400),
        ("/api/v4/import/status/274", Q, 401),
    ],
)
def test_thalamus_hot_path_answers_itself(
    app: Flask, path: str, query: dict[str, str], status: int
) -> None:
    reply = handler(app, "thalamus")(environ(path, query))
    assert reply is not None
    assert reply.status == status


def test_thalamus_hot_path_leaves_other_paths_to_flask(app: Flask) -> None:
    handle = handler(app, "thalamus")
    assert handle(environ("/api/v4/import/status", Q)) is None
    assert handle(environ("/api/v4/import/status/274/", Q)) is None


def test_tealium_hot_path_serves_the_documented_file(app: Flask) -> None:
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock")
    login = client.post("/v1/login", data={"username": "user@example.com", "password": "statuskit"})
    cookie = login.headers["set-cookie"].split(";")[0]
    reply = handler(app, "tealium")(environ(FILE, {"utk": login.json()["utk"]}, {"Cookie": cookie}))
    assert reply is not None
    assert reply.status == 200
    via_flask = client.get(FILE, params={"utk": login.json()["utk"]}, headers={"Cookie": cookie})
    assert reply.body == via_flask.content


@pytest.mark.parametrize("rest", ["count", "search", "", "x/../count"])
def test_tealium_hot_path_leaves_count_and_search_to_flask(app: Flask, rest: str) -> None:
    path = f"/v2/omnichannel/accounts/acme/profiles/main/files/{rest}"
    result = handler(app, "tealium")(environ(path, {}))
    if rest == "x/../count":
        # Not a route of its own: the hot path answers it as a file name, like the view.
        assert result is not None
        assert result.status == 401
    else:
        assert result is None


def test_tealium_hot_path_authenticates_v2_by_bearer(app: Flask) -> None:
    path = "/v2/omnichannel/accounts/acme/profiles/main/files/a.csv"
    reply = handler(app, "tealium")(environ(path, {}, {"Authorization": "Bearer nope"}))
    assert reply is not None
    assert (reply.status, reply.body) == (
        401,
        b'{"returnCode":1401,"message":"Authentication Failed"}',
    )

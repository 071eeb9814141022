"""The Tealium Omnichannel blueprint: v1 login and logout, v2 auth, and the file endpoints
under both versions. The file views are shared; only authentication differs."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Request, Response, request
from werkzeug.routing import PathConverter

from mockserver._app import mock_state
from mockserver._http import respond
from mockserver.config import MockConfig
from mockserver.tealium.api import API, COOKIE, Authenticate, Rejection, TealiumApi

__all__ = ["MAX_NAME", "MAX_SEARCH", "FileNameConverter", "blueprint"]

#: [DOC] "File name should not exceed 150 chars"; the same bound holds for filePrefix.
MAX_NAME = 150
#: [KIT] /search answers 400 above this many matches ("narrow the date range").
MAX_SEARCH = 50
#: [DOC] Dates look like 2017-01-01T12:34Z.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z")
_RANGE_PARAMS = ("filePrefix", "startDate", "endDate")
FILES = "/omnichannel/accounts/<account>/profiles/<profile>/files"

# [DOC] messages of GET .../files/{name}; [KIT] the messages of the other 400s.
NAME_TOO_LONG = "File name exceeds 150 chars"
NOT_FOUND = "Supplied file name not found"
PREFIX_TOO_LONG = "File prefix exceeds 150 chars"
BAD_DATE = "Dates must look like yyyy-MM-ddTHH:mmZ"
END_BEFORE_START = "endDate is before startDate"
TOO_MANY = "More than 50 files match; narrow the date range"


def _api() -> TealiumApi:
    api: TealiumApi = mock_state().api(API)
    return api


# -- v1 and v2 authentication ---------------------------------------------------------------


def login() -> Response:
    api = _api()
    session = api.login(request)
    body = api.state.gate.encode(API, "login-response", {"utk": session.secondary})
    response = respond(body)
    # [DOC] Written out so the attributes keep the documented order; the token is hex.
    config = api.state.config
    cookie = f"{COOKIE}={session.token}; Path={config.tealium_cookie_path}"
    if config.tealium_cookie_secure:
        cookie += "; Secure"
    response.headers["Set-Cookie"] = f"{cookie}; HttpOnly"
    return response


def logout() -> Response:
    api = _api()
    session = api.session(request)
    if session is not None:
        api.state.store.close_session(API, session.token)
    # [KIT] 204 whether or not there was a session to end.
    response = respond(None, 204)
    config = api.state.config
    response.delete_cookie(
        COOKIE,
        path=config.tealium_cookie_path,
        secure=config.tealium_cookie_secure,
        httponly=True,
    )
    return response


def auth() -> Response:
    api = _api()
    token = api.auth(request)
    return respond(api.state.gate.encode(API, "auth-response", {"token": token}))


def _v1(api: TealiumApi, req: Request) -> None:
    api.require_session(req)


def _v2(api: TealiumApi, req: Request) -> None:
    api.require_token(req)


# -- the file endpoints -----------------------------------------------------------------


def _minute_ms(api: TealiumApi, raw: str) -> int:
    if not _DATE.fullmatch(raw):
        raise Rejection(api.error(400, 400, BAD_DATE))
    try:
        moment = datetime.strptime(raw, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except ValueError:
        raise Rejection(api.error(400, 400, BAD_DATE)) from None
    return int(moment.timestamp()) * 1000


def _range(api: TealiumApi, account: str, profile: str) -> list[tuple[str, Any]]:
    """The filters of /count and /search, after the four documented 400 checks."""
    values = [request.args.get(name) for name in _RANGE_PARAMS]
    missing = [name for name, value in zip(_RANGE_PARAMS, values, strict=True) if value is None]
    if missing:
        raise Rejection(api.error(400, 400, f"Missing required parameter: {missing[0]}"))
    prefix, start_raw, end_raw = (value or "" for value in values)
    if len(prefix) > MAX_NAME:
        raise Rejection(api.error(400, 400, PREFIX_TOO_LONG))
    start, end = _minute_ms(api, start_raw), _minute_ms(api, end_raw)
    if end < start:
        raise Rejection(api.error(400, 400, END_BEFORE_START))
    return [
        ("category = ?", f"{account}/{profile}"),
        # An exact, case-sensitive prefix (no LIKE wildcards to escape); '' matches all.
        ("instr(name, ?) = 1", prefix),
        ("created_ms >= ?", start),
        ("created_ms <= ?", end),
    ]


def _file_views(authenticate: Authenticate) -> dict[str, Callable[..., Response]]:
    def guard(account: str) -> TealiumApi:
        api = _api()
        authenticate(api, request)
        api.check_account(account)
        return api

    def get_file(account: str, profile: str, name: str) -> Response:
        api = guard(account)
        # Werkzeug has percent-decoded the path: len() counts code points, %C3%A9 is one.
        if len(name) > MAX_NAME:
            return api.error(400, 400, NAME_TOO_LONG)
        body = api.state.store.body(API, f"{account}/{profile}/{name}")
        if body is None:
            return api.error(404, 404, NOT_FOUND)
        return respond(body)

    def count(account: str, profile: str) -> Response:
        api = guard(account)
        total, _ = api.state.store.query(API, _range(api, account, profile), limit=0)
        return respond(api.state.gate.encode(API, "count", {"count": total}))

    def search(account: str, profile: str) -> Response:
        api = guard(account)
        total, bodies = api.state.store.query(
            API, _range(api, account, profile), order_by="created_ms", limit=MAX_SEARCH
        )
        if total > MAX_SEARCH:
            return api.error(400, 400, TOO_MANY)
        # The statuses were checked when stored; the array adds nothing to check.
        return respond(b"[" + b",".join(bodies) + b"]")

    return {"file": get_file, "count": count, "search": search}


class FileNameConverter(PathConverter):
    """Any rest of the path, even one starting with ``/`` (a name may hold a ``%2F``)."""

    regex = r"[\s\S]+"  # "." would stop at a newline, and %0A is a valid name character
    # Werkzeug infers part isolation from a "/" in the regex; this one spans parts.
    part_isolating = False


def blueprint(config: MockConfig) -> Blueprint:
    """The Tealium blueprint: both versions' routes."""
    bp = Blueprint("tealium", __name__)
    # Recorded first, so the converter exists when the rules below are bound.
    bp.record_once(lambda setup: setup.app.url_map.converters.update(filename=FileNameConverter))
    bp.add_url_rule("/v1/login", view_func=login, methods=["POST"])
    bp.add_url_rule("/v1/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/v2/auth", view_func=auth, methods=["POST"])
    for version, authenticate in (("v1", _v1), ("v2", _v2)):
        views = _file_views(authenticate)
        base = f"/{version}{FILES}"
        bp.add_url_rule(f"{base}/count", f"{version}_count", views["count"], methods=["GET"])
        bp.add_url_rule(f"{base}/search", f"{version}_search", views["search"], methods=["GET"])
        # A name with %2F reaches the view (and is not found) rather than the router's 404.
        bp.add_url_rule(
            f"{base}/<filename:name>", f"{version}_file", views["file"], methods=["GET"]
        )
    bp.register_error_handler(Rejection, lambda exc: exc.response)
    return bp

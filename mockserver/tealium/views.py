"""The Tealium Omnichannel blueprint: v1 login and logout, v2 auth, and the file endpoints
under both versions. The file views are shared; only authentication differs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.routing import PathConverter

from mockserver._filters import AtLeast, Below, Equals, Filter, Prefix
from mockserver._http import respond
from mockserver._inputs import EnvironInputs, FlaskInputs, Rejection, Reply
from mockserver._state import mock_state
from mockserver.config import MockConfig
from mockserver.tealium.api import API, COOKIE, MAX_NAME, Authenticate, TealiumApi, v1, v2

__all__ = ["MAX_SEARCH", "FileNameConverter", "blueprint", "hot_file"]

#: [KIT] /search answers 400 above this many matches ("narrow the date range").
MAX_SEARCH = 50
#: [DOC] Dates look like 2017-01-01T12:34Z.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z")
_RANGE_PARAMS = ("filePrefix", "startDate", "endDate")
FILES = "/omnichannel/accounts/<account>/profiles/<profile>/files"

# [KIT] the messages of the other 400s; the same 150-character bound holds for filePrefix.
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
    session = api.session(FlaskInputs(request))
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


# -- the file endpoints -----------------------------------------------------------------


def _minute_ms(api: TealiumApi, raw: str) -> int:
    if not _DATE.fullmatch(raw):
        raise Rejection(api.error(400, 400, BAD_DATE))
    try:
        moment = datetime.strptime(raw, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except ValueError:
        raise Rejection(api.error(400, 400, BAD_DATE)) from None
    return int(moment.timestamp()) * 1000


def _range(api: TealiumApi, account: str, profile: str) -> list[Filter]:
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
        Equals("category", f"{account}/{profile}"),
        # An exact, case-sensitive prefix (no wildcards to escape); '' matches all.
        Prefix("name", prefix),
        AtLeast("created_ms", start),
        Below("created_ms", end + 1),  # endDate is inclusive, to the millisecond
    ]


def _file_views(authenticate: Authenticate) -> dict[str, Callable[..., Response]]:
    def guard(account: str) -> TealiumApi:
        api = _api()
        authenticate(api, FlaskInputs(request))
        api.check_account(account)
        return api

    def get_file(account: str, profile: str, name: str) -> Response:
        # The hot path (hot_file below) answers GETs before Flask; this view serves HEAD.
        return _api().file(FlaskInputs(request), authenticate, account, profile, name).response()

    def count(account: str, profile: str) -> Response:
        api = guard(account)
        at_ms = api.state.now_ms()
        total, _ = api.state.store.query(API, _range(api, account, profile), at_ms=at_ms, limit=0)
        return respond(api.state.gate.encode(API, "count", {"count": total}))

    def search(account: str, profile: str) -> Response:
        api = guard(account)
        total, bodies = api.state.store.query(
            API,
            _range(api, account, profile),
            at_ms=api.state.now_ms(),
            order_by="created_ms",
            limit=MAX_SEARCH,
        )
        if total > MAX_SEARCH:
            raise Rejection(api.error(400, 400, TOO_MANY))
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
    for version, authenticate in (("v1", v1), ("v2", v2)):
        views = _file_views(authenticate)
        base = f"/{version}{FILES}"
        bp.add_url_rule(f"{base}/count", f"{version}_count", views["count"], methods=["GET"])
        bp.add_url_rule(f"{base}/search", f"{version}_search", views["search"], methods=["GET"])
        # A name with %2F reaches the view (and is not found) rather than the router's 404.
        bp.add_url_rule(
            f"{base}/<filename:name>", f"{version}_file", views["file"], methods=["GET"]
        )
    return bp


_HOT_PREFIXES = ("/v1/omnichannel/accounts/", "/v2/omnichannel/accounts/")


def hot_file(api: TealiumApi) -> Callable[[Mapping[str, Any]], Reply | None]:
    """The hot path of ``GET /v1|v2/.../files/{name}``: the same logic as the view, reached
    without Flask's routing and request context."""

    def handle(environ: Mapping[str, Any]) -> Reply | None:
        raw: str = environ.get("PATH_INFO", "")
        if not raw.startswith(_HOT_PREFIXES):
            return None
        authenticate = v1 if raw.startswith(_HOT_PREFIXES[0]) else v2
        # As Werkzeug does: the WSGI path is latin-1 text of the raw bytes, read as UTF-8.
        path = raw.encode("latin-1").decode("utf-8", "replace")
        parts = path.split("/", 8)  # '', v1, omnichannel, accounts, a, profiles, p, files, name
        if len(parts) != 9 or parts[5] != "profiles" or parts[7] != "files":
            return None
        account, profile, name = parts[4], parts[6], parts[8]
        if not account or not profile or not name or name in ("count", "search"):
            return None
        try:
            return api.file(EnvironInputs(environ), authenticate, account, profile, name)
        except Rejection as rejected:
            return rejected.reply

    return handle

"""The Thalamus v4 blueprint: consumer login and logout, import status, list and upload."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, request

from mockserver._filters import AtLeast, Below, Contains, Equals, Filter
from mockserver._http import dumps, respond
from mockserver._inputs import EnvironInputs, FlaskInputs, Rejection, Reply
from mockserver._state import mock_state
from mockserver.config import MockConfig
from mockserver.scenarios import scenario
from mockserver.thalamus.api import API, MAX_INT, ThalamusApi, number
from statuskit import catalogue
from statuskit.registry import SchemaRegistry

__all__ = ["ListDefaults", "blueprint", "hot_status"]

#: [KIT] The most records a page holds, whatever pageSize asks (the page says so).
MAX_PAGE_SIZE = 1000
#: The store column each record field the list may be ordered by sits in.
_COLUMNS = {"name": "name", "creationDate": "created_ms", "state": "state"}
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
#: [KIT] Thalamus is a Java server: an id is a long; page, pageSize and codes are ints.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # [DOC] yyyy-MM-dd


def _api() -> ThalamusApi:
    api: ThalamusApi = mock_state().api(API)
    return api


@dataclass(frozen=True)
class ListDefaults:
    """The list endpoint's defaults and ``orderBy`` values, as its catalogue writes them."""

    page: int
    page_size: int
    order_by: str
    ascending: bool
    #: The store column of each ``orderBy`` value.
    columns: Mapping[str, str]

    @classmethod
    @functools.cache
    def from_registry(cls, registry: SchemaRegistry) -> ListDefaults:
        """Read once per registry (the mock's gate holds one for its life)."""
        op = catalogue.operation(API, "list-imports", registry=registry)
        unknown = set(op.allowed("orderBy")) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"{op}: no store column to order by {sorted(unknown)}")
        return cls(
            page=int(op.default("page")),
            page_size=int(op.default("pageSize")),
            order_by=str(op.default("orderBy")),
            ascending=str(op.default("ascending")).lower() in _TRUE,
            columns={value: _COLUMNS[value] for value in op.allowed("orderBy")},
        )


def login() -> Response:
    api = _api()
    session = api.login(request)
    body = api.state.gate.encode(API, "login-response", {"principal": session.principal})
    response = respond(body)
    response.set_cookie(
        api.state.config.thalamus_session_cookie, session.token, path="/", httponly=True
    )
    return response


def logout() -> Response:
    api = _api()
    # "Every endpoint takes these": a logout without touchpoint and token is refused too.
    api.check_client(FlaskInputs(request))
    session = api.session(FlaskInputs(request))
    if session is not None:
        api.state.store.close_session(API, session.token)
    response = respond(None, 204)
    response.delete_cookie(api.state.config.thalamus_session_cookie, path="/")
    return response


def get_status(raw_id: str) -> Response:
    # The hot path (hot_status below) answers GETs before Flask; this view serves HEAD.
    return _api().status(FlaskInputs(request), raw_id).response()


def _int(api: ThalamusApi, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = number(raw, MAX_INT)
    if value is None:
        raise Rejection(api.error(400, name, "InvalidFormat"))
    return value if maximum is None else min(value, maximum)


def _bool(api: ThalamusApi, name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise Rejection(api.error(400, name, "InvalidFormat"))


def _day_ms(api: ThalamusApi, name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        # fromisoformat alone also takes week dates (2025-W01-1) and basic forms.
        day = date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None:
        raise Rejection(api.error(400, name, "InvalidDateFormat"))
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _filters(api: ThalamusApi) -> list[Filter]:
    where: list[Filter] = []
    raw_type = request.args.get("type")
    if raw_type is not None:
        code = number(raw_type, MAX_INT)
        if code is None or code not in api.records.import_types:
            raise Rejection(api.error(400, "type", "InvalidCode"))
        where.append(Equals("category", str(code)))
    name = request.args.get("name")
    if name:
        # A plain substring (no wildcards), ignoring case beyond ASCII too.
        where.append(Contains("name", name))
    begin, end = _day_ms(api, "beginDate"), _day_ms(api, "endDate")
    if begin is not None:
        where.append(AtLeast("created_ms", begin))
    if end is not None:
        where.append(Below("created_ms", end + 86_400_000))  # endDate is inclusive
    raw_state = request.args.get("state")
    if raw_state is not None:
        state_id = number(raw_state, MAX_INT)
        state = None if state_id is None else api.records.states.by_id(state_id)
        if state is None:
            raise Rejection(api.error(400, "state", "InvalidId"))
        where.append(Equals("state", state))
    with_errors = _bool(api, "withErrors")
    if with_errors is not None:
        where.append(Equals("has_errors", with_errors))
    return where


def list_imports() -> Response:
    api = _api()
    api.require_session(FlaskInputs(request))
    defaults = ListDefaults.from_registry(api.state.gate.registry)
    page = _int(api, "page", defaults.page)
    size = _int(api, "pageSize", defaults.page_size, maximum=MAX_PAGE_SIZE)
    order = request.args.get("orderBy", defaults.order_by)
    if order not in defaults.columns:
        raise Rejection(api.error(400, "orderBy", "InvalidName"))
    ascending = _bool(api, "ascending")
    total, bodies = api.state.store.query(
        API,
        _filters(api),
        at_ms=api.state.now_ms(),
        order_by=defaults.columns[order],
        ascending=defaults.ascending if ascending is None else ascending,
        limit=size,
        offset=(page - 1) * size,
    )
    envelope = {
        "page": page,
        "pageSize": size,
        "totalItems": total,
        "totalPages": math.ceil(total / size),
    }
    # The records were checked when stored; the envelope is checked here, with no items.
    api.state.gate.encode(API, "import-page", {"items": [], **envelope})
    body = b'{"items":[' + b",".join(bodies) + b"]," + dumps(envelope)[1:]
    return respond(body)


def upload() -> Response:
    api = _api()
    api.require_session(FlaskInputs(request))
    # [KIT] As for touchpoint and token, a query parameter that is sent wins, even empty.
    name = request.args.get("name", request.headers.get("name"))
    raw_type = request.args.get("type", request.headers.get("type"))
    if not name:
        raise Rejection(api.error(400, "name", "Required"))
    if not raw_type:
        raise Rejection(api.error(400, "type", "Required"))
    import_type = number(raw_type, MAX_INT)
    if import_type is None or import_type not in api.records.import_types:
        raise Rejection(api.error(400, "type", "InvalidCode"))
    if request.mimetype != "multipart/form-data":
        raise Rejection(api.error(400, "body", "UnsupportedMediaType"))
    upload = request.files.get("file")
    if upload is None:
        raise Rejection(api.error(400, "file", "Required"))
    content = upload.read()
    row = api.create_import(
        name=name,
        file_name=upload.filename or name,
        import_type=import_type,
        file_size=len(content),
        # [KIT] An upload follows the configured scenario (fast-success by default).
        scenario=scenario(api.state.config.upload_scenario),
    )
    return respond(row.body)


def blueprint(config: MockConfig) -> Blueprint:
    """The Thalamus blueprint, with the login path ``config`` names."""
    bp = Blueprint("thalamus", __name__)
    bp.add_url_rule(config.thalamus_login_path, view_func=login, methods=["POST"])
    bp.add_url_rule("/api/v3/logout", view_func=logout, methods=["GET"])
    bp.add_url_rule("/api/v4/import/status/<raw_id>", view_func=get_status, methods=["GET"])
    bp.add_url_rule("/api/v4/import/status", view_func=list_imports, methods=["GET"])
    bp.add_url_rule("/api/v4/import/file", view_func=upload, methods=["POST"])
    return bp


STATUS_PREFIX = "/api/v4/import/status/"


def hot_status(api: ThalamusApi) -> Callable[[Mapping[str, Any]], Reply | None]:
    """The hot path of ``GET /api/v4/import/status/{id}``: the same logic as the view,
    reached without Flask's routing and request context."""

    def handle(environ: Mapping[str, Any]) -> Reply | None:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(STATUS_PREFIX):
            return None
        raw_id = path[len(STATUS_PREFIX) :]
        if not raw_id or "/" in raw_id:
            return None
        try:
            return api.status(EnvironInputs(environ), raw_id)
        except Rejection as rejected:
            return rejected.reply

    return handle

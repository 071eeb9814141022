"""The admin API under ``/__admin/v1/``: the kit's own control surface, JSON in and out.

It drives the mock's clock, creates imports and files that follow scenarios, sets states,
configures faults, reads the request journal, and resets everything. It listens wherever the
server listens; off loopback it needs ``STATUSKIT_ADMIN_TOKEN`` (see ``docs/admin.md``).
Its bodies have schemas too (``schemas/admin/``), checked like every other body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request

from mockserver._app import ApiMount, MockState, mock_state
from mockserver._inputs import Rejection, Reply
from mockserver.config import MockConfig

__all__ = ["API", "MOUNT", "PREFIX", "AdminApi", "admin"]

API = "admin"
PREFIX = "/__admin/v1"
_ROUTES: list[Callable[[Blueprint], None]] = []


class AdminApi:
    """Per-app helpers for the admin views."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    def error(self, status: int, message: str) -> Reply:
        """``{"error": {"status", "message"}}``."""
        body = {"error": {"status": status, "message": message}}
        return Reply(status, self.state.gate.encode(API, "error", body))

    def reply(self, schema: str, body: Any, status: int = 200, *, api: str = API) -> Response:
        """A body checked against ``api``/``schema``, as a response."""
        return Reply(status, self.state.gate.encode(api, schema, body)).response()

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object (empty when there is no body); 400 otherwise."""
        if not request.get_data():
            return {}
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise Rejection(self.error(400, "the body must be a JSON object"))
        return data

    def moment(self, name: str, value: object) -> float:
        """``value`` (named ``name``) as epoch seconds: a number, or an ISO-8601 date-time
        with its zone; anything else is a 400."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None:
                return moment.timestamp()
        raise Rejection(self.error(400, f"'{name}' must be epoch seconds or ISO-8601 with a zone"))

    def guard(self) -> None:
        """Refuse the call unless the server is on loopback or the admin token is sent."""
        config = self.state.config
        if config.admin_token is None:
            if config.admin_requires_token:
                raise Rejection(
                    self.error(403, "the admin API is off: set STATUSKIT_ADMIN_TOKEN to use it")
                )
            return
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not config.admin_token.matches(token.strip()):
            raise Rejection(self.error(401, "send the admin token as 'Authorization: Bearer ...'"))


def admin() -> AdminApi:
    """The admin helpers of the app handling the current request."""
    api: AdminApi = mock_state().api(API)
    return api


def routes(register: Callable[[Blueprint], None]) -> Callable[[Blueprint], None]:
    """Decorator: ``register(bp)`` adds an admin module's routes to every admin blueprint."""
    _ROUTES.append(register)
    return register


def blueprint(config: MockConfig) -> Blueprint:
    """The admin blueprint, with every admin module's routes."""
    from mockserver.admin import clock, faults, journal, resources  # noqa: F401  (routes)

    bp = Blueprint("admin", __name__, url_prefix=PREFIX)
    bp.before_request(lambda: admin().guard())

    @bp.get("/")
    def index() -> Response:
        rules = sorted(
            f"{','.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))} {r.rule}"
            for r in _current_rules()
        )
        return admin().reply("index", {"version": 1, "endpoints": rules})

    for register in _ROUTES:
        register(bp)
    return bp


def _current_rules() -> list[Any]:
    from flask import current_app

    return [r for r in current_app.url_map.iter_rules() if r.rule.startswith(PREFIX)]


def _http_error(state: MockState, status: int, description: str) -> Reply:
    api: AdminApi = state.api(API)
    return api.error(status, description)


MOUNT = ApiMount(
    name=API,
    prefixes=("/__admin/",),
    blueprint=blueprint,
    setup=AdminApi,
    seed=lambda state: None,
    http_error=_http_error,
)

"""The admin API's per-app helpers, which every admin route module reads through :func:`admin`.

They live apart from the package's ``__init__`` so the route modules (``clock``, ``faults``,
``journal``, ``resources``) can use them while the package imports those modules to build its
blueprint.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Response, g, request

from mockserver._inputs import Rejection, Reply
from mockserver._journaled import UI_HEADER
from mockserver._state import MockState, mock_state
from mockserver.admin._inputs import AdminInputs, InputError
from statuskit.secrets import Secret

__all__ = ["API", "PREFIX", "UI_COOKIE", "UI_HEADER", "AdminApi", "admin", "ui_credential"]

API = "admin"
PREFIX = "/__admin/v1"
#: The dashboard's cookie (``/__admin/ui/``), set by its login: a value derived from the
#: admin token, never the token itself.
UI_COOKIE = "statuskit_ui"
# UI_HEADER: the header every call of the dashboard's script sends (the journal leaves its
# reads out). The admin API takes the cookie only with it: a form on another site can make a
# browser send the cookie, not a header.


def ui_credential(token: Secret) -> str:
    """The dashboard cookie's value for ``token``: HMAC-SHA256 of a fixed message keyed by
    the token, so the cookie proves the token was given without carrying it."""
    key = token.reveal().encode("utf-8", "surrogatepass")
    return hmac.new(key, b"statuskit-ui", hashlib.sha256).hexdigest()


class AdminApi:
    """Per-app helpers for the admin views."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.inputs = AdminInputs(state.gate.registry)

    def error(self, status: int, message: str) -> Reply:
        """``{"error": {"status", "message"}}``."""
        body = {"error": {"status": status, "message": message}}
        return Reply(status, self.state.gate.encode(API, "error", body))

    def reply(self, schema: str, body: Any, status: int = 200, *, api: str = API) -> Response:
        """A body checked against ``api``/``schema``, as a response."""
        return Reply(status, self.state.gate.encode(api, schema, body)).response()

    def bad_input(self, exc: InputError) -> Rejection:
        """The 400 for input the admin API cannot use."""
        return Rejection(self.error(400, str(exc)))

    def check_inputs(self) -> None:
        """Check the request's body and query against their schemas, before any view reads
        them; keep what passed for :meth:`json_body` and :meth:`query`."""
        rule = request.url_rule
        expected = None if rule is None else self.inputs.expected(request.method, rule.rule)
        if expected is None:
            return  # routing failed (404, 405) or an automatic OPTIONS: nothing is read
        try:
            g.admin_body = self.inputs.body(
                expected, request.get_data(cache=True), is_json=request.is_json
            )
            g.admin_query = self.inputs.query(expected, request.args)
        except InputError as exc:
            raise self.bad_input(exc) from None

    def json_body(self) -> dict[str, Any]:
        """The request's JSON body, checked against its schema (empty when none was sent)."""
        body: dict[str, Any] = g.get("admin_body", {})
        return body

    def query(self) -> dict[str, Any]:
        """The request's query parameters the operation reads, checked against its schema."""
        query: dict[str, Any] = g.get("admin_query", {})
        return query

    def moment(self, name: str, value: object) -> float:
        """``value`` (the field ``name``) as epoch seconds: a number, or a string of one or
        of an ISO-8601 date-time with its zone, within the clock's range; a 400 otherwise."""
        try:
            return self.inputs.clock.moment(name, value)
        except InputError as exc:
            raise self.bad_input(exc) from None

    def guard(self) -> None:
        """Refuse the call unless the server is on loopback or the admin token is sent (or
        the dashboard's cookie, with the dashboard's header)."""
        refused = self.refusal()
        if refused is not None:
            raise Rejection(refused)

    def refusal(self, *, page: bool = False) -> Reply | None:
        """Why the request may not use the admin API, or ``None`` when it may.

        With a token configured, ``Authorization: Bearer <token>`` is taken, and so is the
        dashboard's cookie: for an admin call only with ``X-Statuskit-UI: 1``, for one of the
        dashboard's own pages (``page``, which a browser navigates to without headers) alone.
        """
        config = self.state.config
        token = config.admin_token
        if token is None:
            if config.admin_requires_token:
                return self.error(403, "the admin API is off: set STATUSKIT_ADMIN_TOKEN to use it")
            return None
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.matches(given.strip()):
            return None
        from_ui = page or request.headers.get(UI_HEADER) == "1"
        if from_ui and Secret(ui_credential(token)).matches(request.cookies.get(UI_COOKIE)):
            return None
        return self.error(401, "send the admin token as 'Authorization: Bearer ...'")


def admin() -> AdminApi:
    """The admin helpers of the app handling the current request."""
    api: AdminApi = mock_state().api(API)
    return api

"""The admin API's per-app helpers, which every admin route module reads through :func:`admin`.

They live apart from the package's ``__init__`` so the route modules (``clock``, ``faults``,
``journal``, ``resources``) can use them while the package imports those modules to build its
blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from mockserver._inputs import Rejection, Reply
from mockserver._state import MockState, mock_state
from mockserver.admin._inputs import AdminInputs, InputError

__all__ = ["API", "PREFIX", "AdminApi", "admin"]

API = "admin"
PREFIX = "/__admin/v1"


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

"""The Thalamus mock's helpers: parameters, credentials, sessions and error bodies."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from flask import Request, Response

from mockserver._app import MockState
from mockserver._http import respond
from mockserver.store import Record, Session
from mockserver.thalamus.records import RecordFactory

__all__ = ["API", "ID_COUNTER", "Rejection", "ThalamusApi"]

API = "thalamus"
#: The counter that numbers new imports; seeding raises it past every seeded id.
ID_COUNTER = "thalamus:id"
#: [KIT] Thalamus uses BASIC AUTH for its session; a 401 names the scheme.
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Basic realm="Thalamus"'}
SESSION_TTL = 8 * 3600.0


class Rejection(Exception):
    """A request the mock refuses; carries the finished response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class ThalamusApi:
    """Per-app helpers for the Thalamus views."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        creds = state.config.thalamus
        # [KIT] "test" is always accepted, so the documented example works as written.
        self.touchpoints = frozenset({"test", creds.touchpoint})
        self.records = RecordFactory(state.gate.registry)
        self._errors: dict[tuple[str, str], bytes] = {}

    # -- bodies ------------------------------------------------------------------------

    def error(self, status: int, field: str, code: str) -> Response:
        """``{"errors": {field: code}}`` with ``status``; each body checked once, then reused."""
        body = self._errors.get((field, code))
        if body is None:
            body = self.state.gate.encode(API, "error", {"errors": {field: code}})
            self._errors[field, code] = body
        return respond(body, status)

    def unauthorized(self) -> Response:
        return respond(None, 401, UNAUTHORIZED_HEADERS)

    def store_record(self, record: dict[str, Any]) -> bytes:
        """Check a record against its schema, store it, and return its bytes."""
        body = self.state.gate.encode(API, "import-record", record)
        done = record["rowsWithErrors"] + record["rowsRollbackedWithErrors"]
        self.state.store.put(
            Record(
                api=API,
                key=str(record["id"]),
                body=body,
                name=record["name"],
                category=str(record["owner"]["entityType"]),
                state=record["state"],
                created_ms=record["creationDate"],
                has_errors=done > 0,
            )
        )
        return body

    # -- parameters and credentials ------------------------------------------------------

    @staticmethod
    def param(request: Request, name: str) -> str | None:
        """A parameter sent as a query parameter or as a ``Thalamus-*`` or plain header.

        [KIT] The query parameter wins when both are sent.
        """
        value = request.args.get(name)
        if value is None:
            value = request.headers.get(f"Thalamus-{name.capitalize()}")
        return value

    def check_client(self, request: Request) -> None:
        """Touchpoint and token, in the kit's order; raise :class:`Rejection` on failure."""
        touchpoint = self.param(request, "touchpoint")
        if not touchpoint:
            raise Rejection(self.error(400, "partnerDataSource", "TouchpointCodeRequired"))
        if touchpoint not in self.touchpoints:
            raise Rejection(self.error(400, "partnerDataSource", "InvalidTouchpointCode"))
        token = self.param(request, "token")
        if not token:
            raise Rejection(self.error(400, "token", "Required"))
        if not self.state.config.thalamus.token.matches(token):
            raise Rejection(self.error(400, "token", "InvalidToken"))

    def session(self, request: Request) -> Session | None:
        cookie = request.cookies.get(self.state.config.thalamus_session_cookie)
        return self.state.store.session(API, cookie, now=self.state.clock())

    def require_session(self, request: Request) -> Session:
        """The caller's consumer session; a 401 without one."""
        self.check_client(request)
        session = self.session(request)
        if session is None:
            raise Rejection(self.unauthorized())
        return session

    def credentials(self, request: Request) -> tuple[str, str | None]:
        """The login's principal and password, from HTTP Basic or the JSON body."""
        header = request.headers.get("Authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise Rejection(self.unauthorized()) from None
            user, _, secret = decoded.partition(":")
            if not user:  # as for a JSON body without a principal
                raise Rejection(self.error(400, "principal", "Required"))
            return user, secret
        if not request.content_length and not request.get_data():
            raise Rejection(self.error(400, "principal", "Required"))
        if not request.is_json:
            raise Rejection(self.error(400, "body", "UnsupportedMediaType"))
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser goes: still not usable JSON
            body = None
        if not isinstance(body, Mapping):
            raise Rejection(self.error(400, "body", "InvalidJson"))
        principal, password = body.get("principal"), body.get("password")
        if not isinstance(principal, str) or not principal:
            raise Rejection(self.error(400, "principal", "Required"))
        if password is not None and not isinstance(password, str):
            raise Rejection(self.error(400, "password", "InvalidFormat"))
        return principal, password

    def login(self, request: Request) -> Session:
        """Check a login and open a session."""
        self.check_client(request)
        if self.session(request) is not None:
            raise Rejection(self.error(400, "party", "PartyAlreadyLoggedin"))
        principal, password = self.credentials(request)
        if password is not None and not 4 <= len(password) <= 100:
            raise Rejection(self.error(400, "password", "InvalidFormat"))
        creds = self.state.config.thalamus
        # [DOC] The password is optional on passwordless touchpoints; the kit's touchpoints
        # all have one.
        if principal != creds.principal or not creds.password.matches(password):
            raise Rejection(self.unauthorized())
        return self.state.store.open_session(
            API, principal, ttl=SESSION_TTL, now=self.state.clock()
        )

"""The Thalamus mock's helpers: parameters, credentials, sessions and error bodies."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Request

from mockserver._inputs import FlaskInputs, Inputs, Rejection, Reply
from mockserver._state import MockState
from mockserver.scenarios import Scenario
from mockserver.store import ALWAYS, Record, Session, Snapshot
from mockserver.thalamus.records import RecordFactory, lifecycle
from statuskit import catalogue

__all__ = ["API", "ID_COUNTER", "MAX_INT", "MAX_LONG", "ThalamusApi", "number"]

API = "thalamus"
#: The counter that numbers new imports; seeding raises it past every seeded id.
ID_COUNTER = "thalamus:id"
#: [KIT] Thalamus uses BASIC AUTH for its session; a 401 names the scheme, as the catalogue
#: writes it.
UNAUTHORIZED_HEADERS = dict(catalogue.operation(API, "get-status").statuses[401].headers)
SESSION_TTL = 8 * 3600.0


#: [KIT] The largest id, and the largest page, size, type or state, a request may name.
MAX_LONG, MAX_INT = 2**63 - 1, 2**31 - 1


def number(raw: str | None, maximum: int) -> int | None:
    """``raw`` as a positive decimal integer up to ``maximum``, else ``None``.

    Only ASCII digits count (``str.isdigit`` accepts "²" and ``int`` reads other scripts'
    digits), and the length is checked before ``int`` sees the string.
    """
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0")
    if not digits or len(digits) > len(str(maximum)) or int(digits) > maximum:
        return None
    return int(digits)


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

    def error(self, status: int, field: str, code: str) -> Reply:
        """``{"errors": {field: code}}`` with ``status``; each body checked once, then reused."""
        body = self._errors.get((field, code))
        if body is None:
            body = self.state.gate.encode(API, "error", {"errors": {field: code}})
            self._errors[field, code] = body
        return Reply(status, body)

    def unauthorized(self) -> Reply:
        """The 401 of a request without a consumer session: no body."""
        return Reply(401, None, UNAUTHORIZED_HEADERS)

    def snapshot(self, at_ms: int, record: dict[str, Any]) -> Snapshot:
        """Check a record against its strict schema and make it a snapshot from ``at_ms``."""
        body = self.state.gate.encode(API, "import-record", record)
        errors = record["rowsWithErrors"] + record["rowsRollbackedWithErrors"]
        return Snapshot(at_ms, body, record["state"], errors > 0)

    def row(
        self, record: dict[str, Any], later: Sequence[tuple[int, dict[str, Any]]] = ()
    ) -> Record:
        """The store row of a record (its first snapshot) and its ``later`` lifecycle."""
        first = self.snapshot(ALWAYS, record)
        return Record(
            api=API,
            key=str(record["id"]),
            body=first.body,
            name=record["name"],
            category=str(record["owner"]["entityType"]),
            state=first.state,
            created_ms=record["creationDate"],
            has_errors=first.has_errors,
            later=tuple(self.snapshot(at, r) for at, r in later),
        )

    def store_lifecycle(self, snapshots: Sequence[tuple[int, dict[str, Any]]]) -> Record:
        """Check and store a record's whole lifecycle; return its row."""
        row = self.row(snapshots[0][1], snapshots[1:])
        self.state.store.put(row)
        return row

    def create_import(
        self,
        *,
        name: str,
        file_name: str,
        import_type: int,
        scenario: Scenario,
        file_size: int = 0,
    ) -> Record:
        """A new import, created now on the mock's clock, that follows ``scenario``."""
        snapshots = lifecycle(
            self.records,
            scenario,
            id=self.state.store.next_value(ID_COUNTER, start=1),
            name=name,
            file_name=file_name,
            import_type=import_type,
            created_ms=self.state.now_ms(),
            file_size=file_size,
        )
        return self.store_lifecycle(snapshots)

    def store_record(self, record: dict[str, Any]) -> bytes:
        """Check a record, store it, and return its bytes."""
        row = self.row(record)
        self.state.store.put(row)
        return row.body

    # -- parameters and credentials ------------------------------------------------------

    @staticmethod
    def param(inputs: Inputs, name: str) -> str | None:
        """A parameter sent as a query parameter or as a ``Thalamus-*`` header.

        [KIT] The query parameter wins when both are sent.
        """
        value = inputs.query(name)
        if value is None:
            value = inputs.header(f"Thalamus-{name.capitalize()}")
        return value

    def check_client(self, inputs: Inputs) -> None:
        """Touchpoint and token, in the kit's order; raise :class:`Rejection` on failure."""
        touchpoint = self.param(inputs, "touchpoint")
        if not touchpoint:
            raise Rejection(self.error(400, "partnerDataSource", "TouchpointCodeRequired"))
        if touchpoint not in self.touchpoints:
            raise Rejection(self.error(400, "partnerDataSource", "InvalidTouchpointCode"))
        token = self.param(inputs, "token")
        if not token:
            raise Rejection(self.error(400, "token", "Required"))
        if not self.state.config.thalamus.token.matches(token):
            raise Rejection(self.error(400, "token", "InvalidToken"))

    def session(self, inputs: Inputs) -> Session | None:
        """The live consumer session the request's cookie names, if any."""
        cookie = inputs.cookie(self.state.config.thalamus_session_cookie)
        return self.state.session(API, cookie)

    def require_session(self, inputs: Inputs) -> Session:
        """Check touchpoint and token, then return the consumer session; a 401 without one."""
        self.check_client(inputs)
        session = self.session(inputs)
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

    def status(self, inputs: Inputs, raw_id: str) -> Reply:
        """``GET /api/v4/import/status/{id}``: the whole logic, for the view and the hot path."""
        self.require_session(inputs)
        record_id = number(raw_id, MAX_LONG)
        if record_id is None:
            return self.error(400, "id", "InvalidId")
        body = self.state.body(API, str(record_id))
        if body is None:
            return self.error(404, "id", "NotFound")
        return Reply(200, body)

    def login(self, request: Request) -> Session:
        """Check a login and open a session."""
        inputs = FlaskInputs(request)
        self.check_client(inputs)
        if self.session(inputs) is not None:
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

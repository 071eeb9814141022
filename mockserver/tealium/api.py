"""The Tealium mock's helpers: credentials, v1 sessions, v2 tokens and error bodies."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

from flask import Request
from werkzeug.http import HTTP_STATUS_CODES

from mockserver._inputs import Inputs, Rejection, Reply
from mockserver._state import MockState
from mockserver.scenarios import Scenario
from mockserver.store import ALWAYS, Record, Session, Snapshot
from mockserver.tealium.files import FileFactory, created_ms, lifecycle
from mockserver.tealium.tokens import TokenSigner
from statuskit.fixtures import fixtures
from statuskit.wire import tealium as wire

__all__ = [
    "API",
    "AUTH_FAILED",
    "COOKIE",
    "FORBIDDEN",
    "LOCKED_OUT",
    "SESSION_TTL",
    "UTK",
    "Authenticate",
    "TealiumApi",
    "v1",
    "v2",
]

API = "tealium"
#: [DOC] The v1 session cookie and the query parameter of its utk (the catalogue's names).
COOKIE = wire.session_cookie()
UTK = wire.session_parameter()
#: [KIT] How long a v1 session (JSESSIONID + utk) lives; the docs do not say.
SESSION_TTL = 8 * 3600.0
#: [DOC] The documented returnCodes of a v1 401.
AUTH_FAILED, LOCKED_OUT, FORBIDDEN = 1401, 1402, 1469
#: [KIT] returnCodes of HTTP errors no documented case covers: the HTTP status itself.
_HTTP_RETURN_CODES = frozenset({400, 404, 405, 413, 429, 500, 502, 503, 504})

#: Checks a request's credentials for one API version; raises :class:`Rejection`.
Authenticate = Callable[["TealiumApi", Inputs], None]
#: [DOC] "File name should not exceed 150 chars".
MAX_NAME = 150
#: [DOC] the messages of GET .../files/{name}.
NAME_TOO_LONG = "File name exceeds 150 chars"
NOT_FOUND = "Supplied file name not found"


def _documented_messages() -> dict[int, str]:
    # The 401 messages come from the documented fixtures, never retyped here.
    found = {}
    for fixture in fixtures(api=API, kind="documented"):
        if fixture.schema == "error":
            body = fixture.load()
            found[body["returnCode"]] = body["message"]
    return found


class TealiumApi:
    """Per-app helpers for the Tealium views."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.files = FileFactory(state.gate.registry)
        self.messages = _documented_messages()
        self._signer: TokenSigner | None = None
        # Messages are static text, never request data, so this cache stays small.
        self._errors: dict[tuple[int, str], bytes] = {}

    def __repr__(self) -> str:
        return "<TealiumApi>"

    # -- bodies ------------------------------------------------------------------------

    def error(self, status: int, return_code: int, message: str) -> Reply:
        """``{"returnCode", "message"}`` with ``status``; each body checked once, then reused."""
        key = (return_code, message)
        body = self._errors.get(key)
        if body is None:
            body = self.state.gate.encode(
                API, "error", {"returnCode": return_code, "message": message}
            )
            self._errors[key] = body
        return Reply(status, body)

    def unauthorized(self, return_code: int = AUTH_FAILED) -> Reply:
        """A documented 401: 1401, 1402 or 1469, with its documented message."""
        return self.error(401, return_code, self.messages[return_code])

    def http_error(self, status: int) -> Reply:
        """[KIT] Any other HTTP error, with the HTTP status as returnCode."""
        if status == 401:
            return self.unauthorized()
        code = status if status in _HTTP_RETURN_CODES else 500 if status >= 500 else 400
        return self.error(status, code, HTTP_STATUS_CODES.get(status, "Error"))

    def snapshot(self, at_ms: int, status: dict[str, Any]) -> Snapshot:
        """Check a file status against its strict schema and make it a snapshot."""
        body = self.state.gate.encode(API, "file-status", status)
        history = status["status"]
        return Snapshot(at_ms, body, history[-1]["state"] if history else "")

    def row(
        self, status: dict[str, Any], later: Sequence[tuple[int, dict[str, Any]]] = ()
    ) -> Record:
        """The store row of a file status (its first snapshot) and its ``later`` lifecycle."""
        first = self.snapshot(ALWAYS, status)
        account, profile, name = status["account"], status["profile"], status["file"]["name"]
        return Record(
            api=API,
            key=f"{account}/{profile}/{name}",
            body=first.body,
            name=name,
            category=f"{account}/{profile}",
            state=first.state,
            created_ms=created_ms(status),
            later=tuple(self.snapshot(at, st) for at, st in later),
        )

    def create_file(
        self, *, account: str, profile: str, name: str, scenario: Scenario, size: int = 0
    ) -> Record:
        """A new file, created now on the mock's clock, that follows ``scenario``."""
        snapshots = lifecycle(
            self.files,
            scenario,
            account=account,
            profile=profile,
            name=name,
            created_ms=self.state.now_ms(),
            size=size,
        )
        return self.store_lifecycle(snapshots)

    def store_file(self, status: dict[str, Any]) -> bytes:
        """Check a file status against its schema, store it, and return its bytes."""
        row = self.row(status)
        self.state.store.put(row)
        return row.body

    def store_lifecycle(self, snapshots: Sequence[tuple[int, dict[str, Any]]]) -> Record:
        """Check and store a file's whole lifecycle; return its row."""
        row = self.row(snapshots[0][1], snapshots[1:])
        self.state.store.put(row)
        return row

    # -- v1: username and password, then JSESSIONID + utk ---------------------------------

    def locked_out(self, username: str, now: float) -> bool:
        """Whether ``username`` is locked out: a run of failures within the window ended
        less than one window ago. Attempts during a lockout are not counted, so it ends on time.
        """
        config = self.state.config
        attempts, window = config.tealium_lockout_attempts, config.tealium_lockout_seconds
        if attempts < 1:
            return False
        recent = self.state.store.failures_since(API, username, now - 2 * window)
        return any(
            recent[i] - recent[i - attempts + 1] <= window and recent[i] + window > now
            for i in range(attempts - 1, len(recent))
        )

    def login(self, request: Request) -> Session:
        """Check a v1 login and open a session; raise :class:`Rejection` on failure."""
        username = request.form.get("username", "")
        password = request.form.get("password")
        now = self.state.clock()
        store = self.state.store
        # [DOC] Once locked out, right or wrong credentials alike get 1402.
        if username and self.locked_out(username, now):
            raise Rejection(self.unauthorized(LOCKED_OUT))
        creds = self.state.config.tealium
        if username != creds.username or not creds.password.matches(password):
            if username:
                store.record_failure(API, username, now=now)
            raise Rejection(self.unauthorized())
        store.clear_failures(API, username)
        return store.open_session(API, username, ttl=SESSION_TTL, now=now)

    def session(self, inputs: Inputs) -> Session | None:
        """The v1 session whose JSESSIONID cookie and utk the request both carry."""
        session = self.state.session(API, inputs.cookie(COOKIE))
        utk = inputs.query(UTK)
        if session is None or utk is None or not _same(session.secondary, utk):
            return None
        return session

    def require_session(self, inputs: Inputs) -> None:
        """[KIT] 401 1401 unless cookie and utk are present and name one live session."""
        if self.session(inputs) is None:
            raise Rejection(self.unauthorized())

    # -- v2: username and key, then a bearer JWT ------------------------------------------

    @property
    def signer(self) -> TokenSigner:
        """The JWT signer, keyed by the database's secret so every worker agrees."""
        if self._signer is None:
            self._signer = TokenSigner(self.state.store.secret(f"{API}:jwt"))
        return self._signer

    def auth(self, request: Request) -> str:
        """Check a v2 auth request and issue a token; raise :class:`Rejection` on failure."""
        creds = self.state.config.tealium
        username = request.form.get("username", "")
        if username != creds.username or not creds.api_key.matches(request.form.get("key")):
            raise Rejection(self.unauthorized())
        ttl = self.state.config.tealium_token_ttl
        return self.signer.issue(username, now=self.state.clock(), ttl=ttl)

    def require_token(self, inputs: Inputs) -> None:
        """[KIT] 401 1401 unless ``Authorization: Bearer`` carries a live, well-signed JWT."""
        scheme, _, token = (inputs.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not self.signer.verify(
            token.strip(), now=self.state.clock()
        ):
            raise Rejection(self.unauthorized())

    def check_account(self, account: str) -> None:
        """[KIT] 401 1469 for an account outside ``tealium_accounts``, when that is set."""
        allowed = self.state.config.tealium_accounts
        if allowed is not None and account not in allowed:
            raise Rejection(self.unauthorized(FORBIDDEN))

    def file(
        self, inputs: Inputs, authenticate: Authenticate, account: str, profile: str, name: str
    ) -> Reply:
        """``GET .../files/{name}``: the whole logic, for the views and the hot path."""
        authenticate(self, inputs)
        self.check_account(account)
        # The path is percent-decoded: len() counts code points, so %C3%A9 is one.
        if len(name) > MAX_NAME:
            return self.error(400, 400, NAME_TOO_LONG)
        body = self.state.body(API, f"{account}/{profile}/{name}")
        if body is None:
            return self.error(404, 404, NOT_FOUND)
        return Reply(200, body)


def v1(api: TealiumApi, inputs: Inputs) -> None:
    """v1 authentication: the JSESSIONID cookie and utk of one session."""
    api.require_session(inputs)


def v2(api: TealiumApi, inputs: Inputs) -> None:
    """v2 authentication: a bearer JWT."""
    api.require_token(inputs)


def _same(expected: str, candidate: str) -> bool:
    # Constant time, and safe for any text a client sends.
    return hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "surrogatepass"))

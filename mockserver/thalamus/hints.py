"""Near-miss hints for Thalamus 4xx answers (``mockserver.hints``).

Each names what to send and where, or the closest known id; none quotes a value the
client sent for a credential.
"""

from __future__ import annotations

from mockserver.hints import Miss
from mockserver.thalamus.api import API, ThalamusApi

__all__ = ["hint"]

_WHERE = (
    "missing parameter '{0}': send it as the query parameter '{0}' or the header 'Thalamus-{1}'"
)
_PARAMETERS = {
    ("partnerDataSource", "TouchpointCodeRequired"): "touchpoint",
    ("token", "Required"): "token",
}


def _closest_id(api: ThalamusApi, wanted: int) -> int | None:
    ids = [int(key) for key in api.state.store.keys(API) if key.isdigit()]
    return min(ids, key=lambda i: (abs(i - wanted), i)) if ids else None


def _unauthorized(api: ThalamusApi, miss: Miss) -> str:
    config = api.state.config
    login = f"POST {config.thalamus_login_path}"
    cookie = config.thalamus_session_cookie
    if miss.landing.route is not None and miss.landing.route.startswith(login):
        return "the principal or password is wrong"
    if miss.inputs.cookie(cookie) is None:
        return f"no login session: log in with {login} and send the {cookie} cookie it sets"
    return f"the {cookie} cookie names no live session (expired or logged out): log in again"


def hint(api: ThalamusApi, miss: Miss) -> str | None:
    """One line on what a Thalamus request answered with a 4xx nearly got right."""
    if miss.status == 401:
        return _unauthorized(api, miss)
    body = miss.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict) or len(errors) != 1:
        return None
    [(field, code)] = errors.items()
    parameter = _PARAMETERS.get((field, code))
    if parameter is not None:
        return _WHERE.format(parameter, parameter.capitalize())
    if code == "InvalidTouchpointCode":
        return "unknown touchpoint: this mock takes 'test' and STATUSKIT_THALAMUS_TOUCHPOINT"
    if code == "InvalidToken":
        return "the token is not this mock's (STATUSKIT_THALAMUS_TOKEN); it is never echoed"
    if field == "id" and code == "InvalidId":
        return "the id must be a positive integer"
    if field == "id" and code == "NotFound":
        raw = miss.landing.resource or ""
        closest = _closest_id(api, int(raw)) if raw.isdigit() else None
        return None if closest is None else f"no import with that id; closest known id: {closest}"
    if (field, code) == ("principal", "Required"):
        return "send the login as HTTP Basic, or as a JSON body with 'principal' and 'password'"
    if code == "Required":
        return f"missing parameter: {field}"
    if code == "PartyAlreadyLoggedin":
        return "already logged in: this request's session cookie names a live session"
    if code in ("InvalidFormat", "InvalidCode", "InvalidName", "InvalidDateFormat"):
        return f"'{field}' has the wrong format or value; see docs/wire.md"
    return None

"""Near-miss hints for Tealium 4xx answers (``mockserver.hints``).

An unknown file gets the closest known file name of that account and profile (or, when
that account and profile have no files, the closest account/profile); a refused request
gets which credential is missing or stale. None quotes a credential's value.
"""

from __future__ import annotations

import difflib

from mockserver.hints import Miss
from mockserver.tealium.api import (
    API,
    AUTH_FAILED,
    COOKIE,
    FORBIDDEN,
    LOCKED_OUT,
    NOT_FOUND,
    UTK,
    TealiumApi,
)

__all__ = ["hint"]

_MISSING = "Missing required parameter: "
_RANGE = "filePrefix, startDate, endDate"


def _closest(word: str, candidates: list[str]) -> str | None:
    if not candidates:
        return None
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.0)
    return close[0] if close else None


def _unknown_file(api: TealiumApi, miss: Miss) -> str | None:
    args = miss.landing.args
    account, profile, name = args.get("account"), args.get("profile"), args.get("name")
    if account is None or profile is None or name is None:
        return None
    where = f"{account}/{profile}"
    names: list[str] = []
    places: set[str] = set()
    for key in api.state.store.keys(API):
        owner_account, owner_profile, file_name = key.split("/", 2)
        places.add(f"{owner_account}/{owner_profile}")
        if owner_account == account and owner_profile == profile:
            names.append(file_name)
    if names:
        return f"no such file in {where}; closest: {_closest(name, names)}"
    closest = _closest(where, sorted(places))
    return f"no files in {where}; closest account/profile: {closest}" if closest else None


def _refused(api: TealiumApi, miss: Miss) -> str:
    route = miss.landing.route or ""
    inputs = miss.inputs
    if route.startswith("POST /v1/login"):
        return "the username or password is wrong (failures count toward a lockout)"
    if route.startswith("POST /v2/auth"):
        return "the username or API key is wrong"
    if route.split(" ", 1)[-1].startswith("/v2/"):
        scheme, _, token = (inputs.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "send 'Authorization: Bearer <token>' with a token from POST /v2/auth"
        return "the bearer token is expired or was not issued by this server"
    cookie, utk = inputs.cookie(COOKIE) is not None, inputs.query(UTK) is not None
    if not cookie and not utk:
        return f"send the {COOKIE} cookie and the utk query parameter from POST /v1/login"
    if not cookie:
        return f"missing the {COOKIE} cookie (from POST /v1/login's Set-Cookie)"
    if not utk:
        return "missing the utk query parameter (from POST /v1/login's body)"
    return f"the {COOKIE} cookie and utk name no live session together: log in again"


def hint(api: TealiumApi, miss: Miss) -> str | None:
    """One line on what a Tealium request answered with a 4xx nearly got right."""
    body = miss.json()
    if not isinstance(body, dict):
        return None
    code, message = body.get("returnCode"), str(body.get("message", ""))
    if code == AUTH_FAILED:
        return _refused(api, miss)
    if code == LOCKED_OUT:
        return "locked out after repeated failed logins; wait, or advance the mock's clock"
    if code == FORBIDDEN:
        allowed = api.state.config.tealium_accounts or ()
        return f"this user may read only the accounts: {', '.join(sorted(allowed))}"
    if miss.status == 404 and message == NOT_FOUND:
        return _unknown_file(api, miss)
    if message.startswith(_MISSING):
        missing = message[len(_MISSING) :]
        return f"missing parameter: {missing} (/count and /search need all three of {_RANGE})"
    return None

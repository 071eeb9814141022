"""What the journal records of one request: method, path, query and the names of the
credentials it carried, with every secret value scrubbed before anything is kept."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_plus

from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.secrets import REDACTED
from statuskit.wire import STRAY_SECRET_NAMES, carriers, secret_names

__all__ = ["PUBLIC_DEFAULTS", "SECRET_PARAMETERS", "request_record", "request_secrets"]

#: Query parameters whose values are never recorded, only their names: every secret query
#: parameter and body field of the APIs, the credentials' secret fields (``api_key``), and
#: the stray names a client might put a credential under.
SECRET_PARAMETERS = frozenset(
    name.lower()
    for name in (
        *secret_names(where="query"),
        *secret_names(where="body"),
        *ThalamusCredentials.secret_fields(),
        *TealiumCredentials.secret_fields(),
        *STRAY_SECRET_NAMES,
    )
)
#: Query parameters that are credentials, secret or not: their names are listed.
_CREDENTIAL_PARAMETERS = frozenset(c.name.lower() for c in carriers() if c.where == "query")
#: Headers that carry a credential as an API key: listed as the credential they carry.
_CREDENTIAL_HEADERS = tuple(
    ("HTTP_" + c.name.upper().replace("-", "_"), c.credential)
    for c in carriers()
    if c.where == "header" and c.scheme is None
)
#: Authorization schemes shown by name (the ones the APIs take); anything else is shown as
#: ``authorization``, since a client that forgot the scheme would otherwise have its token
#: recorded as one.
_SCHEMES = frozenset(c.scheme for c in carriers() if c.where == "header" and c.scheme) - {"cookie"}
#: Headers whose whole value is a secret (``Thalamus-Token``), as WSGI names them.
_SECRET_HEADERS = tuple(
    "HTTP_" + c.name.upper().replace("-", "_")
    for c in carriers()
    if c.where == "header" and c.scheme is None and c.secret
)
#: Cookies whose value is a secret (``JSESSIONID``), lower-cased.
_SECRET_COOKIES = frozenset(c.name.lower() for c in carriers() if c.where == "cookie" and c.secret)
#: The kit's own default credentials, printed by ``statuskit serve`` and the README: hiding
#: them protects nothing and would garble every name that holds the word (``statuskit-
#: import``), so the journal, like drift and the proxy, does not mask them.
PUBLIC_DEFAULTS = frozenset(
    getattr(creds, name).reveal()
    for creds in (ThalamusCredentials(), TealiumCredentials())
    for name in creds.secret_fields()
)
#: Shorter values a request carried are not masked in its answer: "a" would garble it.
_SHORTEST = 4
_SAFE = "/:@,;!*'()$"
#: A path or query longer than this is cut in the journal.
_LONGEST = 2048


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _query(raw: str, secrets: Sequence[str]) -> tuple[str, list[str]]:
    """The query with secret values dropped, and the credential parameters it names."""
    parts: list[str] = []
    names: list[str] = []
    for part in raw.split("&"):
        if not part:
            continue
        name, sep, value = part.partition("=")
        encoded = "%" in part or "+" in part
        if encoded:
            # Decoded first, so an encoded secret cannot slip past the checks below.
            name, value = unquote_plus(name), unquote_plus(value)
        lowered = name.lower()
        if lowered in _CREDENTIAL_PARAMETERS:
            names.append(lowered)
        shown: str | None = None if lowered in SECRET_PARAMETERS or not sep else value
        if encoded:
            name = quote(_scrub(name, secrets), safe=_SAFE)
            shown = None if shown is None else quote(_scrub(shown, secrets), safe=_SAFE)
        else:
            # Already URL-safe as sent (nothing to decode), so kept as it is, scrubbed.
            name = _scrub(name, secrets)
            shown = None if shown is None else _scrub(shown, secrets)
        parts.append(name if shown is None else f"{name}={shown}")
    return "&".join(parts), names


def request_record(environ: Mapping[str, Any], secrets: Sequence[str]) -> dict[str, Any]:
    """The request's ``method``, ``path``, ``query`` and ``credentials``, with no secret.

    ``secrets`` are the configured credential values: wherever a client put one (a path, a
    parameter of another name), it is replaced by ``***``.
    """
    raw_path: str = environ.get("PATH_INFO", "")
    path = raw_path if raw_path.isascii() else raw_path.encode("latin-1").decode("utf-8", "replace")
    query, credentials = _query(environ.get("QUERY_STRING", ""), secrets)
    for header, name in _CREDENTIAL_HEADERS:
        if header in environ:
            credentials.append(name)
    authorization = environ.get("HTTP_AUTHORIZATION")
    if authorization:
        scheme = authorization.split(" ", 1)[0].lower()
        credentials.append(scheme if scheme in _SCHEMES else "authorization")
    cookie = environ.get("HTTP_COOKIE")
    if cookie:
        for part in cookie.split(";"):
            name, sep, _ = part.partition("=")
            name = name.strip()
            if sep and name:
                credentials.append(f"cookie:{_scrub(name, secrets)}")
    return {
        "method": environ.get("REQUEST_METHOD", "GET"),
        "path": _scrub(path, secrets)[:_LONGEST],
        "query": query[:_LONGEST],
        "credentials": list(dict.fromkeys(credentials)),
    }


def _authorization(value: str) -> list[str]:
    """An ``Authorization`` header's credentials, and a Basic one's password."""
    scheme, _, credentials = value.strip().partition(" ")
    found = [credentials.strip() or scheme]
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(found[0], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return found
        found.append(decoded.partition(":")[2])
    return found


def request_secrets(environ: Mapping[str, Any]) -> tuple[str, ...]:
    """The secret values the request carried (a token, a utk, a session cookie, its
    ``Authorization``), so that an answer echoing one is scrubbed of it: an upstream behind
    the proxy may quote what it was sent."""
    found: list[str] = []
    query = environ.get("QUERY_STRING")
    if query:
        found += [v for k, v in parse_qsl(query) if k.lower() in SECRET_PARAMETERS]
    for header in _SECRET_HEADERS:
        if header in environ:
            found.append(str(environ[header]))
    authorization = environ.get("HTTP_AUTHORIZATION")
    if authorization:
        found += _authorization(str(authorization))
    cookie = environ.get("HTTP_COOKIE")
    if cookie:
        for part in str(cookie).split(";"):
            name, sep, value = part.partition("=")
            if sep and name.strip().lower() in _SECRET_COOKIES:
                found.append(value.strip().strip('"'))
    kept = (v for v in found if len(v) >= _SHORTEST and v not in PUBLIC_DEFAULTS)
    return tuple(dict.fromkeys(kept))

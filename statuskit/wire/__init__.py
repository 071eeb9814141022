"""Each API's wire beyond its catalogue: where credentials travel, the secret names, the
login forms and the request builders, in one module per API.

:mod:`statuskit.wire.thalamus` and :mod:`statuskit.wire.tealium` build the parts of a
request that carry credentials; the reference client, the contract suites' hand-built
requests and drift all use them. :func:`secret_names` is the one list of names whose values
are secret, read from the catalogues' ``securitySchemes`` and the schemas' ``x-secret``
marks: redaction, the mock's journal and drift's reports all mask what it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statuskit.wire._names import Carrier, carriers, secret_names

__all__ = [
    "STRAY_SECRET_NAMES",
    "Carrier",
    "answer_code",
    "carriers",
    "cookie_header",
    "secret_names",
]

#: [KIT] Names no API takes a credential under, but a confused client might send one
#: under (a bearer token as ``?access_token=``): whatever records a request keeps their
#: values out as if they were secret. Defence in depth, not the wire.
STRAY_SECRET_NAMES = ("access_token", "apikey", "jwt", "secret")


def cookie_header(set_cookies: Iterable[str]) -> str | None:
    """The ``Cookie`` header value that sends back every cookie the ``Set-Cookie`` header
    values set, or ``None`` when they set none.

    Parsed by hand: a cookie jar would apply the cookie's ``Path`` and ``Secure``
    attributes, and Tealium's ``Path=/urest_service`` never matches its own API. Deleted
    cookies (empty values) are skipped.
    """
    pairs = []
    for header in set_cookies:
        name, sep, value = header.split(";", 1)[0].partition("=")
        if sep and name.strip() and value.strip().strip('"'):
            pairs.append(f"{name.strip()}={value.strip()}")
    return "; ".join(pairs) or None


def answer_code(api: str, body: Any) -> str | None:
    """The code an error answer carries, as the catalogue writes its cases' codes:
    Thalamus's errors as ``field:Code`` (comma-separated when there are several),
    Tealium's ``returnCode``; ``None`` for a body that carries none."""
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if api == "thalamus" and isinstance(errors, dict):
        return ",".join(f"{k}:{v}" for k, v in errors.items()) or None
    if "returnCode" in body:
        return str(body["returnCode"])
    return None

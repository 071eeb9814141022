"""Logging in to a running fake upstream the way a client does, for peer tools.

A generic tool reading the exported document knows that an operation wants a session cookie
or a bearer token, but not how to get one. :func:`log_in` performs each API's login once,
with the credentials of the ``STATUSKIT_*`` variables (the ones ``statuskit serve`` reads,
so tool and server agree), and :meth:`Logins.value` gives the value each security scheme
of the document takes. Every value is a :class:`~statuskit.secrets.Secret`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from statuskit.client._thalamus import env_login_path
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.errors import StatuskitError
from statuskit.secrets import Secret

__all__ = ["Logins", "log_in"]


def _cookies(response: httpx.Response) -> dict[str, str]:
    """Every cookie ``response`` sets, by name, read from ``Set-Cookie`` by hand: a cookie
    jar would apply Tealium's ``Path=/urest_service; Secure``, which match none of its API's
    paths over plain HTTP (see the catalogue's ``jsessionid`` scheme)."""
    found: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        name, sep, value = header.split(";", 1)[0].partition("=")
        if sep and name.strip() and value.strip():
            found[name.strip()] = value.strip()
    return found


@dataclass(frozen=True, repr=False)
class Logins:
    """Live logins to some APIs, and the credentials that go with them."""

    #: By the document's security scheme name (``<api>.<scheme>``).
    secrets: Mapping[str, Secret]
    #: By API, then by cookie name: what each API's login set.
    cookies: Mapping[str, Mapping[str, Secret]]

    def __repr__(self) -> str:
        return f"Logins(apis={sorted(self.cookies)!r})"

    def value(self, name: str, scheme: Mapping[str, Any]) -> Secret | None:
        """The value of the document's security scheme ``name`` (``<api>.<scheme>``), whose
        definition is ``scheme``; ``None`` when these logins have none for it.

        A cookie scheme takes the cookie of that name which the API's login set. The
        Thalamus login's own HTTP Basic has no value: a tool tests the login with its own.
        """
        if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
            api = name.partition(".")[0]
            return self.cookies.get(api, {}).get(str(scheme.get("name")))
        return self.secrets.get(name)


def _checked(response: httpx.Response, what: str) -> httpx.Response:
    # One line, the status only: a login's body and headers carry credentials.
    if response.status_code != 200:
        raise StatuskitError(
            f"{what} at {response.request.url.copy_with(query=None)} answered "
            f"{response.status_code}; are STATUSKIT_* the server's credentials?"
        )
    return response


_Login = tuple[dict[str, Secret], dict[str, Secret]]


def _thalamus(client: httpx.Client, environ: Mapping[str, str] | None) -> _Login:
    creds = ThalamusCredentials.from_env(environ)
    consumer = _checked(
        client.post(
            # Where the reference client logs in: STATUSKIT_THALAMUS_LOGIN_PATH, which the
            # mock reads too, or the kit's default.
            env_login_path(None, environ),
            params={"touchpoint": creds.touchpoint},
            headers={"Thalamus-Token": creds.token.reveal()},
            auth=(creds.principal, creds.password.reveal()),
        ),
        "the Thalamus consumer login",
    )
    touchpoint = Secret(creds.touchpoint)
    secrets = {
        "thalamus.touchpointQuery": touchpoint,
        "thalamus.touchpointHeader": touchpoint,
        "thalamus.tokenQuery": creds.token,
        "thalamus.tokenHeader": creds.token,
    }
    return secrets, {k: Secret(v) for k, v in _cookies(consumer).items()}


def _tealium(client: httpx.Client, environ: Mapping[str, str] | None) -> _Login:
    creds = TealiumCredentials.from_env(environ)
    v1 = _checked(
        client.post(
            "/v1/login", data={"username": creds.username, "password": creds.password.reveal()}
        ),
        "the Tealium v1 login",
    )
    v2 = _checked(
        client.post("/v2/auth", data={"username": creds.username, "key": creds.api_key.reveal()}),
        "the Tealium v2 auth",
    )
    secrets = {
        "tealium.utk": Secret(v1.json()["utk"]),
        "tealium.bearer": Secret(v2.json()["token"]),
    }
    return secrets, {k: Secret(v) for k, v in _cookies(v1).items()}


_LOGINS = {"thalamus": _thalamus, "tealium": _tealium}


def log_in(
    base_url: str,
    environ: Mapping[str, str] | None = None,
    *,
    apis: Iterable[str] = tuple(_LOGINS),
    timeout: float = 30,
) -> Logins:
    """Log in once to each of ``apis`` at ``base_url`` (the Thalamus consumer; Tealium v1
    and v2), with the ``STATUSKIT_*`` credentials of ``environ`` (default: the process's).
    An API without a login of its own (the admin API) is skipped."""
    secrets: dict[str, Secret] = {}
    cookies: dict[str, Mapping[str, Secret]] = {}
    try:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            for api in sorted(set(apis) & set(_LOGINS)):
                values, cookies[api] = _LOGINS[api](client, environ)
                secrets.update(values)
    except httpx.HTTPError as exc:
        raise StatuskitError(f"cannot log in at {base_url}: {type(exc).__name__}") from None
    except (ValueError, KeyError, TypeError):
        raise StatuskitError(
            f"cannot log in at {base_url}: a login answered no credential"
        ) from None
    return Logins(secrets=secrets, cookies=cookies)

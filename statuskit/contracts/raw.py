"""Hand-built requests for the contract suites, through the run's guarded transport.

The reference client always sends credentials the one right way; the documented behaviours
are also about the other ways (a touchpoint as a header, a missing utk, a wrong cookie), so
the suites build those requests here. Sessions are logged in once and kept until the mock
is reset (``ContractTarget.generation``); they are held as
:class:`~statuskit.secrets.Secret`\\ s and never printed. No cookie jar is kept: every
cookie is sent explicitly.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Final, Literal
from urllib.parse import quote

import httpx

from statuskit.client._base import session_cookies
from statuskit.contracts.target import ContractTarget
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.secrets import Secret

__all__ = ["CONFIGURED", "Place", "Raw"]


class _Configured:
    """The sentinel for "the configured, valid credential" (``None``: not sent)."""

    def __repr__(self) -> str:
        return "CONFIGURED"


CONFIGURED: Final = _Configured()

#: Where a Thalamus touchpoint or token travels.
Place = Literal["query", "header"]
_HEADERS = {"touchpoint": "Thalamus-Touchpoint", "token": "Thalamus-Token"}


class Raw:
    """Requests to ``target`` built by hand, and valid sessions to put in them."""

    def __init__(self, target: ContractTarget) -> None:
        self.target = target
        self.thalamus = ThalamusCredentials.from_env()
        self.tealium = TealiumCredentials.from_env()
        self.http = httpx.Client(
            base_url=target.base_url,
            transport=target.transport,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            timeout=30,
        )
        self._sessions: dict[str, tuple[int, tuple[Secret, ...]]] = {}

    def close(self) -> None:
        """Close the connection pool (the transport belongs to the target)."""
        self.http.close()

    def send(self, method: str, path: str, **options: Any) -> httpx.Response:
        """One request: ``path`` is already percent-encoded; ``options`` go to httpx
        (``auth=`` to its ``send``, the rest to its ``build_request``)."""
        auth = options.pop("auth", None)
        request = self.http.build_request(method, path, **options)
        if auth is None:
            return self.http.send(request)
        return self.http.send(request, auth=auth)

    # -- Thalamus ---------------------------------------------------------------------

    @staticmethod
    def placed(
        touchpoint: str | None,
        token: str | None,
        *,
        touchpoint_in: Place = "query",
        token_in: Place = "header",
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Query parameters and headers carrying a touchpoint and a token (``None``: not
        sent) where they are asked to go."""
        params: dict[str, str] = {}
        headers: dict[str, str] = {}
        for name, value, place in (
            ("touchpoint", touchpoint, touchpoint_in),
            ("token", token, token_in),
        ):
            if value is not None:
                if place == "query":
                    params[name] = value
                else:
                    headers[_HEADERS[name]] = value
        return params, headers

    def thalamus_client(self) -> tuple[dict[str, str], dict[str, str]]:
        """The valid touchpoint (query) and token (header), as the reference client sends
        them."""
        return self.placed(self.thalamus.touchpoint, self.thalamus.token.reveal())

    def thalamus_login(self, **options: Any) -> httpx.Response:
        """``POST`` the login with the valid touchpoint and token; ``options`` add the
        credentials (``auth=``, ``json=``...)."""
        params, headers = self.thalamus_client()
        headers.update(options.pop("headers", {}))
        path = self.target.resources.login_path
        return self.send("POST", path, params=params, headers=headers, **options)

    def new_thalamus_session(self) -> str:
        """A new consumer session's ``Cookie`` header value (not kept)."""
        auth = (self.thalamus.principal, self.thalamus.password.reveal())
        answer = self.thalamus_login(auth=auth)
        cookie = session_cookies(answer) if answer.status_code == 200 else None
        if cookie is None:
            raise AssertionError(
                f"the Thalamus login answered {answer.status_code} without a session: check "
                "STATUSKIT_THALAMUS_PRINCIPAL, _PASSWORD and _LOGIN_PATH"
            )
        return cookie

    def thalamus_session(self) -> str:
        """A consumer session's ``Cookie`` header value, kept until the mock is reset."""
        return self._kept("thalamus", lambda: (Secret(self.new_thalamus_session()),))[0]

    def thalamus_get(
        self,
        path: str,
        *,
        touchpoint: str | _Configured | None = CONFIGURED,
        token: str | _Configured | None = CONFIGURED,
        touchpoint_in: Place = "query",
        token_in: Place = "header",
        session: bool = True,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A GET with the given touchpoint and token (:data:`CONFIGURED`: the valid ones;
        ``None``: not sent; ``""``: sent empty), and the kept session unless
        ``session=False``."""
        query, sent = self.placed(
            self.thalamus.touchpoint if isinstance(touchpoint, _Configured) else touchpoint,
            self.thalamus.token.reveal() if isinstance(token, _Configured) else token,
            touchpoint_in=touchpoint_in,
            token_in=token_in,
        )
        if session:
            sent["Cookie"] = self.thalamus_session()
        sent.update(headers or {})
        return self.send("GET", path, params={**query, **(params or {})}, headers=sent)

    # -- Tealium -------------------------------------------------------------------------

    def files_path(
        self, version: int = 1, tail: str = "", *, account: str | None = None, name: str = ""
    ) -> str:
        """``/v{version}/omnichannel/accounts/{account}/profiles/{profile}/files`` and
        either ``tail`` (``/count``) or ``name``, percent-encoded as one path segment."""
        res = self.target.resources
        base = (
            f"/v{version}/omnichannel/accounts/{quote(account or res.account, safe='')}"
            f"/profiles/{quote(res.profile, safe='')}/files"
        )
        return base + (f"/{quote(name, safe='')}" if name else tail)

    def tealium_login(
        self, username: str | None = None, password: str | None = None
    ) -> httpx.Response:
        """``POST /v1/login`` (the valid credentials by default)."""
        form = {
            "username": self.tealium.username if username is None else username,
            "password": self.tealium.password.reveal() if password is None else password,
        }
        return self.send("POST", "/v1/login", data=form)

    def new_tealium_session(self) -> tuple[str, str]:
        """A new v1 session: its ``Cookie`` header value and its utk (not kept)."""
        answer = self.tealium_login()
        cookie = session_cookies(answer) if answer.status_code == 200 else None
        utk = answer.json().get("utk") if cookie else None
        if cookie is None or not isinstance(utk, str):
            raise AssertionError(
                f"the Tealium v1 login answered {answer.status_code} without a session: check "
                "STATUSKIT_TEALIUM_USERNAME and _PASSWORD"
            )
        return cookie, utk

    def tealium_session(self) -> tuple[str, str]:
        """A v1 session (cookie, utk), kept until the mock is reset."""
        cookie, utk = self._kept(
            "tealium", lambda: tuple(Secret(v) for v in self.new_tealium_session())
        )
        return cookie, utk

    def tealium_token(self) -> str:
        """A v2 bearer token, kept until the mock is reset."""

        def fetch() -> tuple[Secret, ...]:
            form = {"username": self.tealium.username, "key": self.tealium.api_key.reveal()}
            answer = self.send("POST", "/v2/auth", data=form)
            token = answer.json().get("token") if answer.status_code == 200 else None
            if not isinstance(token, str):
                raise AssertionError(
                    f"the Tealium v2 auth answered {answer.status_code} without a token: check "
                    "STATUSKIT_TEALIUM_USERNAME and _API_KEY"
                )
            return (Secret(token),)

        return self._kept("tealium-v2", fetch)[0]

    def tealium_get(
        self,
        path: str,
        *,
        utk: str | None = None,
        cookie: str | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A v1 GET with the kept session's cookie and utk; pass ``""`` to leave one out,
        or another value to send that instead."""
        kept_cookie, kept_utk = self.tealium_session()
        query = dict(params or {})
        utk = kept_utk if utk is None else utk
        if utk:
            query["utk"] = utk
        cookie = kept_cookie if cookie is None else cookie
        headers = {"Cookie": cookie} if cookie else {}
        return self.send("GET", path, params=query, headers=headers)

    def tealium_v2_get(
        self, path: str, *, bearer: str | None = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """A v2 GET with the kept token (or ``bearer``; ``""`` sends no Authorization)."""
        token = self.tealium_token() if bearer is None else bearer
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.send("GET", path, params=params or {}, headers=headers)

    def _kept(self, key: str, make: Any) -> tuple[str, ...]:
        generation = self.target.generation
        found = self._sessions.get(key)
        if found is None or found[0] != generation:
            found = (generation, make())
            self._sessions[key] = found
        return tuple(secret.reveal() for secret in found[1])

"""Hand-built requests for the contract suites, through the run's guarded transport.

The reference client always sends credentials the one right way; the documented behaviours
are also about the other ways (a touchpoint as a header, a missing utk, a wrong cookie), so
the suites build those requests here. Sessions are logged in once and kept until the mock
is reset (``ContractTarget.generation``); they are held as
:class:`~statuskit.secrets.Secret`\\ s and never printed. No cookie jar is kept: every
cookie is sent explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Final
from urllib.parse import quote

import httpx

from statuskit.catalogue import ErrorCase, Operation
from statuskit.client._base import session_cookies
from statuskit.contracts.cases import Planned, Scheme, plan
from statuskit.contracts.target import ContractTarget
from statuskit.credentials import TealiumCredentials, ThalamusCredentials, setting
from statuskit.secrets import Secret
from statuskit.wire import tealium as tealium_wire
from statuskit.wire import thalamus as thalamus_wire

__all__ = ["CONFIGURED", "NOBODY", "Place", "Raw"]


class _Configured:
    """The sentinel for "the configured, valid credential" (``None``: not sent)."""

    def __repr__(self) -> str:
        return "CONFIGURED"


CONFIGURED: Final = _Configured()

#: Where a Thalamus touchpoint or token travels.
Place = thalamus_wire.Place
#: A user no target has: wrong secrets are only ever sent for it, so no live user is locked out.
NOBODY = "statuskit-nobody@example.invalid"
#: The file part of a valid upload.
_FILE = ("statuskit.csv", b"sku,qty\n1,2\n", "application/octet-stream")


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
        return thalamus_wire.placed(
            touchpoint, token, touchpoint_in=touchpoint_in, token_in=token_in
        )

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
        return tealium_wire.files_path(
            version, account or res.account, res.profile, tail=tail, name=name
        )

    def tealium_login(
        self, username: str | None = None, password: str | None = None
    ) -> httpx.Response:
        """``POST /v1/login`` (the valid credentials by default)."""
        login = tealium_wire.login(1)
        form = login.form(
            self.tealium.username if username is None else username,
            self.tealium.password.reveal() if password is None else password,
        )
        return self.send("POST", login.path, data=form)

    def new_tealium_session(self) -> tuple[str, str]:
        """A new v1 session: its ``Cookie`` header value and its utk (not kept)."""
        answer = self.tealium_login()
        cookie = session_cookies(answer) if answer.status_code == 200 else None
        utk = answer.json().get(tealium_wire.login(1).secret) if cookie else None
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
            login = tealium_wire.login(2)
            form = login.form(self.tealium.username, self.tealium.api_key.reveal())
            answer = self.send("POST", login.path, data=form)
            token = answer.json().get(login.secret) if answer.status_code == 200 else None
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
        utk = kept_utk if utk is None else utk
        cookie = kept_cookie if cookie is None else cookie
        query, headers = tealium_wire.v1_credentials(utk or None, cookie or None)
        return self.send("GET", path, params={**(params or {}), **query}, headers=headers)

    def tealium_v2_get(
        self, path: str, *, bearer: str | None = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """A v2 GET with the kept token (or ``bearer``; ``""`` sends no Authorization)."""
        token = self.tealium_token() if bearer is None else bearer
        headers = tealium_wire.bearer_headers(token or None)
        return self.send("GET", path, params=params or {}, headers=headers)

    # -- catalogue cases -------------------------------------------------------------------

    def setting(self, name: str) -> str | None:
        """A ``statuskit.credentials`` setting a case names (``tealium_forbidden_account``):
        a credential field, else what the run knows of the target, else its variable;
        ``None`` when it is not configured."""
        api, _, rest = name.partition("_")
        creds = {"thalamus": self.thalamus, "tealium": self.tealium}.get(api)
        value = getattr(creds, rest, None) if creds is not None else None
        if value is None:
            value = getattr(self.target.resources, rest, None)
        if value is None:
            value = setting(name)
        return value.reveal() if isinstance(value, Secret) else value

    def send_case(self, op: Operation, case: ErrorCase, template: str | None = None) -> Any:
        """Send ``case``: ``op``'s valid request on route ``template`` (its first by
        default), changed as the case's request says, ``repeat`` times; the last answer."""
        planned = plan(op, template if template in op.templates else op.path)
        method, path, options = self._case_request(op, case, planned)
        answer = None
        for _ in range(case.request.repeat):
            answer = self.send(method, path, **options)
        return answer

    def _value(self, op: Operation, where: str, name: str, value: Any) -> Any:
        if isinstance(value, Mapping) and "setting" in value:
            found = self.setting(value["setting"])
            if found is None:
                raise LookupError(f"{op}: the setting {value['setting']!r} is not configured")
            return found
        if isinstance(value, Mapping) and value.get("overMaxLength"):
            return op.over_max_length(where, name)
        return value

    def _case_request(
        self, op: Operation, case: ErrorCase, planned: Planned
    ) -> tuple[str, str, dict[str, Any]]:
        change = case.request
        res = self.target.resources
        values = {**planned.path, "account": res.account, "profile": res.profile}
        values = {k: v for k, v in values.items() if k in planned.path}
        values.update({k: self._value(op, "path", k, v) for k, v in change.path.items()})
        path = planned.template.format(**{k: quote(str(v), safe="") for k, v in values.items()})
        params = {k: str(v) for k, v in planned.query.items()}
        params.update({k: self._value(op, "query", k, v) for k, v in change.query.items()})
        headers: dict[str, Any] = dict(change.headers)
        options: dict[str, Any] = {}
        cookies: list[str] = []
        for scheme in planned.credentials:
            sent = change.credentials.get(scheme.credential, CONFIGURED)
            if sent is not None:
                self._place(op.api, scheme, sent, params, headers, cookies, options)
        if change.logged_in:
            cookies.append(self.thalamus_session())
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        options.update(self._case_body(op, case, planned, headers))
        options["params"] = {k: v for k, v in params.items() if v is not None}
        options["headers"] = {k: v for k, v in headers.items() if v is not None}
        return op.method, path, options

    def _place(
        self,
        api: str,
        scheme: Scheme,
        sent: Any,
        params: dict[str, Any],
        headers: dict[str, Any],
        cookies: list[str],
        options: dict[str, Any],
    ) -> None:
        """Put one credential where its scheme says: the configured one, or ``sent``."""
        valid = isinstance(sent, _Configured)
        if scheme.where == "basic":
            password = self.thalamus.password.reveal() if valid else str(sent)
            options["auth"] = (self.thalamus.principal, password)
        elif scheme.where == "bearer":
            headers["Authorization"] = f"Bearer {self.tealium_token() if valid else sent}"
        elif scheme.where == "cookie":
            cookies.append(self._session_cookie(api) if valid else f"{scheme.name}={sent}")
        else:
            value = self._credential(api, scheme) if valid else str(sent)
            (params if scheme.where == "query" else headers)[scheme.name] = value

    def _session_cookie(self, api: str) -> str:
        return self.thalamus_session() if api == "thalamus" else self.tealium_session()[0]

    def _credential(self, api: str, scheme: Scheme) -> str:
        if api == "tealium":  # the v1 session's utk
            return self.tealium_session()[1]
        if scheme.credential == "touchpoint":
            return self.thalamus.touchpoint
        return self.thalamus.token.reveal()

    def _case_body(
        self, op: Operation, case: ErrorCase, planned: Planned, headers: dict[str, Any]
    ) -> dict[str, Any]:
        body = case.request.body
        if body is not None and "json" in body:
            return {"json": body["json"]}
        if body is not None and "text" in body:
            headers["Content-Type"] = body["contentType"]
            return {"content": body["text"].encode()}
        if body is not None and "multipart" in body:
            return {"files": {k: (None, str(v)) for k, v in body["multipart"].items()}}
        if planned.body == "multipart" and planned.file_part is not None:
            return {"files": {planned.file_part: _FILE}}
        if planned.body == "form":
            return {"data": self._form(op, case)}
        return {}

    def _form(self, op: Operation, case: ErrorCase) -> dict[str, str]:
        """The valid form of Tealium's login or auth ``op``, changed as ``case`` says. A
        case that sends a wrong secret sends it for :data:`NOBODY`, unless it is a mock's
        own (a lockout)."""
        login = next(
            tealium_wire.login(v) for v in (1, 2) if tealium_wire.login(v).operation == op.name
        )
        secret = self.tealium.password if login.version == 1 else self.tealium.api_key
        form: dict[str, Any] = login.form(self.tealium.username, secret.reveal())
        change = dict((case.request.body or {}).get("form", {}))
        if login.secret_field in change and not case.mock_only:
            form[login.user_field] = NOBODY
        form.update(change)
        return {k: v for k, v in form.items() if v is not None}

    def _kept(self, key: str, make: Any) -> tuple[str, ...]:
        generation = self.target.generation
        found = self._sessions.get(key)
        if found is None or found[0] != generation:
            found = (generation, make())
            self._sessions[key] = found
        return tuple(secret.reveal() for secret in found[1])

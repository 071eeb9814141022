"""Tealium Omnichannel v1 and v2 without I/O (see ``docs/wire.md``).

v1 logs in with a form and gets a ``utk`` plus a ``JSESSIONID`` cookie; every later call
sends ``?utk=`` and the cookie. The cookie's documented ``Path=/urest_service; Secure``
matches none of the API's paths (and no plain-HTTP URL), so a cookie jar would never send
it: the client sends it back explicitly as a ``Cookie`` header. v2 trades a username and
API key for a bearer JWT valid for 30 minutes; the client reuses it for 29, because asking
for a token per call gets a client throttled. The forms, names and paths are
:mod:`statuskit.wire.tealium`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, TypedDict

import httpx

from statuskit.client._base import Core, CoreOptions, session_cookies
from statuskit.client._flow import Call, Flow
from statuskit.client._models import FileCount, FileStatus
from statuskit.client._redact import request_line
from statuskit.client.polling import wait
from statuskit.credentials import TealiumCredentials
from statuskit.errors import (
    AuthenticationError,
    InvalidArgumentError,
    MalformedResponseError,
    ResponseError,
)
from statuskit.secrets import Secret
from statuskit.wire import tealium as wire
from statuskit.wire.tealium import ApiVersion

__all__ = [
    "ApiVersion",
    "TealiumCore",
    "When",
    "tealium_env",
]

When = datetime | date | str
#: Seconds a v2 token is reused: its documented 30 minutes, less a minute of margin.
TOKEN_REUSE = 29 * 60.0


class _Env(TypedDict):
    username: str
    password: Secret
    api_key: Secret


def tealium_env(environ: Mapping[str, str] | None) -> tuple[_Env, dict[str, str]]:
    """The credential arguments and the account and profile, from ``STATUSKIT_TEALIUM_*``."""
    creds = TealiumCredentials.from_env(environ)
    env: _Env = {"username": creds.username, "password": creds.password, "api_key": creds.api_key}
    return env, {"account": creds.account, "profile": creds.profile}


def _when(value: When, label: str) -> str:
    """A ``yyyy-MM-ddTHH:mmZ`` date; strings are sent as given."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidArgumentError(
                f"{label} is a naive datetime; give it a timezone (Tealium dates are UTC)"
            )
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return value.strftime("%Y-%m-%dT00:00Z")


class TealiumCore(Core):
    """Tealium Omnichannel's flows and session, for API version 1 or 2."""

    api = "tealium"

    def __init__(
        self,
        base_url: str,
        *,
        account: str,
        profile: str,
        username: str | None,
        password: str | Secret | None,
        api_key: str | Secret | None,
        api_version: ApiVersion,
        options: CoreOptions,
    ) -> None:
        super().__init__(base_url, options)
        if not account or not profile:
            raise InvalidArgumentError("account and profile are required")
        if api_version not in (1, 2):
            raise InvalidArgumentError(f"api_version must be 1 or 2, not {api_version!r}")
        self.account, self.profile, self.version = account, profile, api_version
        self.username = username
        self.password = None if password is None else Secret(password)
        self.api_key = None if api_key is None else Secret(api_key)
        self.utk: Secret | None = None
        self.cookie: Secret | None = None
        self.token: Secret | None = None
        self.token_at = 0.0
        self.max_name: int = self.registry.definition("tealium", "fileName")["maxLength"]

    def describe_client(self, name: str) -> str:
        return (
            f"{name}(base_url={self.base_url!r}, account={self.account!r}, "
            f"profile={self.profile!r}, api_version={self.version}, "
            f"username={self.username!r}, logged_in={self.logged_in})"
        )

    @property
    def logged_in(self) -> bool:
        return (self.utk if self.version == 1 else self.token) is not None

    def _files(self, suffix: str = "") -> str:
        return wire.files_path(
            self.version, self.account, self.profile, tail=suffix, registry=self.registry
        )

    # -- credentials --------------------------------------------------------------------

    def authorize(self, call: Call) -> tuple[dict[str, str], dict[str, str]]:
        if not call.authenticated:
            return {}, {}
        if self.version == 1:
            return wire.v1_credentials(
                None if self.utk is None else self.utk.reveal(),
                None if self.cookie is None else self.cookie.reveal(),
                registry=self.registry,
            )
        return {}, wire.bearer_headers(None if self.token is None else self.token.reveal())

    def needs_login(self) -> bool:
        if self.version == 1:
            return self.utk is None
        return self.token is None or self.clock() - self.token_at >= TOKEN_REUSE

    def can_relogin(self, error: AuthenticationError) -> bool:
        refused = wire.refusal(error.return_code, registry=self.registry)
        return error.status_code == 401 and (error.return_code is None or refused == "credentials")

    def login(self) -> Flow[None]:
        secret, name = (
            (self.password, "password") if self.version == 1 else (self.api_key, "api_key")
        )
        if not self.username or secret is None:
            raise InvalidArgumentError(
                f"cannot log in to Tealium v{self.version} without username= and {name}= "
                f"(or use from_env and STATUSKIT_TEALIUM_USERNAME, _{name.upper()})"
            )
        self.utk = self.cookie = self.token = None
        login = wire.login(self.version, registry=self.registry)
        form = login.form(self.username, secret.reveal())
        call = Call("POST", login.path, "login", data=form, authenticated=False, secret_body=True)
        response = yield from self.send(call)
        answered = self.secret_field(login.schema, login.secret, response)
        if self.version == 1:
            cookie = session_cookies(response)
            if cookie is None:
                name = wire.session_cookie(registry=self.registry)
                raise MalformedResponseError(
                    f"{request_line(response.request)}: login answered {response.status_code} "
                    f"without a {name} cookie; check base_url"
                )
            self.utk, self.cookie = answered, Secret(cookie)
        else:
            self.token = answered
            self.token_at = self.clock()

    def logout(self) -> Flow[None]:
        """End the v1 session (a session already gone counts as ended); forget a v2 token,
        which has no logout."""
        if self.version == 2 or self.utk is None:
            self.token = None
            return
        try:
            path = wire.logout_path(registry=self.registry)
            yield from self.send(Call("POST", path, "logout", relogin=False))
        except AuthenticationError as exc:
            if exc.status_code != 401:
                raise
        finally:
            self.utk = self.cookie = None

    # -- files --------------------------------------------------------------------------

    def _check_name(self, name: str, label: str) -> None:
        if not name:
            raise InvalidArgumentError(f"the {label} is empty")
        if len(name) > self.max_name:
            raise InvalidArgumentError(
                f"the {label} is {len(name)} characters, over Tealium's limit of "
                f"{self.max_name}; shorten it (nothing was sent)"
            )

    def get_file_status(self, name: str) -> Flow[FileStatus]:
        """The status of file ``name``, sent exactly as given (no ``.csv`` is appended)."""
        self._check_name(name, "file name")
        path = wire.files_path(
            self.version, self.account, self.profile, name=name, registry=self.registry
        )
        call = Call("GET", path, "get-file-status", idempotent=True)
        response = yield from self.send(call)
        return self.record(FileStatus, response)

    def _window(self, file_prefix: str, start: When, end: When) -> dict[str, str]:
        self._check_name(file_prefix, "file prefix")
        return {
            "filePrefix": file_prefix,
            "startDate": _when(start, "start_date"),
            "endDate": _when(end, "end_date"),
        }

    def count(self, file_prefix: str, start: When, end: When) -> Flow[int]:
        params = self._window(file_prefix, start, end)
        call = Call("GET", self._files("/count"), "count", params=params, idempotent=True)
        response = yield from self.send(call)
        return self.record(FileCount, response).count

    def search(self, file_prefix: str, start: When, end: When) -> Flow[tuple[FileStatus, ...]]:
        params = self._window(file_prefix, start, end)
        call = Call("GET", self._files("/search"), "search", params=params, idempotent=True)
        response = yield from self.send(call)
        return self.records(FileStatus, "file-status-list", response)

    def wait_for_completion(
        self, name: str, timeout: float, poll_interval: float, on_progress: Any
    ) -> Flow[FileStatus]:
        self._check_name(name, "file name")
        return wait(
            lambda: self.get_file_status(name),
            what=f"Tealium file {name!r}",
            clock=self.clock,
            timeout=timeout,
            poll_interval=poll_interval,
            on_progress=on_progress,
        )

    # -- errors -------------------------------------------------------------------------

    def error_for(
        self, call: Call, request: httpx.Request, response: httpx.Response, body: Any
    ) -> ResponseError:
        status = response.status_code
        code = body.get("returnCode") if isinstance(body, dict) else None
        code = code if isinstance(code, int) and not isinstance(code, bool) else None
        message = body.get("message") if isinstance(body, dict) else None
        message = message if isinstance(message, str) else None
        shown = " ".join(str(part) for part in (code, message) if part is not None)
        what = f"{request_line(request)}: {status}{f' ({shown})' if shown else ''}:"
        if status == 401:
            secret = "STATUSKIT_TEALIUM_" + ("PASSWORD" if self.version == 1 else "API_KEY")
            refused = wire.refusal(code, registry=self.registry)
            if refused == "lockout":
                advice = "too many failed logins; wait 10 minutes before logging in again"
            elif refused == "permission":
                advice = f"the user may not read account {self.account!r}; use one that may"
            elif call.operation == "login":
                advice = f"login refused; check STATUSKIT_TEALIUM_USERNAME and {secret}"
            else:
                advice = f"session refused; check STATUSKIT_TEALIUM_USERNAME and {secret}"
            return AuthenticationError(
                f"{what} {advice}", status_code=status, return_code=code, server_message=message
            )
        return self.generic_error(
            what,
            response,
            not_found="check the file name ('.csv' included), the account and the profile",
            return_code=code,
            server_message=message,
        )

"""Thalamus v4 without I/O: requests, session, error classification (see ``docs/wire.md``).

The touchpoint goes in the query, where the documented example puts it. The API token goes
in the ``Thalamus-Token`` header, which the API accepts as well: a query value ends up in
URL logs (httpx's own, proxies', the server's access log), a header does not. The session
is the login's cookies, sent back as an explicit ``Cookie`` header. The names and the login
request are :mod:`statuskit.wire.thalamus`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import IO, Any, TypedDict
from urllib.parse import quote

import httpx

from statuskit import catalogue
from statuskit.client._base import Core, CoreOptions, session_cookies
from statuskit.client._flow import Call, Flow
from statuskit.client._models import ImportPage, ImportRecord
from statuskit.client._redact import request_line
from statuskit.client.polling import wait
from statuskit.credentials import ThalamusCredentials, thalamus_login_path
from statuskit.errors import (
    AuthenticationError,
    InvalidArgumentError,
    MalformedResponseError,
    ResponseError,
    TouchpointError,
)
from statuskit.secrets import Secret
from statuskit.wire import thalamus as wire
from statuskit.wire.thalamus import LoginStyle

__all__ = [
    "FileInput",
    "ImportFilters",
    "LoginStyle",
    "ThalamusCore",
    "env_login_path",
    "thalamus_env",
]

FileInput = bytes | IO[bytes] | os.PathLike[str]


class ImportFilters(TypedDict, total=False):
    """The filters of ``GET /api/v4/import/status``, in Python spelling.

    Dates are ``datetime.date``\\ s or ``yyyy-MM-dd`` strings; ``state`` is a state id
    (1-6) or its wire name (``"PROCESSED"``), mapped through the schema's ``x-state-ids``.
    """

    page: int
    page_size: int
    order_by: str
    ascending: bool
    type: int
    name: str
    begin_date: date | str
    end_date: date | str
    state: int | str
    with_errors: bool


_FILTERS = {
    "page": "page",
    "page_size": "pageSize",
    "order_by": "orderBy",
    "ascending": "ascending",
    "type": "type",
    "name": "name",
    "begin_date": "beginDate",
    "end_date": "endDate",
    "state": "state",
    "with_errors": "withErrors",
}


class _Env(TypedDict):
    touchpoint: str
    token: Secret
    principal: str
    password: Secret


def thalamus_env(environ: Mapping[str, str] | None) -> _Env:
    """The credential arguments, from the ``STATUSKIT_THALAMUS_*`` variables."""
    creds = ThalamusCredentials.from_env(environ)
    return {
        "touchpoint": creds.touchpoint,
        "token": creds.token,
        "principal": creds.principal,
        "password": creds.password,
    }


def env_login_path(given: str | None, environ: Mapping[str, str] | None) -> str:
    """The login path a ``from_env`` client uses: ``given``, else the variable's, else the
    catalogue's default (a kit decision)."""
    return given or thalamus_login_path(environ) or catalogue.login_path()


def _file_bytes(file: FileInput) -> tuple[bytes, str | None]:
    if isinstance(file, bytes | bytearray | memoryview):
        return bytes(file), None
    if isinstance(file, os.PathLike):
        with open(file, "rb") as handle:
            return handle.read(), os.path.basename(os.fspath(file))
    if hasattr(file, "read"):
        name = getattr(file, "name", None)
        return file.read(), os.path.basename(name) if isinstance(name, str) else None
    raise InvalidArgumentError(
        f"file must be bytes, a binary file or a path, not {type(file).__name__}"
    )


class ThalamusCore(Core):
    """Thalamus v4's flows and session."""

    api = "thalamus"

    def __init__(
        self,
        base_url: str,
        *,
        touchpoint: str,
        token: str | Secret,
        principal: str | None,
        password: str | Secret | None,
        activity: str | None,
        login_path: str | None,
        login_style: LoginStyle,
        options: CoreOptions,
    ) -> None:
        super().__init__(base_url, options)
        if not touchpoint or not token:
            raise InvalidArgumentError(
                "touchpoint and token are required (STATUSKIT_THALAMUS_TOUCHPOINT, _TOKEN)"
            )
        if login_style not in ("basic", "json"):
            raise InvalidArgumentError(
                f"login_style must be 'basic' or 'json', not {login_style!r}"
            )
        self.touchpoint = touchpoint
        self.token = Secret(token)
        self.principal = principal
        self.password = None if password is None else Secret(password)
        self.activity = activity
        if login_path is None:
            login_path = catalogue.login_path()
        self.login_path = "/" + login_path.lstrip("/")
        self.login_style = login_style
        self.session: Secret | None = None
        self.state_ids: dict[str, int] = dict(
            self.registry.definition("thalamus", "state")["x-state-ids"]
        )

    def describe_client(self, name: str) -> str:
        return (
            f"{name}(base_url={self.base_url!r}, touchpoint={self.touchpoint!r}, "
            f"principal={self.principal!r}, logged_in={self.session is not None})"
        )

    # -- credentials --------------------------------------------------------------------

    def authorize(self, call: Call) -> tuple[dict[str, str], dict[str, str]]:
        params, headers = wire.placed(
            self.touchpoint, self.token.reveal(), activity=self.activity, registry=self.registry
        )
        if call.authenticated and self.session is not None:
            headers.update(wire.session_headers(self.session.reveal()))
        return params, headers

    def needs_login(self) -> bool:
        return self.session is None and self.principal is not None

    def can_relogin(self, error: AuthenticationError) -> bool:
        return error.status_code == 401 and self.principal is not None

    def login(self) -> Flow[None]:
        if self.principal is None:
            raise InvalidArgumentError(
                "cannot log in without a principal: pass principal= and password= "
                "(or use from_env and STATUSKIT_THALAMUS_PRINCIPAL, _PASSWORD)"
            )
        self.session = None
        password = None if self.password is None else self.password.reveal()
        request = wire.login_request(
            self.login_style, self.principal, password, registry=self.registry
        )
        call = Call(
            "POST",
            self.login_path,
            "login",
            headers=request.headers,
            json=request.json,
            authenticated=False,
        )
        response = yield from self.send(call)
        cookies = session_cookies(response)
        if cookies is None:
            raise MalformedResponseError(
                f"{request_line(response.request)}: login answered {response.status_code} but set "
                "no session cookie; check login_path"
            )
        if self.strict and response.content:
            self.registry.check("thalamus", "login-response", self.parse(response), strict=True)
        self.session = Secret(cookies)

    def logout(self) -> Flow[None]:
        """End the session; a session the server already forgot (401) counts as ended."""
        if self.session is None:
            return
        try:
            path = wire.logout_path(registry=self.registry)
            yield from self.send(Call("GET", path, "logout", relogin=False))
        except AuthenticationError as exc:
            if exc.status_code != 401:
                raise
        finally:
            self.session = None

    # -- imports ------------------------------------------------------------------------

    def get_status(self, import_id: int | str) -> Flow[ImportRecord]:
        if isinstance(import_id, bool):
            raise InvalidArgumentError(f"an import id is an integer, not {import_id!r}")
        path = f"/api/v4/import/status/{quote(str(import_id), safe='')}"
        response = yield from self.send(Call("GET", path, "get-status", idempotent=True))
        return self.record(ImportRecord, response)

    def list_params(self, filters: ImportFilters) -> dict[str, str]:
        unknown = sorted(set(filters) - set(_FILTERS))
        if unknown:
            raise TypeError(f"unknown filters {unknown}; known: {sorted(_FILTERS)}")
        params: dict[str, str] = {}
        for key, value in filters.items():
            if value is None:
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, date):
                text = value.strftime("%Y-%m-%d")
            elif key == "state" and isinstance(value, str) and not value.isdigit():
                if value not in self.state_ids:
                    raise InvalidArgumentError(
                        f"unknown state {value!r}; known: {', '.join(self.state_ids)}"
                    )
                text = str(self.state_ids[value])
            else:
                text = str(value)
            params[_FILTERS[key]] = text
        return params

    def list_page(self, params: Mapping[str, str]) -> Flow[ImportPage]:
        call = Call("GET", "/api/v4/import/status", "list-imports", params=params, idempotent=True)
        response = yield from self.send(call)
        return self.record(ImportPage, response)

    @staticmethod
    def next_page(params: Mapping[str, str], page: ImportPage) -> dict[str, str] | None:
        """The parameters of the page after ``page``, or ``None`` after the last one."""
        current = int(params.get("page", "1"))
        if not page.items or current >= page.total_pages:
            return None
        return {**params, "page": str(current + 1)}

    def upload(
        self,
        file: FileInput,
        name: str,
        type: int | str,
        filename: str | None,
        content_type: str,
    ) -> Flow[ImportRecord]:
        content, file_name = _file_bytes(file)
        call = Call(
            "POST",
            "/api/v4/import/file",
            "upload",
            params={"name": name, "type": str(type)},
            files={"file": (filename or file_name or name, content, content_type)},
        )
        response = yield from self.send(call)
        return self.record(ImportRecord, response)

    def wait_for_completion(
        self, import_id: int | str, timeout: float, poll_interval: float, on_progress: Any
    ) -> Flow[ImportRecord]:
        return wait(
            lambda: self.get_status(import_id),
            what=f"Thalamus import {import_id}",
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
        errors = body.get("errors") if isinstance(body, dict) else None
        errors = errors if isinstance(errors, dict) else {}
        codes = ", ".join(f"{field}={code}" for field, code in errors.items())
        detail = f"{status} ({codes})" if codes else str(status)
        what = f"{request_line(request)}: {detail}:"
        if status == 401 and call.operation == "login":
            return AuthenticationError(
                f"{what} login refused: wrong principal or password; check "
                "STATUSKIT_THALAMUS_PRINCIPAL and STATUSKIT_THALAMUS_PASSWORD",
                status_code=status,
            )
        if status == 401:
            advice = (
                "pass principal= and password= so the client can log in"
                if self.principal is None
                else "check the principal and password (STATUSKIT_THALAMUS_PRINCIPAL, _PASSWORD)"
            )
            return AuthenticationError(
                f"{what} no login session, or it expired; {advice}", status_code=status
            )
        refused = wire.refused_credential(errors, registry=self.registry) if status == 400 else None
        if refused == "touchpoint":
            return TouchpointError(
                f"{what} touchpoint {self.touchpoint!r} refused; check "
                "STATUSKIT_THALAMUS_TOUCHPOINT",
                status_code=status,
                errors=errors,
            )
        if refused == "token":
            return AuthenticationError(
                f"{what} API token refused; check STATUSKIT_THALAMUS_TOKEN",
                status_code=status,
                errors=errors,
            )
        not_found = "check base_url" if "path" in errors else "check the import id"
        return self.generic_error(what, response, not_found=not_found, errors=errors)

"""The documented wire, as data: each operation's statuses, bodies and error cases.

This is ``docs/wire.md`` in code, for the contract suites and their coverage summary. What
the schemas define is not repeated here: error codes are checked against the error schemas'
enums when the table is built (a code the schema does not know is a bug here), and the
states and fields come from the schemas themselves (``statuskit.contracts.coverage``).

Each status names the schema of its body, or ``None`` where no body is documented, and
whether that body's shape is a kit decision (``docs/wire.md`` [KIT]): a live server may
answer such a body differently without breaking a documented behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from statuskit.registry import SchemaRegistry, default_registry

__all__ = [
    "Body",
    "ErrorCase",
    "Operation",
    "classify",
    "error_cases",
    "operations",
]


@dataclass(frozen=True)
class Body:
    """The body a status carries: its schema (``None``: no documented body) and whether its
    shape is a kit decision."""

    schema: str | None
    kit: bool = False


@dataclass(frozen=True)
class ErrorCase:
    """One documented error answer: its status and its code.

    Thalamus codes are ``field:Code`` (``token:InvalidToken``); Tealium codes are the
    ``returnCode`` (``1401``). ``kit`` marks cases the docs do not make; ``note`` says what
    a target needs for the case to be reachable, when that is not obvious.
    """

    status: int
    code: str
    kit: bool = False
    note: str = ""

    def __str__(self) -> str:
        return f"{self.status} {self.code}"


@dataclass(frozen=True)
class Operation:
    """One endpoint: ``api``/``name``, how it is called, and what it may answer."""

    api: str
    name: str
    method: str
    path: str  # a regular expression over the path after the base URL's own path
    statuses: Mapping[int, Body]
    errors: tuple[ErrorCase, ...] = ()
    #: A session call (a login or logout): allowed against a live target without writes.
    session: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # DOTALL: a decoded path may hold a newline (a file name sent as %0A).
        object.__setattr__(self, "pattern", re.compile(self.path, re.DOTALL))

    def __str__(self) -> str:
        return f"{self.api} {self.name}"

    def body(self, status: int) -> Body | None:
        """The documented body of ``status``; ``None`` for an undocumented status."""
        return self.statuses.get(status)


_TH_ERROR = Body("error")
_TH_CLIENT = (
    ErrorCase(400, "partnerDataSource:TouchpointCodeRequired"),
    ErrorCase(400, "partnerDataSource:InvalidTouchpointCode"),
    ErrorCase(400, "token:Required"),
    ErrorCase(400, "token:InvalidToken"),
)
_TH_LIST_CODES = (
    "page:InvalidFormat",
    "pageSize:InvalidFormat",
    "orderBy:InvalidName",
    "ascending:InvalidFormat",
    "type:InvalidCode",
    "beginDate:InvalidDateFormat",
    "endDate:InvalidDateFormat",
    "state:InvalidId",
    "withErrors:InvalidFormat",
)
_TE_ERROR = Body("error")
_TE_KIT_ERROR = Body("error", kit=True)
_FILES = r"/v[12]/omnichannel/accounts/[^/]+/profiles/[^/]+/files"
_FORBIDDEN = ErrorCase(
    401,
    "1469",
    note="needs an account the user may not read (STATUSKIT_TEALIUM_FORBIDDEN_ACCOUNT)",
)
_TE_AUTH = (ErrorCase(401, "1401"), _FORBIDDEN)


def _thalamus(login_path: str) -> tuple[Operation, ...]:
    return (
        Operation(
            "thalamus",
            "login",
            "POST",
            re.escape(login_path),
            {200: Body("login-response", kit=True), 400: _TH_ERROR, 401: Body(None)},
            (
                *_TH_CLIENT,
                ErrorCase(400, "party:PartyAlreadyLoggedin"),
                ErrorCase(400, "body:InvalidJson"),
                ErrorCase(400, "body:UnsupportedMediaType"),
                ErrorCase(400, "principal:Required"),
                ErrorCase(400, "password:InvalidFormat"),
            ),
            session=True,
        ),
        Operation(
            "thalamus",
            "logout",
            "GET",
            r"/api/v3/logout",
            {204: Body(None), 400: _TH_ERROR},
            _TH_CLIENT,
            session=True,
        ),
        Operation(
            "thalamus",
            "get-status",
            "GET",
            # {id} is one segment (operations.json): a decoded "/" is another route.
            r"/api/v4/import/status/[^/]+",
            {
                200: Body("import-record"),
                400: _TH_ERROR,
                401: Body(None),
                404: Body("error", kit=True),
            },
            (
                *_TH_CLIENT,
                ErrorCase(400, "id:InvalidId", kit=True),
                ErrorCase(404, "id:NotFound", kit=True),
            ),
        ),
        Operation(
            "thalamus",
            "list-imports",
            "GET",
            r"/api/v4/import/status",
            {200: Body("import-page", kit=True), 400: _TH_ERROR, 401: Body(None)},
            (*_TH_CLIENT, *(ErrorCase(400, code, kit=True) for code in _TH_LIST_CODES)),
        ),
        Operation(
            "thalamus",
            "upload",
            "POST",
            r"/api/v4/import/file",
            {200: Body("import-record"), 400: _TH_ERROR, 401: Body(None)},
            (
                *_TH_CLIENT,
                *(
                    ErrorCase(400, code, kit=True)
                    for code in (
                        "name:Required",
                        "type:Required",
                        "type:InvalidCode",
                        "body:UnsupportedMediaType",
                        "file:Required",
                    )
                ),
            ),
        ),
    )


_TEALIUM = (
    Operation(
        "tealium",
        "login",
        "POST",
        r"/v1/login",
        {200: Body("login-response"), 401: _TE_ERROR},
        (
            ErrorCase(401, "1401"),
            ErrorCase(401, "1402", note="mock only: the suites never lock a live user out"),
        ),
        session=True,
    ),
    Operation("tealium", "logout", "POST", r"/v1/logout", {204: Body(None)}, session=True),
    Operation(
        "tealium",
        "auth",
        "POST",
        r"/v2/auth",
        {200: Body("auth-response"), 401: _TE_ERROR},
        (ErrorCase(401, "1401"),),
        session=True,
    ),
    Operation(
        "tealium",
        "count",
        "GET",
        _FILES + r"/count",
        {200: Body("count"), 400: _TE_KIT_ERROR, 401: _TE_ERROR},
        (ErrorCase(400, "400", kit=True), *_TE_AUTH),
    ),
    Operation(
        "tealium",
        "search",
        "GET",
        _FILES + r"/search",
        {200: Body("file-status-list"), 400: _TE_KIT_ERROR, 401: _TE_ERROR},
        (ErrorCase(400, "400", kit=True), *_TE_AUTH),
    ),
    Operation(
        "tealium",
        "get-file-status",
        "GET",
        _FILES + r"/.+",
        {200: Body("file-status"), 400: _TE_KIT_ERROR, 401: _TE_ERROR, 404: _TE_KIT_ERROR},
        (ErrorCase(400, "400"), *_TE_AUTH, ErrorCase(404, "404")),
    ),
)


def operations(
    login_path: str = "/api/v3/thalamus_security_check",
    *,
    registry: SchemaRegistry | None = None,
) -> tuple[Operation, ...]:
    """Every operation, with the Thalamus login at ``login_path``; each error code is
    checked against its API's error schema."""
    ops = (*_thalamus("/" + login_path.lstrip("/")), *_TEALIUM)
    _check_codes(ops, registry or default_registry())
    return ops


def error_cases(ops: tuple[Operation, ...], api: str) -> Iterator[tuple[Operation, ErrorCase]]:
    """Every documented error case of ``api``, with its operation."""
    for op in ops:
        if op.api == api:
            for case in op.errors:
                yield op, case


def classify(ops: tuple[Operation, ...], method: str, path: str) -> Operation | None:
    """The operation a request is, by method and path (relative to the base URL's path).

    Tealium's ``/count`` and ``/search`` come before the file route that would match them.
    """
    for op in ops:
        if op.method == method.upper() and op.pattern.fullmatch(path):
            return op
    return None


def _check_codes(ops: tuple[Operation, ...], registry: SchemaRegistry) -> None:
    thalamus = registry.source("thalamus", "error")["$defs"]["code"]["enum"]
    tealium = registry.source("tealium", "error")["properties"]["returnCode"]["enum"]
    known = {"thalamus": set(thalamus), "tealium": {str(code) for code in tealium}}
    for op in ops:
        for case in op.errors:
            code = case.code.rpartition(":")[2]
            if code not in known[op.api]:
                raise AssertionError(f"{op} {case}: {code!r} is not in {op.api}'s error schema")
            if op.body(case.status) is None:
                raise AssertionError(f"{op} {case}: status {case.status} is not documented")

"""The wire, typed: each API's operations, statuses and error cases, read from its catalogue.

``schemas/<api>/operations.json`` is the one place the wire is written down: routes,
credentials, the body each status carries and every error case, with the request that
triggers it and its provenance (documented, with its source, or a kit decision). Everything
that speaks about the wire — the contract suites, their coverage summary, drift, the
OpenAPI export, the mock's defaults and ``docs/wire.md``'s tables — reads it through here.

An :class:`Operation` is one logical operation: Tealium's v1 and v2 routes of
``get-file-status`` are one operation with two :attr:`Operation.templates`. A case or a body
marked a kit decision may differ on a live target without breaking anything documented:
:meth:`Operation.documented` says which part of an answer the docs vouch for.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from statuskit._catalogue_names import error_codes as _error_codes
from statuskit._catalogue_names import load, schema_target
from statuskit.registry import SchemaRegistry, default_registry

__all__ = [
    "Body",
    "CaseRequest",
    "ErrorCase",
    "Operation",
    "Provenance",
    "classify",
    "error_cases",
    "error_codes",
    "login_path",
    "operation",
    "operations",
]

#: The Thalamus login's operation: its path is configurable (FACTS.md kit decision).
_LOGIN = ("thalamus", "login")


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from: a vendor page or FACTS.md line, or a kit decision."""

    documented: bool
    source: str

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Provenance:
        """``{"documented": source}`` or ``{"kit": decision}``."""
        if "documented" in data:
            return cls(True, data["documented"])
        return cls(False, data["kit"])

    def __str__(self) -> str:
        return f"{'documented' if self.documented else 'kit decision'}: {self.source}"


@dataclass(frozen=True)
class CaseRequest:
    """What to change in an operation's valid request for an error case to happen.

    Each mapping's values are as the catalogue writes them: a string to send, ``None`` to
    leave the part out, ``{"setting": name}`` for a ``statuskit.credentials`` setting's
    value, or ``{"overMaxLength": true}`` for one character more than the parameter allows
    (:meth:`Operation.over_max_length`).
    """

    credentials: Mapping[str, Any] = field(default_factory=dict)
    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    #: ``{"json": ...}``, ``{"form": {...}}``, ``{"multipart": {...}}`` or
    #: ``{"text": ..., "contentType": ...}``; ``None``: the operation's own body.
    body: Mapping[str, Any] | None = None
    logged_in: bool = False
    repeat: int = 1

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseRequest:
        """The catalogue's ``request`` object."""
        return cls(
            credentials=dict(data.get("credentials", {})),
            path=dict(data.get("path", {})),
            query=dict(data.get("query", {})),
            headers=dict(data.get("headers", {})),
            body=data.get("body"),
            logged_in=bool(data.get("loggedIn", False)),
            repeat=int(data.get("repeat", 1)),
        )


@dataclass(frozen=True)
class ErrorCase:
    """One error answer of an operation: its status, its code, how to trigger it, and
    whether the docs make it (:attr:`provenance`).

    Thalamus codes are ``field:Code`` (``token:InvalidToken``); Tealium codes are the
    ``returnCode`` (``"1401"``); ``None`` where no body is documented (a bare 401).
    """

    name: str
    status: int
    code: str | None
    request: CaseRequest
    provenance: Provenance
    note: str = ""
    #: The ``statuskit.credentials`` setting a live target needs for the case to be reachable.
    requires: str | None = None
    #: Never sent to a live target (a lockout would lock a real user out).
    mock_only: bool = False

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> ErrorCase:
        """One entry of a catalogue's ``errorCases``, or an inline one of an operation."""
        return cls(
            name=name,
            status=int(data["status"]),
            code=data.get("code"),
            request=CaseRequest.from_json(data["request"]),
            provenance=Provenance.from_json(data["provenance"]),
            note=data.get("note", ""),
            requires=data.get("requires"),
            mock_only=bool(data.get("mockOnly", False)),
        )

    @property
    def documented(self) -> bool:
        """Whether the docs make this case (its status for its request)."""
        return self.provenance.documented

    @property
    def kit(self) -> bool:
        """Whether the case is a kit decision."""
        return not self.provenance.documented

    @property
    def field(self) -> str | None:
        """The key a Thalamus code sits under (``token``); ``None`` for a bare code."""
        return self.code.partition(":")[0] if self.code and ":" in self.code else None

    @property
    def value(self) -> str | None:
        """The code without its key: ``InvalidToken``, ``1401``."""
        return self.code.rpartition(":")[2] if self.code else None

    def __str__(self) -> str:
        return f"{self.status} {self.code}" if self.code else str(self.status)


@dataclass(frozen=True)
class Body:
    """The body a status carries: its schema (``None``: no documented body) and whether its
    shape is a kit decision."""

    schema: str | None
    kit: bool = False
    #: The headers the answer carries whose value the catalogue fixes (``const``):
    #: ``{"WWW-Authenticate": 'Basic realm="Thalamus"'}``.
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One logical operation: ``api``/``name``, its routes, and what it may answer."""

    api: str
    name: str
    method: str
    #: The path templates, ``/api/v4/import/status/{id}``; one per version of the route.
    templates: tuple[str, ...]
    statuses: Mapping[int, Body]
    errors: tuple[ErrorCase, ...] = ()
    #: A session call (a login or logout): allowed against a live target without writes.
    session: bool = False
    #: The operation's parameters by ``(in, name)``, as the catalogue writes them.
    parameters: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    #: The operationIds of its routes in the catalogue (``v1-count``, ``v2-count``).
    ids: tuple[str, ...] = ()
    #: The names of the error cases each route lists, by operationId: Tealium's v1 and v2
    #: routes of one operation refuse a bad session differently.
    route_cases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        routes = "|".join(_route_pattern(t, self.parameters) for t in self.templates)
        # DOTALL: a decoded path may hold a newline (a file name sent as %0A).
        object.__setattr__(self, "pattern", re.compile(f"(?:{routes})", re.DOTALL))

    def __str__(self) -> str:
        return f"{self.api} {self.name}"

    @property
    def path(self) -> str:
        """The first route's path template."""
        return self.templates[0]

    @property
    def literal_segments(self) -> int:
        """How many segments of the first route are not parameters: the more, the more
        specific (``.../files/count`` before ``.../files/{name}``)."""
        return sum(1 for s in self.path.split("/") if s and not s.startswith("{"))

    def body(self, status: int) -> Body | None:
        """The documented body of ``status``; ``None`` for an undocumented status."""
        return self.statuses.get(status)

    def case(self, key: str) -> ErrorCase:
        """The error case named ``key`` in the catalogue, or whose ``str`` or code is ``key``
        (``"token:InvalidToken"``, ``"401 1469"``)."""
        for case in self.errors:
            if key in (case.name, str(case), case.code):
                return case
        raise KeyError(f"{self} has no error case {key!r}")

    def route(self, template: str) -> str:
        """The operationId of the route with path ``template``."""
        for op_id, path in zip(self.ids, self.templates, strict=False):
            if path == template:
                return op_id
        raise KeyError(f"{self} has no route {template!r}")

    def cases_on(self, route: str) -> tuple[ErrorCase, ...]:
        """The error cases route ``route`` lists (an operationId, or a path template), in
        the catalogue's order."""
        op_id = route if route in self.route_cases else self.route(route)
        names = self.route_cases.get(op_id, ())
        return tuple(case for name in names for case in self.errors if case.name == name)

    def documented(self, case: ErrorCase) -> tuple[bool, bool]:
        """Whether the docs vouch for ``case``'s status, and for its code and body: a
        documented case under a kit-decision body (Tealium's 404) has a documented status
        and a kit-decision code."""
        body = self.body(case.status)
        return case.documented, case.documented and not (body is not None and body.kit)

    def default(self, name: str) -> Any:
        """The ``default`` of query parameter ``name``'s schema (``pageSize`` → 25)."""
        spec = self.parameters.get(("query", name))
        if spec is None or "default" not in spec.get("schema", {}):
            raise KeyError(f"{self}: no query parameter {name!r} with a default")
        return spec["schema"]["default"]

    def allowed(self, name: str) -> tuple[Any, ...]:
        """The ``enum`` of query parameter ``name``'s schema (``orderBy``)."""
        spec = self.parameters.get(("query", name))
        if spec is None or "enum" not in spec.get("schema", {}):
            raise KeyError(f"{self}: no query parameter {name!r} with an enum")
        return tuple(spec["schema"]["enum"])

    def over_max_length(self, where: str, name: str) -> str:
        """A value one character longer than parameter ``name`` allows."""
        spec = self.parameters.get((where, name))
        if spec is None or "maxLength" not in spec.get("schema", {}):
            raise KeyError(f"{self}: no {where} parameter {name!r} with a maxLength")
        return "a" * (int(spec["schema"]["maxLength"]) + 1)


def _route_pattern(template: str, parameters: Mapping[tuple[str, str], Mapping[str, Any]]) -> str:
    out = []
    for segment in template.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            spec = parameters.get(("path", segment[1:-1]), {})
            # A value holding "/" stays one segment only where the route takes the rest.
            out.append(".+" if spec.get("x-statuskit-slash") else "[^/]+")
        else:
            out.append(re.escape(segment))
    return "/".join(out)


def operations(
    api: str | None = None,
    *,
    login_path: str | None = None,
    registry: SchemaRegistry | None = None,
) -> tuple[Operation, ...]:
    """Every operation of ``api`` (of every API with a wire catalogue when ``None``), most
    specific route first, with the Thalamus login at ``login_path`` when one is given."""
    registry = registry or default_registry()
    apis = (api,) if api is not None else tuple(a for a in registry.catalogued() if a != "admin")
    ops = tuple(op for name in apis for op in _operations(registry, name))
    if login_path is not None:
        wanted = "/" + login_path.lstrip("/")
        # replace() runs __post_init__ again, so the route pattern follows the new path.
        ops = tuple(
            replace(op, templates=(wanted,)) if (op.api, op.name) == _LOGIN else op for op in ops
        )
    return ops


def operation(
    api: str,
    name: str,
    *,
    login_path: str | None = None,
    registry: SchemaRegistry | None = None,
) -> Operation:
    """One operation by ``api`` and name (``("thalamus", "get-status")``)."""
    for op in operations(api, login_path=login_path, registry=registry):
        if op.name == name:
            return op
    raise KeyError(f"{api} has no operation {name!r} in its catalogue")


def login_path(*, registry: SchemaRegistry | None = None) -> str:
    """The Thalamus login's default path, as the catalogue writes it."""
    return operation(*_LOGIN, registry=registry).path


def error_cases(ops: Iterable[Operation], api: str) -> Iterator[tuple[Operation, ErrorCase]]:
    """Every error case of ``api``, with its operation."""
    for op in ops:
        if op.api == api:
            for case in op.errors:
                yield op, case


def error_codes(api: str, *, registry: SchemaRegistry | None = None) -> dict[str, str]:
    """Every error code of ``api`` (its catalogue's ``errorCodes`` names where the schemas
    list them), as text, with its provenance."""
    return _error_codes(registry or default_registry(), api)


def classify(ops: Iterable[Operation], method: str, path: str) -> Operation | None:
    """The operation a request is, by method and path (relative to the base URL's path);
    the most specific route wins (Tealium's ``/count`` over ``/{name}``)."""
    found = [op for op in ops if op.method == method.upper() and op.pattern.fullmatch(path)]
    return max(found, key=lambda op: op.literal_segments, default=None)


@functools.cache
def _operations(registry: SchemaRegistry, api: str) -> tuple[Operation, ...]:
    catalogue = load(registry, api)
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in catalogue["operations"]:
        groups.setdefault(entry.get("operation", entry["operationId"]), []).append(entry)
    ops = [_operation(api, name, entries, catalogue) for name, entries in groups.items()]
    return tuple(sorted(ops, key=lambda op: -op.literal_segments))


def _operation(
    api: str, name: str, entries: list[dict[str, Any]], catalogue: Mapping[str, Any]
) -> Operation:
    named = catalogue.get("parameters", {})
    parameters: dict[tuple[str, str], Mapping[str, Any]] = {}
    statuses: dict[int, Body] = {}
    cases: dict[str, ErrorCase] = {}
    routes: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        for param in entry.get("parameters", []):
            spec = named[param] if isinstance(param, str) else param
            parameters.setdefault((spec["in"], spec["name"]), spec)
        for status, response in entry["responses"].items():
            statuses.setdefault(int(status), _body(api, response, catalogue))
        listed = tuple(_cases(entry, catalogue))
        routes[entry["operationId"]] = tuple(case.name for case in listed)
        for case in listed:
            cases.setdefault(case.name, case)
    first = entries[0]
    return Operation(
        api,
        name,
        first["method"].upper(),
        tuple(dict.fromkeys(e["path"] for e in entries)),
        statuses,
        tuple(cases.values()),
        session=bool(first.get("x-statuskit-session", False)),
        parameters=parameters,
        ids=tuple(e["operationId"] for e in entries),
        route_cases=routes,
    )


def _body(api: str, response: Mapping[str, Any], catalogue: Mapping[str, Any]) -> Body:
    merged = dict(catalogue.get("responses", {}).get(response.get("ref", ""), {}))
    merged.update({k: v for k, v in response.items() if k != "ref"})
    schema = merged.get("schema")
    name = schema_target(api, schema)[1] if schema else None
    headers = {
        header: str(spec["schema"]["const"])
        for header, spec in merged.get("headers", {}).items()
        if "const" in spec.get("schema", {})
    }
    return Body(name, kit=bool(merged.get("x-kit-decision", False)), headers=headers)


def _cases(entry: Mapping[str, Any], catalogue: Mapping[str, Any]) -> Iterator[ErrorCase]:
    named = catalogue.get("errorCases", {})
    for item in entry.get("errors", []):
        if isinstance(item, str):
            yield ErrorCase.from_json(item, named[item])
        else:
            label = f"{item['status']} {item['code']}" if "code" in item else str(item["status"])
            yield ErrorCase.from_json(label, item)

"""The catalogue's error cases, as the contract suites send and judge them.

Each case of ``schemas/<api>/operations.json`` names its status, its code, the change to the
operation's valid request that triggers it, and its provenance (:mod:`statuskit.catalogue`).
Here:

* :func:`routes`: the routes of an operation a case belongs to (Tealium's v1 ``badSession``
  and v2 ``badBearer`` are cases of the same operation, each on its own routes);
* :func:`plan`: the valid request of a route, as data, for :class:`~statuskit.contracts.raw.Raw`
  to fill with credentials and then change by the case's delta;
* :func:`check_case`: whether an answer is the case. A status that differs breaks a
  documented behaviour only when the case is documented; a code that differs, only when
  the docs vouch for the code too (:meth:`~statuskit.catalogue.Operation.documented`).
  Anything else that differs raises :class:`~statuskit.errors.KitDecisionDiffers`, which a
  live run reports apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from statuskit.catalogue import ErrorCase, Operation, operations
from statuskit.contracts.checks import body_of, check_answer
from statuskit.errors import ContractViolation, KitDecisionDiffers
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.wire import answer_code

__all__ = [
    "Planned",
    "Scheme",
    "check_case",
    "credential_case",
    "plan",
    "routes",
    "suite_cases",
]


@dataclass(frozen=True)
class Scheme:
    """One way a credential travels: ``in`` (query, header, cookie, basic, bearer) and the
    parameter, header or cookie name; ``secret`` when its value is one."""

    credential: str
    where: str
    name: str
    secret: bool


@dataclass
class Planned:
    """A route's valid request, before credentials are filled in."""

    method: str
    template: str
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    #: The credentials sent, one scheme per factor (a secret travels in a header or a
    #: cookie, never a URL); Tealium's v1 session is two: its utk and its cookie.
    credentials: tuple[Scheme, ...] = ()
    #: ``"form"`` (fields of :attr:`form_schema`), ``"multipart"`` (one file part) or ``None``.
    body: str | None = None
    form_schema: str | None = None
    file_part: str | None = None


def routes(op: Operation, case: ErrorCase) -> tuple[str, ...]:
    """The path templates of ``op`` whose catalogue entry lists ``case``."""
    return tuple(t for t in op.templates if case in op.cases_on(t))


def suite_cases(
    apis: tuple[str, ...] = ("thalamus", "tealium"), *, registry: SchemaRegistry | None = None
) -> Iterator[tuple[Operation, ErrorCase, str]]:
    """Every ``(operation, case, route)`` of ``apis``: what the catalogue-driven suite sends."""
    reg = registry or default_registry()
    for api in apis:
        for op in operations(api, registry=reg):
            for case in op.errors:
                for template in routes(op, case):
                    yield op, case, template


def _scheme(credential: str, raw: Mapping[str, Any]) -> Scheme:
    if raw.get("type") == "http":
        return Scheme(credential, raw["scheme"], "Authorization", bool(raw.get("x-secret")))
    return Scheme(credential, raw["in"], raw["name"], bool(raw.get("x-secret")))


def _credentials(catalogue: Mapping[str, Any], group: str) -> tuple[Scheme, ...]:
    schemes = catalogue["securitySchemes"]
    out = []
    for factor in catalogue["security"][group]:
        options = [_scheme(schemes[n]["x-statuskit-credential"], schemes[n]) for n in factor if n]
        # The first way, but a secret never in a URL (the dry-run list prints URLs).
        options.sort(key=lambda s: s.secret and s.where == "query")
        out.extend(options[:1])
    return tuple(out)


def _valid_value(
    registry: SchemaRegistry, api: str, spec: Mapping[str, Any], catalogue: Mapping[str, Any]
) -> Any:
    """A value the parameter's schema accepts: its default, example or first enum value."""
    schema = dict(spec.get("schema", {}))
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        schema = {**catalogue["$defs"][ref.rpartition("/")[2]], **schema}
    elif ref:
        document, _, pointer = ref.partition("#")
        defined = registry.definition(
            api, pointer.rpartition("/")[2], schema=document.removesuffix(".json")
        )
        schema = {**defined, **schema}
    for key in ("default", "example"):
        if key in schema:
            return schema[key]
        if key in spec:
            return spec[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    return "statuskit"


def plan(op: Operation, template: str, *, registry: SchemaRegistry | None = None) -> Planned:
    """The valid request of ``op`` on route ``template``, from the catalogue: its
    credentials, its path parameters (their examples), the query parameters it requires
    (or the first of an either-or pair), and its body when one is required."""
    reg = registry or default_registry()
    catalogue = reg.catalogue(op.api)
    op_id = op.route(template)
    entry = next(e for e in catalogue["operations"] if e["operationId"] == op_id)
    planned = Planned(op.method, template, credentials=_credentials(catalogue, entry["security"]))
    named = catalogue.get("parameters", {})
    either: set[str] = set()
    for param in entry.get("parameters", []):
        spec = named[param] if isinstance(param, str) else param
        pair = spec.get("x-statuskit-either")
        wanted = spec.get("required") or (pair is not None and pair not in either)
        if spec["in"] == "path":
            planned.path[spec["name"]] = _valid_value(reg, op.api, spec, catalogue)
        elif spec["in"] == "query" and wanted:
            planned.query[spec["name"]] = _valid_value(reg, op.api, spec, catalogue)
            either.add(pair or "")
    body = entry.get("requestBody", {})
    if body.get("required"):
        kind, content = next(iter(body["content"].items()))
        if kind == "multipart/form-data":
            planned.body, planned.file_part = "multipart", content["required"][0]
        elif kind == "application/x-www-form-urlencoded":
            planned.body, planned.form_schema = "form", content
    return planned


def credential_case(op: Operation, credential: str, *, missing: bool) -> ErrorCase | None:
    """The case of ``op`` that leaves ``credential`` out (``missing``) or sends it wrong."""
    for case in op.errors:
        change = case.request.credentials
        if credential in change and (change[credential] is None) == missing:
            return case
    return None


def _differs(documented: bool, message: str, response: httpx.Response) -> None:
    if documented:
        raise ContractViolation(message, request=response.request)
    raise KitDecisionDiffers(f"kit decision: {message}", request=response.request)


def check_case(
    op: Operation,
    case: ErrorCase,
    response: httpx.Response,
    *,
    registry: SchemaRegistry | None = None,
) -> Any:
    """Check that ``response`` is ``case`` of ``op``: never a 5xx, its status, its body's
    schema (:func:`~statuskit.contracts.checks.check_answer`), then its code. Returns the
    parsed body. What differs is a :class:`~statuskit.errors.ContractViolation` where the docs
    vouch for it and a :class:`~statuskit.errors.KitDecisionDiffers` where they do not."""
    status = response.status_code
    status_documented, code_documented = op.documented(case)
    label = f"{op} {case.name} ({case.provenance})"
    if status < 500 and status != case.status:
        _differs(
            status_documented,
            f"{label}: expected {case}, the target answered {status}",
            response,
        )
    body = check_answer(op, response, registry=registry)
    if case.code is not None:
        got = answer_code(op.api, body if body is not None else body_of(response))
        if got != case.code:
            _differs(
                code_documented,
                f"{label}: expected {case}, the target answered {status} {got}",
                response,
            )
    return body

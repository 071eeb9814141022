"""What the catalogue says one route takes: its credentials, its parameters and their schemas.

The proxy's request checks (:mod:`statuskit.proxy._requests`) read an operation's route
from here, built once per route from ``schemas/<api>/operations.json``: the security group
the route names (each factor a list of alternatives, ``null`` making it optional), the
securitySchemes behind it, and each parameter with a validator for its schema. Nothing here
knows a credential's or a parameter's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from statuskit.catalogue import Operation
from statuskit.registry import SchemaRegistry
from statuskit.wire._names import raw_entry

__all__ = ["Param", "Route", "Scheme", "routes_of"]


@dataclass(frozen=True)
class Scheme:
    """One securityScheme: where its credential travels (``query``, ``header``, ``cookie``,
    or ``authorization`` with an HTTP ``scheme``), under which name, and its provenance."""

    name: str
    where: str
    key: str
    http: str | None
    secret: bool
    kit: bool
    source: str | None

    def describe(self) -> str:
        """``query touchpoint``, ``cookie JSESSIONID``, ``header Authorization (bearer)``."""
        if self.where == "authorization":
            return f"header Authorization ({self.http})"
        return f"{self.where} {self.key}"


#: One factor of a security group: any one of its schemes will do; ``None`` among them
#: makes the factor optional (Thalamus's login takes HTTP Basic or a JSON body).
Factor = tuple["Scheme | None", ...]


@dataclass(frozen=True)
class Param:
    """One parameter: its catalogue entry and a validator for its schema."""

    where: str
    name: str
    spec: Mapping[str, Any]
    validator: Draft202012Validator

    @property
    def required(self) -> bool:
        """Whether the request must carry it (a path parameter always does)."""
        return bool(self.spec.get("required", self.where == "path"))

    @property
    def allow_empty(self) -> bool:
        """Whether an empty value is a value (Tealium's ``filePrefix``)."""
        return bool(self.spec.get("allowEmptyValue", False))


@dataclass(frozen=True)
class Route:
    """One route of an operation: its template, its operationId and what it takes."""

    operation: Operation
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    factors: tuple[Factor, ...]
    params: Mapping[tuple[str, str], Param]
    #: The query names its credentials travel under: sent, they are not undocumented.
    credential_queries: frozenset[str]

    def path_values(self, path: str) -> dict[str, str] | None:
        """The path parameters' values when ``path`` is this route, else ``None``."""
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()


def _pattern(template: str, parameters: Mapping[tuple[str, str], Mapping[str, Any]]) -> str:
    # The catalogue's own routing rule (statuskit.catalogue): a parameter marked
    # x-statuskit-slash takes the rest of the path, any other one segment. Here each
    # parameter is a named group, so the values can be checked.
    out = []
    for segment in template.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            spec = parameters.get(("path", name), {})
            out.append(f"(?P<{name}>{'.+' if spec.get('x-statuskit-slash') else '[^/]+'})")
        else:
            out.append(re.escape(segment))
    return "/".join(out)


def _scheme(name: str, scheme: Mapping[str, Any]) -> Scheme:
    http = scheme["scheme"] if scheme["type"] == "http" else None
    return Scheme(
        name=name,
        where="authorization" if http else str(scheme["in"]),
        key="Authorization" if http else str(scheme["name"]),
        http=http,
        secret=bool(scheme.get("x-secret")),
        kit=bool(scheme.get("x-kit-decision")),
        source=scheme.get("x-source"),
    )


def _validator(
    registry: SchemaRegistry, api: str, catalogue: Mapping[str, Any], schema: Mapping[str, Any]
) -> Draft202012Validator:
    # A parameter's schema is written in the catalogue: "#/$defs/flag" means the
    # catalogue's own $defs, "common.json#/$defs/importType" the API's strict schema beside
    # it. Giving the schema the catalogue's place in the registry resolves both.
    sibling = registry.uri(api, registry.names(api)[0], strict=True)
    base = sibling.rsplit("/", 1)[0] + "/operations.json"
    wrapped = {"$id": base, "$defs": catalogue.get("$defs", {}), **schema}
    return Draft202012Validator(
        wrapped,
        registry=registry.registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def routes_of(op: Operation, registry: SchemaRegistry) -> tuple[Route, ...]:
    """Every route of ``op``, in the catalogue's order."""
    catalogue = registry.catalogue(op.api)
    schemes = catalogue.get("securitySchemes", {})
    params = {
        key: Param(key[0], key[1], spec, _validator(registry, op.api, catalogue, spec["schema"]))
        for key, spec in op.parameters.items()
        if "schema" in spec
    }
    out = []
    for op_id, template in zip(op.ids, op.templates, strict=False):
        group = raw_entry(op.api, op_id, registry).get("security")
        factors: Sequence[Sequence[str | None]] = catalogue.get("security", {}).get(group, [])
        built = tuple(
            tuple(None if n is None else _scheme(n, schemes[n]) for n in factor)
            for factor in factors
        )
        queries = frozenset(
            s.key for factor in built for s in factor if s is not None and s.where == "query"
        )
        out.append(
            Route(
                operation=op,
                template=template,
                operation_id=op_id,
                pattern=re.compile(_pattern(template, op.parameters), re.DOTALL),
                factors=built,
                params=params,
                credential_queries=queries,
            )
        )
    return tuple(out)

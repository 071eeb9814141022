"""The checks that keep an operation catalogue's names pointing somewhere.

The registry checks a catalogue (``schemas/<api>/operations.json``) against
``schemas/operations.schema.json``. Before anything is built from it, every name in it must
also resolve: named parameters, responses, error cases, security groups and schemes, schema
names, fixture files and link targets; and each error case must fit its operation (a status
it answers, a code its error schema knows, credentials and parameters it has). A broken
catalogue is a :class:`~statuskit.errors.SchemaLoadError`, in one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statuskit.errors import SchemaLoadError, UnknownSchemaError
from statuskit.fixtures import fixtures
from statuskit.registry import CATALOGUE, SchemaRegistry

__all__ = ["check_cases", "error_codes", "load", "schema_target"]


def schema_target(api: str, name: str) -> tuple[str, str]:
    """``"name"`` or ``"other-api/name"`` in ``api``'s catalogue, as ``(api, name)``."""
    owner, _, rest = name.rpartition("/")
    return (owner or api, rest)


def load(registry: SchemaRegistry, api: str) -> dict[str, Any]:
    """``api``'s catalogue, checked for shape (by the registry) and for names that resolve."""
    catalogue = registry.catalogue(api)
    where = f"{registry.root / api / CATALOGUE}"
    try:
        _check_names(registry, api, catalogue)
        check_cases(registry, api, catalogue)
    except (KeyError, UnknownSchemaError) as exc:
        raise SchemaLoadError(f"{where}: {exc.args[0]}") from None
    return catalogue


def _check_names(registry: SchemaRegistry, api: str, catalogue: dict[str, Any]) -> None:
    schemes = catalogue["securitySchemes"]
    for group, factors in catalogue["security"].items():
        for name in (n for factor in factors for n in factor if n is not None):
            if name not in schemes:
                raise KeyError(f"security group {group!r} names unknown scheme {name!r}")
    ids = [op["operationId"] for op in catalogue["operations"]]
    if len(set(ids)) != len(ids):
        raise KeyError(f"operationIds repeat: {sorted(i for i in ids if ids.count(i) > 1)}")
    known_files = {f.path.relative_to(f.path.parents[2]).as_posix() for f in fixtures(api=api)}
    named = catalogue.get("responses", {})
    for response in named.values():
        _check_response(registry, api, response, ids, known_files)
    for op in catalogue["operations"]:
        label = f"operation {op['operationId']!r}"
        if op["security"] not in catalogue["security"]:
            raise KeyError(f"{label}: unknown security group {op['security']!r}")
        for param in op.get("parameters", []):
            if isinstance(param, str) and param not in catalogue.get("parameters", {}):
                raise KeyError(f"{label}: unknown parameter {param!r}")
        for content in op.get("requestBody", {}).get("content", {}).values():
            if isinstance(content, str):
                registry.source(*schema_target(api, content))
        for status, response in op["responses"].items():
            if "ref" in response and response["ref"] not in named:
                raise KeyError(f"{label} {status}: unknown response {response['ref']!r}")
            _check_response(registry, api, response, ids, known_files)


def _check_response(
    registry: SchemaRegistry,
    api: str,
    response: dict[str, Any],
    ids: list[str],
    known_files: set[str],
) -> None:
    if "schema" in response:
        registry.source(*schema_target(api, response["schema"]))
    for link in response.get("links", {}).values():
        if link["operationId"] not in ids:
            raise KeyError(f"a link names unknown operation {link['operationId']!r}")
    for file in response.get("fixtures", []):
        if file not in known_files:
            raise KeyError(f"unknown fixture {file!r}")


def check_cases(registry: SchemaRegistry, api: str, catalogue: Mapping[str, Any]) -> None:
    """Raise ``KeyError`` unless every error case fits the operation that lists it."""
    named = catalogue.get("errorCases", {})
    schemes = catalogue["securitySchemes"]
    for op in catalogue["operations"]:
        label = f"operation {op['operationId']!r}"
        factors = catalogue["security"][op["security"]]
        credentials = {
            schemes[n].get("x-statuskit-credential") for f in factors for n in f if n is not None
        }
        params = {(p["in"], p["name"]) for p in _parameters(op, catalogue)}
        for item in op.get("errors", []):
            if isinstance(item, str) and item not in named:
                raise KeyError(f"{label}: unknown error case {item!r}")
            case = named[item] if isinstance(item, str) else item
            where = f"{label} error case {case['status']} {case.get('code', '')}".rstrip()
            if str(case["status"]) not in op["responses"]:
                raise KeyError(f"{where}: the operation does not answer {case['status']}")
            _check_code(registry, api, case, where)
            request = case["request"]
            for name in request.get("credentials", {}):
                if name not in credentials:
                    raise KeyError(f"{where}: the operation takes no credential {name!r}")
            for place in ("path", "query"):
                for name in request.get(place, {}):
                    if (place, name) not in params:
                        raise KeyError(f"{where}: the operation has no {place} parameter {name!r}")


def _parameters(op: Mapping[str, Any], catalogue: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    named = catalogue.get("parameters", {})
    return [named[p] if isinstance(p, str) else p for p in op.get("parameters", [])]


def error_codes(registry: SchemaRegistry, api: str) -> dict[str, str]:
    """Every error code ``api``'s catalogue says its schemas allow (``errorCodes``), as
    text, with its provenance (the type's ``x-enum-provenance``; empty when unstated)."""
    where = registry.catalogue(api).get("errorCodes")
    if where is None:
        raise KeyError(f"{api}'s catalogue has error cases but no errorCodes")
    node = registry.definition(api, where["type"], schema=where["schema"])
    provenance = node.get("x-enum-provenance", {})
    return {str(code): str(provenance.get(str(code), "")) for code in node["enum"]}


def _check_code(registry: SchemaRegistry, api: str, case: Mapping[str, Any], where: str) -> None:
    if "code" not in case:
        return
    known = set(error_codes(registry, api))
    code = str(case["code"]).rpartition(":")[2]
    if code not in known:
        raise KeyError(f"{where}: {code!r} is not in {api}'s error schema")

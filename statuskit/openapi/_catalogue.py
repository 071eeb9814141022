"""The operation catalogue's own shape, and the checks that keep its names pointing somewhere.

A catalogue (``schemas/<api>/operations.json``) is data, read through the registry. Before
anything is built from it, it must have this shape and every name in it must resolve: named
parameters, responses, security groups and schemes, schema names, fixture files and link
targets. A broken catalogue is a :class:`~statuskit.errors.SchemaLoadError`, in one line.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from statuskit.errors import SchemaLoadError, UnknownSchemaError
from statuskit.fixtures import fixtures
from statuskit.registry import SchemaRegistry

__all__ = ["load", "schema_target"]

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_EXTENSIONS: dict[str, Any] = {"^x-": {}}
_SCHEMA_NAME: dict[str, Any] = {"type": "string", "pattern": "^([a-z]+/)?[a-z0-9-]+$"}
_BODY: dict[str, Any] = {"oneOf": [_SCHEMA_NAME, {"type": "object"}]}

_RESPONSE = {
    "type": "object",
    "properties": {
        "ref": _TEXT,
        "description": _TEXT,
        "schema": _SCHEMA_NAME,
        "headers": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["schema"],
                "properties": {"schema": {"type": "object"}, "description": _TEXT},
                "additionalProperties": False,
            },
        },
        "links": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["operationId", "parameters"],
                "properties": {
                    "operationId": _TEXT,
                    "parameters": {"type": "object", "additionalProperties": _TEXT},
                    "description": _TEXT,
                },
                "additionalProperties": False,
            },
        },
        "fixtures": {"type": "array", "items": _TEXT},
        # A status a schema-valid request can still get, for a rule OpenAPI cannot state;
        # the text names the rule (statuskit.openapi.schemathesis_config reads it).
        "x-statuskit-beyond-schema": _TEXT,
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}

_PARAMETER = {
    "type": "object",
    "required": ["name", "in", "schema"],
    "properties": {
        "name": _TEXT,
        "in": {"enum": ["path", "query", "header", "cookie"]},
        "required": {"type": "boolean"},
        "allowEmptyValue": {"type": "boolean"},
        "schema": {"type": "object"},
        "example": {},
        "description": _TEXT,
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}

#: The shape of ``schemas/<api>/operations.json``.
SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["description", "title", "securitySchemes", "security", "operations"],
    "properties": {
        "description": _TEXT,
        "title": _TEXT,
        "securitySchemes": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                # A credential whose absence or wrong value is answered with this status,
                # where a generic tool expects 401 (Thalamus's touchpoint and token: 400).
                "properties": {
                    "x-statuskit-refused-with": {"type": "integer", "minimum": 400, "maximum": 499}
                },
            },
        },
        # A named group: every factor must hold, each by one of its alternatives
        # (null: by nothing, which makes the factor optional).
        "security": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {"type": "array", "minItems": 1, "items": {"type": ["string", "null"]}},
            },
        },
        "parameters": {"type": "object", "additionalProperties": _PARAMETER},
        "responses": {"type": "object", "additionalProperties": _RESPONSE},
        "operations": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["operationId", "method", "path", "summary", "security", "responses"],
                "properties": {
                    "operationId": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "operation": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "method": {"enum": ["get", "post", "put", "patch", "delete"]},
                    "path": {"type": "string", "pattern": "^/"},
                    "summary": _TEXT,
                    "description": _TEXT,
                    "security": _TEXT,
                    "parameters": {"type": "array", "items": {"oneOf": [_TEXT, _PARAMETER]}},
                    "requestBody": {
                        "type": "object",
                        "required": ["required", "content"],
                        "properties": {
                            "required": {"type": "boolean"},
                            "content": {
                                "type": "object",
                                "minProperties": 1,
                                "additionalProperties": _BODY,
                            },
                        },
                        "patternProperties": _EXTENSIONS,
                        "additionalProperties": False,
                    },
                    "responses": {
                        "type": "object",
                        "minProperties": 1,
                        "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
                        "additionalProperties": _RESPONSE,
                    },
                },
                "patternProperties": _EXTENSIONS,
                "additionalProperties": False,
            },
        },
        "$defs": {"type": "object", "additionalProperties": {"type": "object"}},
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}


def schema_target(api: str, name: str) -> tuple[str, str]:
    """``"name"`` or ``"other-api/name"`` in ``api``'s catalogue, as ``(api, name)``."""
    owner, _, rest = name.rpartition("/")
    return (owner or api, rest)


def load(registry: SchemaRegistry, api: str) -> dict[str, Any]:
    """``api``'s catalogue, checked for shape and for names that resolve."""
    catalogue = registry.catalogue(api)
    where = f"{registry.root / api / 'operations.json'}"
    error = next(iter(Draft202012Validator(SHAPE).iter_errors(catalogue)), None)
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise SchemaLoadError(f"{where}: {at}: {error.message}")
    try:
        _check_names(registry, api, catalogue)
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

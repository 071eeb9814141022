"""Hypothesis strategies derived from the kit's schemas.

``from_schema("thalamus", "import-record")`` draws instances that validate against the
named schema at the chosen strictness level. The builder understands the subset of JSON
Schema 2020-12 that ``schemas/`` uses and rejects any other keyword at once, so a schema
change that the generator cannot follow fails loudly instead of producing invalid data.

hypothesis-jsonschema is not used: see ``docs/decisions.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.provisional import urls

from statuskit.registry import SchemaRegistry, default_registry

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["from_schema", "schema_names"]

# Keywords that only annotate, or that the builder handles itself.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "title",
        "description",
        "examples",
        "default",
        "contentMediaType",
        "readOnly",
        "writeOnly",
        "$comment",
    }
)
_HANDLED = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)
# Unbounded collections are capped so examples stay small and fast to validate.
_DEFAULT_MAX_ITEMS = 5
# Formats are drawn from values of the format itself, then held to any pattern beside it.
_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uri": urls(),
    "email": st.emails(),
    "date-time": st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)).map(
        lambda d: d.isoformat(timespec="milliseconds") + "Z"
    ),
}
_JSON_LEAVES = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)


def schema_names(api: str, *, registry: SchemaRegistry | None = None) -> tuple[str, ...]:
    """The names of ``api``'s schemas that describe an instance (not only ``$defs``)."""
    reg = registry or default_registry()
    return tuple(n for n in reg.names(api) if "type" in reg.source(api, n))


def from_schema(
    api: str,
    name: str,
    *,
    strict: bool = True,
    registry: SchemaRegistry | None = None,
    pointer: str = "",
) -> st.SearchStrategy[Any]:
    """A strategy for instances of schema ``api``/``name``, or of the subschema at JSON
    pointer ``pointer`` inside it (``from_schema("thalamus", "common", pointer="/$defs/id")``).

    Arguments are checked eagerly: an unknown schema raises
    :class:`~statuskit.errors.UnknownSchemaError`, and a keyword the builder does not
    understand raises :class:`hypothesis.errors.InvalidArgument`, both before any draw.
    """
    reg = registry or default_registry()
    uri = reg.uri(api, name, strict=strict) + (f"#{pointer}" if pointer else "")
    resolver = reg.registry.resolver()
    resolved = resolver.lookup(uri)
    return _build(resolved.contents, resolved.resolver)


def _build(schema: Mapping[str, Any], resolver: Resolver[Any]) -> st.SearchStrategy[Any]:
    unknown = {k for k in schema if not k.startswith("x-")} - _ANNOTATIONS - _HANDLED
    if unknown:
        raise InvalidArgument(f"statuskit strategies cannot build keywords {sorted(unknown)}")
    if "$ref" in schema:
        if set(schema) & (_HANDLED - {"$ref"}):
            raise InvalidArgument("a $ref with sibling assertions is not supported")
        target = resolver.lookup(schema["$ref"])
        return _build(target.contents, target.resolver)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema.get("type")
    if types is None:
        return st.recursive(_JSON_LEAVES, _containers, max_leaves=5)
    if isinstance(types, str):
        return _typed(types, schema, resolver)
    return st.one_of([_typed(t, schema, resolver) for t in types])


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=3) | st.dictionaries(
        st.text(max_size=8), children, max_size=3
    )


def _typed(kind: str, schema: Mapping[str, Any], resolver: Resolver[Any]) -> st.SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        return st.integers(low, high) | st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "string":
        return _strings(schema)
    if kind == "array":
        return st.lists(
            _build(schema.get("items", {}), resolver),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", _DEFAULT_MAX_ITEMS), _DEFAULT_MAX_ITEMS),
        )
    if kind == "object":
        return _objects(schema, resolver)
    raise InvalidArgument(f"unknown JSON type {kind!r}")


def _strings(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    fmt = schema.get("format")
    base: st.SearchStrategy[str]
    if fmt in _FORMATS:
        base = _FORMATS[fmt]
        if "pattern" in schema:
            base = base.filter(re.compile(schema["pattern"]).search)
    elif "pattern" in schema:
        # JSON Schema patterns search; ours are anchored. Python's "$" also matches before
        # a final newline, so generate against "\Z" to draw only what a strict reader means.
        base = st.from_regex(re.sub(r"(?<!\\)\$$", r"\\Z", schema["pattern"]))
    else:
        return st.text(min_size=low, max_size=high if high is not None else 40)
    return base.filter(lambda s: low <= len(s) and (high is None or len(s) <= high))


def _objects(schema: Mapping[str, Any], resolver: Resolver[Any]) -> st.SearchStrategy[Any]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    if properties or extra is False:
        fixed = {k: _build(v, resolver) for k, v in properties.items() if k in required}
        optional = {k: _build(v, resolver) for k, v in properties.items() if k not in required}
        return st.fixed_dictionaries(fixed, optional=optional)
    keys = _strings(schema.get("propertyNames", {"type": "string"}))
    values = _build(extra if isinstance(extra, Mapping) else {}, resolver)
    return st.dictionaries(
        keys,
        values,
        min_size=schema.get("minProperties", 0),
        max_size=schema.get("maxProperties", _DEFAULT_MAX_ITEMS),
    )

"""What an admin request sends, checked against its schema before any view reads it.

The admin operation catalogue (``schemas/admin/operations.json``) names the schema of every
route's body; a route with query parameters has them described by ``<operationId>-query``
(``journal-read-query.json``). Both are checked here, through the schema registry, so no
view holds a check of its own for what a schema can say. What fails is a 400 whose message
starts with the field's JSON path: ``scenario: [[]] is not of type 'string', 'object'``.

Nothing here depends on Flask: the admin blueprint hands in the request's parts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from statuskit.errors import SchemaLoadError
from statuskit.findings import one_line
from statuskit.registry import SchemaRegistry

__all__ = ["AdminInputs", "ClockRange", "Expected", "InputError", "parse_json"]

API = "admin"
JSON = "application/json"
# Flask's "<int:import_id>" is the catalogue's "{import_id}".
_EXACT = 2**53
_SURROGATE = re.compile("[\ud800-\udfff]")
_RULE_PARAMETER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
# Digits Python reads as an int (it refuses more than 4300); longer ones stay text.
_INTEGER = re.compile(r"-?[0-9]{1,4000}")


class InputError(ValueError):
    """Input the admin API cannot use; the message is the 400's one line."""


@dataclass(frozen=True)
class Expected:
    """What one admin operation reads: its body's schema and its query's, by name."""

    operation: str
    body: str | None = None
    query: str | None = None
    #: The query parameters the query schema describes, in its order.
    parameters: tuple[str, ...] = ()
    #: Those it types as integers: read as numbers when written as one.
    integers: frozenset[str] = frozenset()


def _number(text: str) -> int | float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    # JSON Schema counts 1.0 as an integer; so does the admin API, so code that wants an
    # int (a count, a seed) gets one. Only where a float is exact: 1e300 stays a float.
    return int(value) if value.is_integer() and abs(value) <= _EXACT else value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _surrogate(value: Any, path: str) -> str | None:
    """The JSON path of the first string in ``value`` holding a lone surrogate (of its
    object, for a key: the key cannot be shown)."""
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        if any(_SURROGATE.search(key) for key in value):
            return path
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _surrogate(item, f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}")
        if found is not None:
            return found
    return None


def parse_json(data: bytes) -> Any:
    """Strict JSON: no NaN or Infinity, no number too large to be finite, and only text
    (``\\ud800`` alone is JSON's syntax, but no character: it cannot be sent back)."""
    try:
        value = json.loads(data, parse_float=_number, parse_constant=_no_constant)
    except RecursionError:
        raise InputError("body: nested too deeply") from None
    except ValueError as exc:  # a JSONDecodeError, bad UTF-8, or a number refused above
        raise InputError(f"body: not valid JSON: {exc}") from None
    where = _surrogate(value, "")
    if where is not None:
        raise InputError(f"{where.lstrip('.') or 'body'}: a lone UTF-16 surrogate is not text")
    return value


def _local(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """``spec``, or what its ``#/$defs/...`` reference names in ``schema``."""
    ref = str(spec.get("$ref", ""))
    if ref.startswith("#/$defs/"):
        found: dict[str, Any] = schema["$defs"][ref.removeprefix("#/$defs/")]
        return found
    return spec


def _seconds(value: object) -> float | None:
    """A number, or a string of one or of an ISO-8601 date-time with its zone, as epoch
    seconds; ``None`` for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.timestamp() if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class ClockRange:
    """The moments the mock's clock may show (``common.json#/$defs/moment``'s bounds)."""

    earliest: float
    latest: float

    @classmethod
    def from_registry(cls, registry: SchemaRegistry) -> ClockRange:
        """The bounds as the schema gives them."""
        moment = registry.definition(API, "moment")
        return cls(float(moment["minimum"]), float(moment["maximum"]))

    def __str__(self) -> str:
        days = (datetime.fromtimestamp(s, UTC).date() for s in (self.earliest, self.latest))
        return " to ".join(day.isoformat() for day in days)

    def moment(self, name: str, value: object) -> float:
        """``value`` (the field ``name``) as epoch seconds on the clock; a number, or a
        string of one or of an ISO-8601 date-time with its zone."""
        seconds = _seconds(value)
        if seconds is None or not math.isfinite(seconds):
            raise InputError(
                f"{name}: {value!r} is not epoch seconds or an ISO-8601 date-time with a zone"
            )
        if seconds not in self:
            raise InputError(f"{name}: {value!r} is outside the mock clock's range, {self}")
        return seconds

    def __contains__(self, seconds: float) -> bool:
        return self.earliest <= seconds <= self.latest


class AdminInputs:
    """The admin operations' expected inputs, and the checks of what a request sends."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.clock = ClockRange.from_registry(registry)
        self._routes = {
            (op["method"].upper(), op["path"]): self._expected(op)
            for op in registry.catalogue(API)["operations"]
        }

    def _expected(self, op: dict[str, Any]) -> Expected:
        body = op.get("requestBody", {}).get("content", {})
        if set(body) - {JSON} or not isinstance(body.get(JSON, ""), str):
            raise SchemaLoadError(
                f"admin operation {op['operationId']!r}: a body must name its schema in "
                f"schemas/admin/, as {JSON}"
            )
        query = [p for p in op.get("parameters", []) if isinstance(p, dict) and p["in"] == "query"]
        if not query:
            return Expected(op["operationId"], body.get(JSON))
        name = f"{op['operationId']}-query"
        schema = self.registry.source(API, name)
        fields = schema.get("properties", {})
        return Expected(
            op["operationId"],
            body.get(JSON),
            name,
            tuple(fields),
            frozenset(
                f for f, spec in fields.items() if _local(schema, spec).get("type") == "integer"
            ),
        )

    def expected(self, method: str, rule: str) -> Expected | None:
        """The operation a Flask rule and method serve (HEAD as GET), if catalogued."""
        path = _RULE_PARAMETER.sub(r"{\1}", rule)
        return self._routes.get(("GET" if method == "HEAD" else method, path))

    def body(self, expected: Expected, data: bytes, *, is_json: bool) -> dict[str, Any]:
        """The checked body (``{}`` when none is sent); :class:`InputError` otherwise."""
        if expected.body is None:
            return {}  # the operation takes no body: whatever came is not read
        value: Any = {}
        if data:
            if not is_json:
                raise InputError(f"body: send JSON, with Content-Type: {JSON}")
            value = parse_json(data)
        self._check(expected.body, value, "body")
        result: dict[str, Any] = value
        return result

    def query(self, expected: Expected, args: Mapping[str, str]) -> dict[str, Any]:
        """The operation's query parameters (each its first value), checked."""
        if expected.query is None:
            return {}
        value: dict[str, Any] = {}
        for name in expected.parameters:
            raw = args.get(name)
            if raw is None:
                continue
            value[name] = raw
            if name in expected.integers and _INTEGER.fullmatch(raw):
                value[name] = int(raw)
        self._check(expected.query, value, "query")
        return value

    def _check(self, schema: str, value: Any, root: str) -> None:
        findings = self.registry.validate(API, schema, value)
        if findings:
            raise InputError(one_line(findings, root))

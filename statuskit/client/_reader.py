"""The runtime under the generated models: a base class and the checks the readers call.

A tolerant read checks only what typing needs, the tolerant schema's required keys and JSON
types, with plain ``type()`` tests, so reading a record costs little more than parsing it.
Unknown keys go to ``extra`` and unknown enum values (a new state) stay plain values. When
a check fails, the tolerant validator runs once to say where, and a
:class:`~statuskit.errors.MalformedResponseError` carries its findings. A strict read first
validates against the strict schema and raises
:class:`~statuskit.errors.ContractViolation`, with JSON and schema paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Self, TypeVar

from jsonschema import Draft202012Validator

from statuskit.errors import ContractViolation, MalformedResponseError
from statuskit.findings import Finding, findings_from_errors
from statuskit.registry import SchemaRegistry, default_registry

__all__ = [
    "Model",
    "ShapeError",
    "extra",
    "model",
    "model_or_none",
    "models",
    "models_or_none",
    "obj",
    "read",
    "read_array",
    "scalar",
    "scalars",
    "scalars_or_none",
    "validate",
]

M = TypeVar("M", bound="Model")

# The JSON types, as the Python types ``json.loads`` gives them. (Not in ``__all__``, where
# ruff's order and ``sorted()`` would disagree; the generated code reads them as ``_r.X``.)

INTEGER: frozenset[type] = frozenset({int})
NUMBER: frozenset[type] = frozenset({int, float})
STRING: frozenset[type] = frozenset({str})
BOOLEAN: frozenset[type] = frozenset({bool})
OBJECT: frozenset[type] = frozenset({dict})
ARRAY: frozenset[type] = frozenset({list})
NULL: frozenset[type] = frozenset({type(None)})
_ARRAY_OR_NULL = ARRAY | NULL
_OBJECT_OR_NULL = OBJECT | NULL


class ShapeError(Exception):
    """A value the model cannot hold; ``path`` is its JSON path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"


def obj(data: Any, path: str) -> dict[str, Any]:
    """``data`` if it is a JSON object."""
    if type(data) is not dict:
        raise ShapeError(path, f"expected an object, got {type(data).__name__}")
    return data


def _check(value: Any, kinds: frozenset[type], path: str) -> Any:
    if type(value) in kinds:
        return value
    # JSON Schema's integer includes 1.0; hold it as the int it is.
    if type(value) is float and int in kinds and value.is_integer():
        return int(value)
    names = "/".join(sorted(k.__name__ for k in kinds))
    raise ShapeError(path, f"expected {names}, got {type(value).__name__}")


def scalar(
    data: dict[str, Any], key: str, path: str, kinds: frozenset[type], required: bool
) -> Any:
    """The value at ``key``, of one of ``kinds``; ``None`` when an optional key is absent."""
    try:
        value = data[key]
    except KeyError:
        if required:
            raise ShapeError(_child(path, key), "is required") from None
        return None
    return _check(value, kinds, _child(path, key))


def scalars(data: dict[str, Any], key: str, path: str, kinds: frozenset[type]) -> tuple[Any, ...]:
    """The required array at ``key`` as a tuple, each item of one of ``kinds``."""
    items = scalar(data, key, path, ARRAY, True)
    where = _child(path, key)
    return tuple(_check(item, kinds, _child(where, i)) for i, item in enumerate(items))


def scalars_or_none(
    data: dict[str, Any], key: str, path: str, kinds: frozenset[type], required: bool
) -> tuple[Any, ...] | None:
    """Like :func:`scalars`, for an optional or nullable array."""
    if data.get(key) is None:
        scalar(data, key, path, _ARRAY_OR_NULL, required)
        return None
    return scalars(data, key, path, kinds)


def model(data: dict[str, Any], key: str, path: str, reader: Callable[[Any, str], M]) -> M:
    """The required object at ``key``, read by ``reader`` (a model's ``_read``)."""
    return reader(scalar(data, key, path, OBJECT, True), _child(path, key))


def model_or_none(
    data: dict[str, Any], key: str, path: str, reader: Callable[[Any, str], M], required: bool
) -> M | None:
    """Like :func:`model`, for an optional or nullable object."""
    if data.get(key) is None:
        scalar(data, key, path, _OBJECT_OR_NULL, required)
        return None
    return model(data, key, path, reader)


def models(
    data: dict[str, Any], key: str, path: str, reader: Callable[[Any, str], M]
) -> tuple[M, ...]:
    """The required array of objects at ``key``, each read by ``reader``."""
    items = scalar(data, key, path, ARRAY, True)
    where = _child(path, key)
    return tuple(reader(item, _child(where, i)) for i, item in enumerate(items))


def models_or_none(
    data: dict[str, Any], key: str, path: str, reader: Callable[[Any, str], M], required: bool
) -> tuple[M, ...] | None:
    """Like :func:`models`, for an optional or nullable array."""
    if data.get(key) is None:
        scalar(data, key, path, _ARRAY_OR_NULL, required)
        return None
    return models(data, key, path, reader)


def extra(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The keys the schema does not name, kept as they came."""
    if known.issuperset(data):
        return {}
    return {k: v for k, v in data.items() if k not in known}


class Model:
    """The base of the generated record models: frozen dataclasses with an ``extra`` map.

    ``from_json`` reads a parsed JSON value; ``to_json`` gives back the wire form, unknown
    keys included, so ``Model.from_json(x).to_json() == x`` for every schema-valid ``x``.
    """

    __slots__ = ()

    #: (api, schema name, JSON pointer into that schema) of the object this model reads.
    LOCATION: ClassVar[tuple[str, str, str]]

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        """The wire form: a fresh dict, unknown keys included."""
        raise NotImplementedError

    @classmethod
    def from_json(
        cls, data: Any, *, strict: bool = False, registry: SchemaRegistry | None = None
    ) -> Self:
        """Read ``data`` (parsed JSON) into this model.

        Tolerant by default; ``strict=True`` first validates against the strict schema and
        raises :class:`~statuskit.errors.ContractViolation` on any finding.
        """
        return read(cls, data, strict=strict, registry=registry)


def _validator(
    registry: SchemaRegistry, location: tuple[str, str, str], *, strict: bool
) -> Draft202012Validator:
    api, name, pointer = location
    if not pointer:
        return registry.validator(api, name, strict=strict)
    ref = {"$ref": f"{registry.uri(api, name, strict=strict)}#{pointer}"}
    return Draft202012Validator(
        ref, registry=registry.registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate(
    location: tuple[str, str, str],
    data: Any,
    *,
    strict: bool,
    registry: SchemaRegistry | None = None,
) -> list[Finding]:
    """The findings of ``data`` against the schema at ``location``, at one level."""
    validator = _validator(registry or default_registry(), location, strict=strict)
    return findings_from_errors(validator.iter_errors(data))


def _summary(findings: list[Finding]) -> str:
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return f"{findings[0]}{more}"


def _where(location: tuple[str, str, str]) -> str:
    api, name, pointer = location
    return f"{api}/{name}{'#' + pointer if pointer else ''}"


def _check_strict(
    location: tuple[str, str, str], data: Any, registry: SchemaRegistry | None
) -> None:
    findings = validate(location, data, strict=True, registry=registry)
    if findings:
        raise ContractViolation(
            f"{_where(location)} (strict): {_summary(findings)}; the server broke the "
            "documented contract (report it, or read with strict=False)",
            findings=findings,
        )


def _malformed(
    location: tuple[str, str, str], data: Any, exc: ShapeError, registry: SchemaRegistry | None
) -> MalformedResponseError:
    findings = validate(location, data, strict=False, registry=registry) or [
        Finding(path=exc.path, schema_path="", keyword="type", message=exc.message)
    ]
    return MalformedResponseError(
        f"{_where(location)}: {_summary(findings)}; the body lacks what the record needs "
        "(check base_url and the API version)",
        findings=findings,
    )


def read(
    cls: type[M], data: Any, *, strict: bool = False, registry: SchemaRegistry | None = None
) -> M:
    """Read ``data`` into ``cls``; see :class:`Model`."""
    if strict:
        _check_strict(cls.LOCATION, data, registry)
    try:
        return cls._read(data, "$")
    except ShapeError as exc:
        raise _malformed(cls.LOCATION, data, exc, registry) from None


def read_array(
    cls: type[M],
    data: Any,
    location: tuple[str, str, str],
    *,
    strict: bool = False,
    registry: SchemaRegistry | None = None,
) -> tuple[M, ...]:
    """Read a JSON array (the schema at ``location``) into a tuple of ``cls``."""
    if strict:
        _check_strict(location, data, registry)
    try:
        items = _check(data, ARRAY, "$")
        return tuple(cls._read(item, f"$[{i}]") for i, item in enumerate(items))
    except ShapeError as exc:
        raise _malformed(location, data, exc, registry) from None

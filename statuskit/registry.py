"""The schema registry: every schema in ``schemas/`` loaded once, both strictness levels
in one :class:`referencing.Registry`, and validators compiled once and cached.

Schemas are addressed by API and name: ``schemas/thalamus/import-record.json`` is
``("thalamus", "import-record")``. Each source schema's ``$id`` is
``https://statuskit.invalid/schemas/<api>/<name>.json``; the registry files the derived
levels under ``.../schemas/strict/<api>/<name>.json`` and ``.../schemas/tolerant/...``,
so the relative ``$ref``\\ s of a strict schema reach strict schemas, and likewise for
tolerant ones. The ``.invalid`` host guarantees nothing is ever fetched.

One file per API folder is not a schema: ``operations.json``, the API's operation catalogue
(its routes, parameters, credentials, responses and error cases). The registry skips it when
loading schemas, checks it against ``schemas/operations.schema.json`` when it is first asked
for, and serves it as :meth:`SchemaRegistry.catalogue`, so this module stays the one reader
of ``schemas/``; :mod:`statuskit.catalogue` gives it types.

Code that needs one fact from a schema asks for it by name (:meth:`SchemaRegistry.definition`,
:meth:`SchemaRegistry.enum`) rather than indexing a schema's dict by path.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from statuskit._resources import data_path
from statuskit.errors import ContractViolation, SchemaLoadError, UnknownSchemaError
from statuskit.findings import Finding, findings_from_errors
from statuskit.strictness import STRICTNESS_LEVELS, Strictness, derive

__all__ = [
    "BASE_URI",
    "CATALOGUE",
    "CATALOGUE_SCHEMA",
    "SchemaRegistry",
    "check",
    "default_registry",
    "validate",
]

BASE_URI = "https://statuskit.invalid/schemas/"
#: The file name of an API's operation catalogue, the one non-schema file under ``schemas/``.
CATALOGUE = "operations.json"
#: The JSON Schema every catalogue must meet, beside the API folders.
CATALOGUE_SCHEMA = "operations.schema.json"


def _level(strict: bool) -> Strictness:
    return "strict" if strict else "tolerant"


class SchemaRegistry:
    """All of the kit's schemas, at both strictness levels.

    Load it once (:func:`default_registry` does) and share it: it compiles each validator
    the first time it is asked for and keeps it.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_path("schemas")
        self._sources = _load_sources(self.root)
        resources: list[tuple[str, Resource[Any]]] = []
        for (api, name), source in self._sources.items():
            for level in STRICTNESS_LEVELS:
                uri = self.uri(api, name, strict=level == "strict")
                derived = derive(source, level) | {"$id": uri}
                resources.append((uri, DRAFT202012.create_resource(derived)))
        self.registry: Registry[Any] = Registry().with_resources(resources).crawl()
        self._validators: dict[tuple[str, str, bool], Draft202012Validator] = {}
        self._catalogues: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"<SchemaRegistry {self.root} ({len(self._sources)} schemas)>"

    def apis(self) -> tuple[str, ...]:
        """The APIs with schemas, sorted."""
        return tuple(sorted({api for api, _ in self._sources}))

    def names(self, api: str) -> tuple[str, ...]:
        """The names of ``api``'s schemas, sorted."""
        names = tuple(sorted(name for a, name in self._sources if a == api))
        if not names:
            raise UnknownSchemaError(f"no schemas for API {api!r}; known: {', '.join(self.apis())}")
        return names

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(sorted(self._sources))

    def uri(self, api: str, name: str, *, strict: bool = True) -> str:
        """The ``$id`` under which the derived schema is registered."""
        self._source(api, name)
        return f"{BASE_URI}{_level(strict)}/{api}/{name}.json"

    def source(self, api: str, name: str) -> dict[str, Any]:
        """A copy of the hand-written schema, with its provenance annotations."""
        return copy.deepcopy(self._source(api, name))

    def source_text(self, api: str, name: str) -> str:
        """The hand-written schema file's text as it is, for proposing a minimal edit to it
        (``statuskit drift --propose-schema``) that keeps its formatting."""
        self._source(api, name)
        return (self.root / api / f"{name}.json").read_text(encoding="utf-8")

    def schema(self, api: str, name: str, *, strict: bool = True) -> dict[str, Any]:
        """A copy of the derived schema at the given strictness level."""
        contents = self.registry.contents(self.uri(api, name, strict=strict))
        return copy.deepcopy(dict(contents))

    def validator(self, api: str, name: str, *, strict: bool = True) -> Draft202012Validator:
        """The compiled validator for one schema, built once and cached."""
        key = (api, name, strict)
        found = self._validators.get(key)
        if found is None:
            schema = self.registry.contents(self.uri(api, name, strict=strict))
            found = Draft202012Validator(
                schema,
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[key] = found
        return found

    def validate(self, api: str, name: str, instance: Any, *, strict: bool = True) -> list[Finding]:
        """Every way ``instance`` breaks the schema, as findings; empty when it conforms."""
        validator = self.validator(api, name, strict=strict)
        return findings_from_errors(validator.iter_errors(instance))

    def check(self, api: str, name: str, instance: Any, *, strict: bool = True) -> None:
        """Raise :class:`ContractViolation` unless ``instance`` conforms to the schema."""
        findings = self.validate(api, name, instance, strict=strict)
        if findings:
            more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
            raise ContractViolation(
                f"{api} {name} ({_level(strict)}): {findings[0]}{more}", findings=findings
            )

    def catalogued(self) -> tuple[str, ...]:
        """The APIs with an operation catalogue (``<api>/operations.json``), sorted."""
        return tuple(sorted(p.parent.name for p in self.root.glob(f"*/{CATALOGUE}")))

    def catalogue(self, api: str) -> dict[str, Any]:
        """A copy of ``api``'s operation catalogue, as written (``statuskit.openapi`` checks it)."""
        if api not in self._catalogues:
            path = self.root / api / CATALOGUE
            try:
                catalogue = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                known = ", ".join(self.catalogued())
                raise UnknownSchemaError(
                    f"no operation catalogue for API {api!r}; known: {known}"
                ) from None
            except (OSError, ValueError) as exc:
                raise SchemaLoadError(f"{path}: unreadable operation catalogue: {exc}") from None
            self._catalogues[api] = _checked_catalogue(self.root, path, catalogue)
        return copy.deepcopy(self._catalogues[api])

    def definition(self, api: str, name: str, *, schema: str = "common") -> dict[str, Any]:
        """A copy of the named type ``name`` in ``api``'s ``schema``: an entry of its
        ``$defs``, else one of its top-level properties (``("tealium", "returnCode",
        schema="error")``)."""
        source = self._source(api, schema)
        for table in (source.get("$defs", {}), source.get("properties", {})):
            if name in table:
                return copy.deepcopy(dict(table[name]))
        raise UnknownSchemaError(f"{api}/{schema} defines no {name!r}")

    def enum(self, api: str, name: str, *, schema: str = "common") -> tuple[Any, ...]:
        """The values the named type ``name`` allows (see :meth:`definition`):
        ``registry.enum("thalamus", "state")``."""
        node = self.definition(api, name, schema=schema)
        if "enum" not in node:
            raise UnknownSchemaError(f"{api}/{schema} {name!r} is not an enum")
        return tuple(node["enum"])

    def _source(self, api: str, name: str) -> dict[str, Any]:
        try:
            return self._sources[api, name]
        except KeyError:
            known = ", ".join(f"{a}/{n}" for a, n in sorted(self._sources))
            raise UnknownSchemaError(f"no schema {api}/{name}; known: {known}") from None


def _load_sources(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    sources: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(root.glob("*/*.json")):
        if path.name == CATALOGUE:
            continue  # the API's operation catalogue: data about routes, not a schema
        api, name = path.parent.name, path.stem
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
        except (ValueError, SchemaError) as exc:
            raise SchemaLoadError(f"{path}: not a valid JSON Schema: {exc}") from None
        expected = f"{BASE_URI}{api}/{name}.json"
        if schema.get("$id") != expected:
            raise SchemaLoadError(f"{path}: $id must be {expected!r}")
        sources[api, name] = schema
    if not sources:
        raise SchemaLoadError(f"no schemas found under {root}")
    return sources


def _checked_catalogue(root: Path, path: Path, catalogue: Any) -> dict[str, Any]:
    """``catalogue`` if it meets ``schemas/operations.schema.json``; else the first way it
    does not, in one line."""
    try:
        shape = json.loads((root / CATALOGUE_SCHEMA).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaLoadError(f"{root / CATALOGUE_SCHEMA}: unreadable: {exc}") from None
    error = next(iter(Draft202012Validator(shape).iter_errors(catalogue)), None)
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise SchemaLoadError(f"{path}: {at}: {error.message}")
    return dict(catalogue)


@functools.cache
def default_registry() -> SchemaRegistry:
    """The registry of the kit's own schemas, loaded on first use and shared."""
    return SchemaRegistry()


def validate(api: str, name: str, instance: Any, *, strict: bool = True) -> list[Finding]:
    """Validate ``instance`` against a kit schema; return its findings (empty when valid)."""
    return default_registry().validate(api, name, instance, strict=strict)


def check(api: str, name: str, instance: Any, *, strict: bool = True) -> None:
    """Like :func:`validate`, but raise :class:`ContractViolation` on any finding."""
    default_registry().check(api, name, instance, strict=strict)

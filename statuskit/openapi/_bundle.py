"""Bundling the registry's strict schemas into ``components/schemas``.

The kit's schemas reach each other by relative ``$ref`` under an ``$id`` that never
resolves (``statuskit.invalid``). Peer tools follow ``#/components/...`` pointers far more
reliably than ``$id``-based resolution, so every schema a document uses is copied into its
components under ``<api>.<name>`` (a ``$defs`` entry under ``<api>.<name>.<def>``) and every
``$ref`` is rewritten to point there. Only the forms ``schemas/`` uses are accepted; any
other ``$ref`` fails loudly rather than produce a document that points nowhere.
"""

from __future__ import annotations

import re
from typing import Any

from statuskit.errors import SchemaLoadError
from statuskit.registry import SchemaRegistry
from statuskit.strictness import derive

__all__ = ["CATALOGUE_DEFS", "Bundler"]

#: The pseudo-schema name of a catalogue's own ``$defs`` (parameter types).
CATALOGUE_DEFS = "operations"
# The $ref forms of schemas/: "name.json", "../api/name.json", each optionally followed by
# "#/$defs/def", or "#/$defs/def" alone.
_REF = re.compile(
    r"^(?:(?:\.\./(?P<api>[a-z]+)/)?(?P<name>[a-z0-9-]+)\.json)?"
    r"(?:#/\$defs/(?P<def>[A-Za-z0-9_-]+))?$"
)
_MAPS = ("properties", "patternProperties", "$defs")
# Keywords that belong to a standalone schema file, not to a bundled component.
_FILE_ONLY = ("$id", "$schema", "$defs")


class Bundler:
    """Collects the components one document needs, at the strict level."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.components: dict[str, Any] = {}
        self._catalogue_defs: dict[str, dict[str, Any]] = {}

    def use_catalogue(self, api: str, catalogue: dict[str, Any]) -> None:
        """Make ``catalogue``'s ``$defs`` reachable as ``<api>.operations.<def>``."""
        self._catalogue_defs[api] = catalogue.get("$defs", {})

    def schema_ref(self, api: str, name: str) -> dict[str, str]:
        """A ``$ref`` to the whole schema ``api``/``name``, bundling it on first use."""
        return {"$ref": self._pointer(api, name, None)}

    def rewrite(self, schema: Any, api: str, name: str = CATALOGUE_DEFS) -> Any:
        """A strict copy of ``schema`` (written in ``api``/``name``) with bundled refs."""
        return self._rewrite(derive(schema, "strict"), api, name)

    def _rewrite(self, schema: Any, api: str, name: str) -> Any:
        if isinstance(schema, list):
            return [self._rewrite(item, api, name) for item in schema]
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self._resolve(value, api, name)
            elif key in _MAPS and isinstance(value, dict):
                # Keys here are property names, never keywords: walk only the values.
                out[key] = {k: self._rewrite(v, api, name) for k, v in value.items()}
            elif key.startswith("x-") or key in ("examples", "enum", "const", "default"):
                out[key] = value  # data, never a subschema: left as written
            else:
                out[key] = self._rewrite(value, api, name)
        return out

    def _resolve(self, ref: str, api: str, name: str) -> str:
        found = _REF.match(ref)
        if found is None or ref == "":
            raise SchemaLoadError(f"{api}/{name}: cannot bundle $ref {ref!r}")
        target_api = found["api"] or api
        target = found["name"] or name
        return self._pointer(target_api, target, found["def"])

    def _pointer(self, api: str, name: str, definition: str | None) -> str:
        key = f"{api}.{name}" if definition is None else f"{api}.{name}.{definition}"
        if key not in self.components:
            self.components[key] = {}  # reserved first: schemas may refer to each other
            self.components[key] = self._component(api, name, definition)
        return f"#/components/schemas/{key}"

    def _component(self, api: str, name: str, definition: str | None) -> dict[str, Any]:
        if name == CATALOGUE_DEFS:
            defs = self._catalogue_defs.get(api, {})
            if definition not in defs:
                raise SchemaLoadError(f"{api} catalogue: no $defs entry {definition!r}")
            return dict(self.rewrite(defs[definition], api))
        strict = self.registry.schema(api, name, strict=True)
        if definition is None:
            body = {k: v for k, v in strict.items() if k not in _FILE_ONLY}
        else:
            defs = strict.get("$defs", {})
            if definition not in defs:
                raise SchemaLoadError(f"{api}/{name}: no $defs entry {definition!r}")
            body = defs[definition]
        return dict(self._rewrite(body, api, name))

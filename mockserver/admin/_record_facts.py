"""What the lifecycles route says of each API's records, read from the schemas alone: the
documented states, which of them are terminal, and the row counters.

An API's record schema is the one its reference-client model reads (``LOCATION``: Thalamus's
``import-record``, Tealium's ``file-status``). The states are the ``enum`` of the type that
carries ``x-terminal-states``, found by walking the record schema to the object that holds
it (the record itself, or the latest entry of Tealium's ``status[]``). The counters are that
object's counts: its integer properties with a minimum of 0 and no maximum (ids start at 1,
timestamps have a maximum). Nothing here names a state or a field.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statuskit.client.models import FileStatus, ImportRecord
from statuskit.errors import SchemaLoadError
from statuskit.registry import SchemaRegistry

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["RECORD_SCHEMAS", "RecordFacts", "record_facts"]

#: The schema of each API's records: what its reference-client model reads.
RECORD_SCHEMAS: dict[str, str] = {
    model.LOCATION[0]: model.LOCATION[1] for model in (ImportRecord, FileStatus)
}
#: A step of :attr:`RecordFacts.holder` that means "the array's last item".
LAST = -1

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class RecordFacts:
    """One API's states, terminal states and counters, and where a body holds its counters."""

    states: tuple[str, ...]
    terminal: tuple[str, ...]
    counters: tuple[str, ...]
    #: The path from a body to the object holding the state: property names, and
    #: :data:`LAST` for an array's latest item.
    holder: Path

    def as_dict(self) -> dict[str, list[str]]:
        """The facts as the lifecycles answer gives them."""
        return {
            "states": list(self.states),
            "terminal": list(self.terminal),
            "counters": list(self.counters),
        }

    def counts(self, body: bytes) -> dict[str, int | None]:
        """Each counter's value in ``body``; ``None`` where the body does not show it (a
        Tealium file still downloading has no counts yet, and a body that is not JSON, as
        only a replay with the gate off can store, shows none)."""
        try:
            node: Any = json.loads(body)
        except ValueError:
            node = None
        for step in self.holder:
            if step == LAST:
                node = node[-1] if isinstance(node, list) and node else None
            else:
                node = node.get(step) if isinstance(node, dict) else None
        found = node if isinstance(node, dict) else {}
        return {name: _integer(found.get(name)) for name in self.counters}


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _deref(node: Any, resolver: Resolver[Any]) -> tuple[Any, Resolver[Any]]:
    """``node`` with its ``$ref`` followed (to the end), and the resolver of where it lives."""
    while isinstance(node, dict) and "$ref" in node:
        found = resolver.lookup(node["$ref"])
        node, resolver = found.contents, found.resolver
    return node, resolver


@dataclass(frozen=True)
class _Holder:
    path: Path
    node: dict[str, Any]
    resolver: Resolver[Any]
    state: dict[str, Any]


def _holder(node: Any, resolver: Resolver[Any], path: Path = ()) -> _Holder | None:
    """The object whose property has the terminal-states type: this one, or the first
    found below it (through properties and array items)."""
    node, resolver = _deref(node, resolver)
    if not isinstance(node, dict):
        return None
    props: dict[str, Any] = node.get("properties", {})
    for spec in props.values():
        target, _ = _deref(spec, resolver)
        if isinstance(target, dict) and "x-terminal-states" in target:
            return _Holder(path, node, resolver, target)
    for name, spec in props.items():
        child, where = _deref(spec, resolver)
        if not isinstance(child, dict):
            continue
        if child.get("type") == "array" and isinstance(child.get("items"), dict):
            found = _holder(child["items"], where, (*path, name, LAST))
        else:
            found = _holder(child, where, (*path, name))
        if found is not None:
            return found
    return None


def _is_count(spec: Any) -> bool:
    return (
        isinstance(spec, dict)
        and spec.get("type") == "integer"
        and spec.get("minimum") == 0
        and "maximum" not in spec
    )


@functools.lru_cache(maxsize=16)
def record_facts(registry: SchemaRegistry, api: str) -> RecordFacts:
    """``api``'s facts, read from ``registry`` once."""
    schema = RECORD_SCHEMAS[api]
    root = registry.registry.resolver().lookup(registry.uri(api, schema, strict=True))
    found = _holder(root.contents, root.resolver)
    if found is None:
        raise SchemaLoadError(f"{api}/{schema}: no property has a type with x-terminal-states")
    counters = tuple(
        name
        for name, spec in found.node.get("properties", {}).items()
        if _is_count(_deref(spec, found.resolver)[0])
    )
    return RecordFacts(
        states=tuple(str(s) for s in found.state["enum"]),
        terminal=tuple(str(s) for s in found.state["x-terminal-states"]),
        counters=counters,
        holder=found.path,
    )

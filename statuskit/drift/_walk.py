"""Walking the registry's strict schemas from a root to the rule a validation error broke.

jsonschema's ``absolute_schema_path`` passes through ``$ref`` without naming it, and the
annotations that matter (``x-kit-decision``, ``x-source``, ``x-secret``) sit both on a
property's own node and on the ``$ref`` targets behind it, so the walk keeps every node it
passes as a :class:`Hop`, with the file and JSON pointer it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from statuskit.registry import BASE_URI, SchemaRegistry

__all__ = ["Hop", "SchemaWalker", "json_path"]

_STRICT = f"{BASE_URI}strict/"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAPS = frozenset({"properties", "$defs", "patternProperties"})


def json_path(parts: Sequence[Any]) -> str:
    """``$.status[*].state`` from instance path parts: indices become ``[*]``, odd keys
    are quoted (``$.created_at['$date']``)."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += "[*]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


@dataclass(frozen=True)
class Hop:
    """One schema node on the way from the root to a rule: the node, the strict schema it
    is in (``base``), its JSON pointer there, and how it was reached (``root``,
    ``property``, ``items``, ``additional`` or ``ref``)."""

    node: Mapping[str, Any]
    base: str
    pointer: str
    via: str  # root, property, items, additional, ref

    @property
    def file(self) -> str:
        """The hand-written file: ``thalamus/common.json``."""
        return self.base.removeprefix(_STRICT)

    def rule(self, keyword: str | None = None) -> str:
        """Where a rule is written: ``thalamus/common.json#/$defs/count/type``."""
        suffix = f"/{keyword}" if keyword else ""
        return f"{self.file}#{self.pointer}{suffix}"


class SchemaWalker:
    """Navigation in one API's strict schemas."""

    def __init__(self, api: str, registry: SchemaRegistry) -> None:
        self.api = api
        self.registry = registry

    def contents(self, base: str) -> Mapping[str, Any]:
        """The schema registered under ``base``."""
        contents: Mapping[str, Any] = self.registry.registry.contents(base)
        return contents

    def follow(self, hop: Hop) -> Iterator[Hop]:
        """The ``$ref`` targets reached from ``hop``, in order."""
        while isinstance(hop.node.get("$ref"), str):
            target, fragment = urldefrag(urljoin(hop.base, hop.node["$ref"]))
            node: Any = self.contents(target)
            pointer = unquote(fragment)
            for part in pointer.split("/")[1:]:
                node = node[part.replace("~1", "/").replace("~0", "~")]
            hop = Hop(node, target, pointer, "ref")
            yield hop

    def root(self, schema: str) -> Hop:
        """The root of schema ``schema``, at the strict level."""
        base = self.registry.uri(self.api, schema, strict=True)
        return Hop(self.contents(base), base, "", "root")

    def chain(self, root: Hop, schema_path: Sequence[Any], keyword: str) -> list[Hop]:
        """The hops from ``root`` to the node holding ``keyword``, along a jsonschema
        ``absolute_schema_path`` (which passes through ``$ref`` without naming it)."""
        chain, hop, in_map = [root], root, False
        for part in [*schema_path, keyword]:
            while part not in hop.node and isinstance(hop.node.get("$ref"), str):
                hop = next(self.follow(hop))
                chain.append(hop)
            if part is keyword:
                break
            if in_map:
                hop = Hop(hop.node[part], hop.base, f"{hop.pointer}/{part}", "property")
                chain.append(hop)
                in_map = False
            elif part in ("items", "additionalProperties"):
                via = "items" if part == "items" else "additional"
                hop = Hop(hop.node[part], hop.base, f"{hop.pointer}/{part}", via)
                chain.append(hop)
            elif part in _MAPS:
                # Not a schema but a map of them: the next part names one.
                hop = Hop(hop.node[part], hop.base, f"{hop.pointer}/{part}", hop.via)
                in_map = True
        return chain

    def segment(self, chain: Sequence[Hop]) -> list[Hop]:
        """The subject's own node and its ``$ref`` targets: the last hop not reached by a
        ``$ref``, and every hop after it."""
        start = max(i for i, h in enumerate(chain) if h.via != "ref")
        return list(chain[start:])

    def root_kit(self, hop: Hop) -> bool:
        """Whether ``hop``'s file is a kit decision as a whole (an object envelope, such as
        the Thalamus list page): then so is every field of it."""
        root = self.contents(hop.base)
        return root.get("x-kit-decision") is True and root.get("type") == "object"

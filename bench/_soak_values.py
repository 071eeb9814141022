"""Values for generated requests, drawn once into pools from the schemas.

A parameter's schema in a catalogue is either a ``$ref`` into a registered schema (drawn
with :func:`statuskit.strategies.from_schema`), a ``$ref`` into the catalogue's own
``$defs``, or a small inline schema (an enum, a bounded integer, a string with a pattern or
lengths). Drawing with hypothesis costs milliseconds, so each pool is drawn once, seeded,
and requests pick from it: the soak's requests are as varied as the pools and as cheap as a
``random.choice``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from statuskit.strategies import from_schema

__all__ = ["garbage", "sample", "schema_strategy", "text"]

#: Query integers are held to this: a list page of a thousand records costs a second to
#: validate strictly, and would make the soak measure its own validator.
QUERY_INT_CAP = 50
_HEADER_SAFE = string.ascii_letters + string.digits + string.punctuation + " "


def sample(strategy: st.SearchStrategy[Any], n: int, at: int) -> list[Any]:
    """Up to ``n`` values drawn from ``strategy``, the same for the same seed ``at``."""
    drawn: list[Any] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(at)
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


def text(value: Any) -> str:
    """A drawn value as it travels in a query, a header, a path or a form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pointer(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_strategy(
    api: str, schema: Mapping[str, Any], catalogue: Mapping[str, Any], *, cap: int | None = None
) -> st.SearchStrategy[Any]:
    """Values of a catalogue's (parameter or body property) ``schema``; integers held to
    ``cap`` when given."""
    if "$ref" in schema:
        target, _, pointer = str(schema["$ref"]).partition("#")
        if not target:
            return schema_strategy(api, _pointer(catalogue, pointer), catalogue, cap=cap)
        path = PurePosixPath(target)
        owner = path.parent.name if path.parent.name not in ("", ".") else api
        return from_schema(owner, path.stem, pointer=pointer)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "integer":
        high = schema.get("maximum")
        if cap is not None and (high is None or high > cap):
            high = cap
        return st.integers(schema.get("minimum"), high)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 40)
        if "pattern" in schema:
            # Anchored patterns: draw against \Z, as statuskit.strategies does.
            pattern = re.sub(r"(?<!\\)\$$", r"\\Z", schema["pattern"])
            return st.from_regex(pattern).filter(lambda s: low <= len(s) <= high)
        return st.text(min_size=low, max_size=high)
    raise ValueError(f"the soak cannot draw values of the schema {dict(schema)!r}")


def garbage(header_safe: bool = False) -> st.SearchStrategy[str]:
    """Values no schema asked for: any text (printable ASCII where a header carries it),
    numbers out of every range, and the empty string."""
    chars = st.sampled_from(_HEADER_SAFE) if header_safe else st.characters(codec="utf-8")
    return st.one_of(
        st.text(chars, max_size=30),
        st.integers(-(2**70), 2**70).map(str),
        st.just(""),
    )

"""The two strictness levels, derived in code from the one hand-written schema.

* **strict** closes every object that declares ``properties`` (an unknown key is a
  violation) and keeps every ``enum`` (an unknown value is a violation). The mock is held
  to it, and drift detection measures against it.
* **tolerant** is a tolerant reader: objects stay open and enums are dropped, so an
  unknown key or state is kept as data. Types and required keys still hold. The client
  reads with it.

Objects that spell out their own ``additionalProperties`` (a map such as Thalamus's
``errors``) keep it in both levels, bar its enums in the tolerant one.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["STRICTNESS_LEVELS", "Strictness", "derive"]

Strictness = Literal["strict", "tolerant"]
STRICTNESS_LEVELS: tuple[Strictness, ...] = ("strict", "tolerant")

# Keywords whose value is one subschema, or a map or list of them, to walk into.
_SUBSCHEMA = ("additionalProperties", "items", "propertyNames", "not", "contains")
_SUBSCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def derive(schema: Any, level: Strictness) -> Any:
    """Return a copy of ``schema`` at the given strictness level; the input is untouched."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SUBSCHEMA:
            out[key] = derive(value, level)
        elif key in _SUBSCHEMA_MAPS:
            out[key] = {name: derive(sub, level) for name, sub in value.items()}
        elif key in _SUBSCHEMA_LISTS:
            out[key] = [derive(sub, level) for sub in value]
        else:
            out[key] = value
    if level == "strict":
        if "properties" in out:
            out.setdefault("additionalProperties", False)
    else:
        out.pop("enum", None)
        if out.get("additionalProperties") is False:
            del out["additionalProperties"]
    return out

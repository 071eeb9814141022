"""Short, human descriptions of what a schema expects and of what was observed.

Every observed value passes through here before it reaches a finding, so this is where
secrets are kept out: a value under an ``x-secret`` schema or a credential-named key is
shown as its type only, and :class:`Redactor` masks any known credential value anywhere.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from statuskit.registry import SchemaRegistry
from statuskit.secrets import REDACTED, Secret
from statuskit.wire import STRAY_SECRET_NAMES, secret_names

__all__ = ["Redactor", "describe_schema", "describe_value", "json_type", "secret_keys"]


@functools.cache
def secret_keys(registry: SchemaRegistry) -> frozenset[str]:
    """Keys whose values are credentials wherever they appear (bodies, queries, cookies),
    lower-cased: every API's secret names (:func:`statuskit.wire.secret_names`), and the
    names a confused client might send one under."""
    names = (*secret_names(registry=registry), *STRAY_SECRET_NAMES)
    return frozenset(name.lower() for name in names)


_MAX_VALUE = 40
_MAX_ENUM = 6


def json_type(value: Any) -> str:
    """The JSON type of a parsed value, as JSON Schema names it (``1.0`` is an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def describe_value(value: Any, *, secret: bool = False) -> str:
    """``string "576"``, ``integer 5``, ``null``, ``object (3 keys)``; a secret shows as
    ``string ***``."""
    kind = json_type(value)
    if secret and value is not None:
        return f"{kind} {REDACTED}"
    if kind in ("null",):
        return "null"
    if kind == "string":
        return f"string {_short(json.dumps(value, ensure_ascii=False))}"
    if kind in ("integer", "number", "boolean"):
        return f"{kind} {_short(json.dumps(value))}"
    if kind == "array":
        return f"array ({len(value)} item{'s' if len(value) != 1 else ''})"
    return f"object ({len(value)} key{'s' if len(value) != 1 else ''})"


def _enum_text(values: Sequence[Any]) -> str:
    shown = [json.dumps(v) if not isinstance(v, str) else v for v in values]
    if len(shown) > _MAX_ENUM:
        shown = [*shown[: _MAX_ENUM - 1], f"… ({len(values)} values)"]
    return "one of " + ", ".join(shown)


def describe_schema(nodes: Iterable[Mapping[str, Any]]) -> str:
    """What a property's schema allows, from its own node and its ``$ref`` targets:
    ``integer >= 0``, ``string (date-time)``, ``one of WAITING, PROCESSING, …``."""
    merged: dict[str, Any] = {}
    for node in nodes:
        for key, value in node.items():
            merged.setdefault(key, value)
    if "const" in merged:
        return f"exactly {json.dumps(merged['const'])}"
    types = merged.get("type")
    names = [types] if isinstance(types, str) else list(types or ["any"])
    if "enum" in merged:
        text = _enum_text([v for v in merged["enum"]])
        return text + (" or null" if "null" in names and None not in merged["enum"] else "")
    text = " or ".join(names)
    details = []
    if "format" in merged:
        details.append(merged["format"])
    if "pattern" in merged and "format" not in merged:
        details.append(f"matching {merged['pattern']}")
    if "minimum" in merged:
        details.append(f">= {merged['minimum']}")
    if "maximum" in merged:
        details.append(f"<= {merged['maximum']}")
    if "minLength" in merged and merged["minLength"] > 0:
        details.append(f"length >= {merged['minLength']}")
    if "maxLength" in merged:
        details.append(f"length <= {merged['maxLength']}")
    if "maxItems" in merged:
        details.append(f"at most {merged['maxItems']} items")
    return f"{text} ({', '.join(details)})" if details else text


class Redactor:
    """Masks known credential values in any text: the tokens, passwords, keys, session
    cookies and utks of one run, as they become known."""

    def __init__(
        self, secrets: Iterable[str | Secret | None] = (), *, public: Iterable[str] = ()
    ) -> None:
        self._values: set[str] = set()
        self._public = frozenset(public)
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | Secret | None) -> None:
        """Remember one more value to mask. Very short values and ``public`` ones (the kit's
        published defaults, such as the password ``statuskit``) are not masked: hiding
        them protects nothing and would garble every text that contains the word."""
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= 4 and value not in self._public:
            self._values.add(value)

    def __call__(self, text: str) -> str:
        # Longest first, so a secret containing another is masked whole.
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._values)} values)"

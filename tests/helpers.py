"""Helpers for the kit's own tests: walking schemas and instances, running the command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from statuskit.registry import default_registry

REGISTRY = default_registry()
# Every (api, name) pair, for parametrising at import time.
SCHEMAS = list(REGISTRY)


def subschemas(schema: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ``schema`` with a JSON-pointer-like location."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for key in ("additionalProperties", "items", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield from subschemas(schema[key], f"{where}/{key}")
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from subschemas(sub, f"{where}/{key}/{name}")


def key_paths(instance: Any, key: str, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in ``instance`` that ends in an object key named ``key``."""
    if isinstance(instance, dict):
        for k, v in instance.items():
            if k == key:
                yield (*path, k)
            yield from key_paths(v, key, (*path, k))
    elif isinstance(instance, list):
        for i, v in enumerate(instance):
            yield from key_paths(v, key, (*path, i))


def set_at(instance: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set the value at ``path`` inside ``instance``, in place."""
    for part in path[:-1]:
        instance = instance[part]
    instance[path[-1]] = value


def statuskit(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m statuskit ARGS`` in ``cwd``, with ``env`` added to this environment."""
    return subprocess.run(
        [sys.executable, "-m", "statuskit", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )

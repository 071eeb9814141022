"""statuskit: contract tests, fake upstreams and drift detection for two file-import status
APIs, Thalamus v4 and Tealium Omnichannel, all derived from one set of JSON Schemas.

Names are imported lazily, so ``import statuskit`` (and the pytest plugin) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statuskit.errors import (
        ContractViolation,
        SchemaLoadError,
        StatuskitError,
        UnknownSchemaError,
    )
    from statuskit.findings import Finding
    from statuskit.registry import SchemaRegistry, check, default_registry, validate

__version__ = "0.1.0"

__all__ = [
    "ContractViolation",
    "Finding",
    "SchemaLoadError",
    "SchemaRegistry",
    "StatuskitError",
    "UnknownSchemaError",
    "__version__",
    "check",
    "default_registry",
    "validate",
]

_LAZY = {
    "ContractViolation": "statuskit.errors",
    "SchemaLoadError": "statuskit.errors",
    "StatuskitError": "statuskit.errors",
    "UnknownSchemaError": "statuskit.errors",
    "Finding": "statuskit.findings",
    "SchemaRegistry": "statuskit.registry",
    "check": "statuskit.registry",
    "default_registry": "statuskit.registry",
    "validate": "statuskit.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'statuskit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)

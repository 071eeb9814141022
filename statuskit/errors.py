"""Every exception statuskit raises, in one tree.

Usage errors also subclass the builtin a Python programmer would reach for, and contract
failures subclass :class:`AssertionError`, so pytest reports them as test failures rather
than as errors::

    StatuskitError
     ├── UnknownSchemaError (LookupError)    no schema of that API and name
     ├── SchemaLoadError (ValueError)        the schemas or fixtures folder is missing or broken
     ├── ConfigError (ValueError)            a setting, option or config file is wrong
     └── ContractViolation (AssertionError)  an instance broke its schema
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statuskit.findings import Finding

__all__ = [
    "ConfigError",
    "ContractViolation",
    "SchemaLoadError",
    "StatuskitError",
    "UnknownSchemaError",
]


class StatuskitError(Exception):
    """The root of every error statuskit raises.

    ``request`` and ``response`` are keyword-only and optional: errors raised while talking
    to a server carry the exchange that caused them, as httpx's errors do.
    """

    def __init__(self, message: str, *, request: Any = None, response: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.response = response

    def __str__(self) -> str:
        return self.message


class UnknownSchemaError(StatuskitError, LookupError):
    """No schema is registered under that API and name."""


class SchemaLoadError(StatuskitError, ValueError):
    """The schemas or fixtures could not be found or are not valid."""


class ConfigError(StatuskitError, ValueError):
    """A setting, command-line option or config file is wrong."""


class ContractViolation(StatuskitError, AssertionError):
    """An instance does not conform to its schema.

    ``findings`` lists every violation, each with its JSON path and schema path.
    """

    def __init__(
        self,
        message: str,
        *,
        findings: Sequence[Finding] = (),
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.findings = tuple(findings)

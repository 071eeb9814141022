"""Structured validation findings, built from jsonschema's errors without leaking secrets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jsonschema import ValidationError

__all__ = ["Finding", "findings_from_errors", "one_line"]

# Long instance reprs make unreadable one-line messages; the JSON path says where to look.
_MAX_MESSAGE = 200


@dataclass(frozen=True, slots=True)
class Finding:
    """One way an instance breaks its schema.

    ``path`` is a JSON path into the instance (``$.owner.entityType``), ``schema_path`` a
    JSON pointer into the schema (``/properties/owner/properties/entityType/enum``), and
    ``keyword`` the JSON Schema keyword that failed.
    """

    path: str
    schema_path: str
    keyword: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} (schema {self.schema_path})"


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if schema.get("x-secret"):
        # The schema marks this value as a credential: name the rule, never the value.
        return f"secret value violates {error.validator!r}"
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message


def _pointer(parts: Iterable[object]) -> str:
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(escaped)


def findings_from_errors(errors: Iterable[ValidationError]) -> list[Finding]:
    """Turn jsonschema errors into findings, sorted by where they occur."""
    found = [
        Finding(
            path=error.json_path,
            schema_path=_pointer(error.absolute_schema_path),
            keyword=str(error.validator),
            message=_message(error),
        )
        for error in errors
    ]
    return sorted(found, key=lambda finding: (finding.path, finding.schema_path))


def one_line(findings: list[Finding], root: str) -> str:
    """The first finding as one line starting with the field's JSON path (``root`` for the
    whole document), and how many more there are: the message of an input's 400."""
    first = findings[0]
    where = first.path.removeprefix("$").removeprefix(".") or root
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return f"{where}: {first.message}{more}"

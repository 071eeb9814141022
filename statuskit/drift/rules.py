"""The severity rules: which kind of difference is how bad, as ``docs/drift.md`` states them.

A severity says what a consumer risks, not who is to blame: a kit decision that turns out
wrong breaks code written against the kit just as a vendor change breaks code written
against the docs. Whether the broken rule was documented is reported beside it
(``documented``), not folded into the severity.
"""

from __future__ import annotations

from collections.abc import Mapping

from statuskit.drift.model import Kind, Severity

__all__ = ["BASE_SEVERITY", "PARSED_KEYWORDS", "severity_of"]

#: Each kind's severity, before the refinements in :func:`severity_of`.
BASE_SEVERITY: Mapping[Kind, Severity] = {
    # A consumer reading the field, or switching on the status or the auth outcome, fails.
    "field-removed": "breaking",
    "type-changed": "breaking",
    "nullability-changed": "breaking",
    "status-code-changed": "breaking",
    "auth-behaviour-changed": "breaking",
    "error-shape-changed": "breaking",
    # Consumers switch on states: an unknown one reaches a default branch, or none.
    "enum-value-added": "warning",
    "format-changed": "warning",
    "header-changed": "warning",
    # Nothing that worked stops working.
    "field-added": "info",
    "enum-value-removed": "info",
    # What an application sent (statuskit proxy): a request without a credential of its
    # operation, or with a parameter outside its schema, is refused by a conforming API.
    "request-credential-missing": "breaking",
    "request-invalid": "breaking",
    # The API may ignore it today, or answer it differently tomorrow: nothing vouches for it.
    "request-undocumented-parameter": "warning",
    "request-undocumented-route": "warning",
}

#: Keywords whose values a consumer parses (dates, hex ids): breaking such a rule breaks the
#: parser, where a bound (``maximum``, ``maxItems``) only says the data grew.
PARSED_KEYWORDS = frozenset({"format", "pattern"})


def severity_of(
    kind: Kind, *, documented: bool, keyword: str | None = None, value_only: bool = False
) -> Severity:
    """The severity of one finding.

    * ``format-changed`` is breaking when a documented ``format`` or ``pattern`` broke
      (the value no longer parses), else a warning;
    * ``error-shape-changed`` is a warning when the body keeps its shape and only the code
      or message differs (``value_only``), else breaking;
    * ``enum-value-removed`` is a warning when the missing value is documented, else info
      (it is only reported over many samples: a rare state may just not have occurred).
    """
    if kind == "format-changed":
        return "breaking" if documented and keyword in PARSED_KEYWORDS else "warning"
    if kind == "error-shape-changed" and value_only:
        return "warning"
    if kind == "enum-value-removed":
        return "warning" if documented else "info"
    return BASE_SEVERITY[kind]

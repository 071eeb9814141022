"""Each response's error cases, as the catalogue writes them, for the exported document.

OpenAPI can say that an operation answers 400 but not which request makes which 400, nor
whether the vendor documents it or the kit decided it. The catalogue says both
(:mod:`statuskit.catalogue`), so each response carries its cases in
``x-statuskit-error-cases``: the case's name, its code, the change to a valid request that
triggers it, and its provenance with the source. A tool or a reader then knows what a
live target must match (documented) and what it may answer otherwise (a kit decision).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statuskit.catalogue import CaseRequest, ErrorCase, Operation

__all__ = ["EXTENSION", "by_status", "case_json", "request_json"]

#: The response extension holding its error cases.
EXTENSION = "x-statuskit-error-cases"


def request_json(request: CaseRequest) -> dict[str, Any]:
    """The request delta as the catalogue writes it, without the parts it leaves alone."""
    out: dict[str, Any] = {}
    for key, value in (
        ("credentials", request.credentials),
        ("path", request.path),
        ("query", request.query),
        ("headers", request.headers),
    ):
        if value:
            out[key] = dict(value)
    if request.body is not None:
        out["body"] = dict(request.body)
    if request.logged_in:
        out["loggedIn"] = True
    if request.repeat != 1:
        out["repeat"] = request.repeat
    return out


def _provenance(documented: bool) -> str:
    return "documented" if documented else "kit"


def case_json(op: Operation, case: ErrorCase) -> dict[str, Any]:
    """One case of ``op`` for the document. ``codeProvenance`` differs from ``provenance``
    where a documented status carries a body whose shape is a kit decision (Tealium's 404)."""
    status_documented, code_documented = op.documented(case)
    out: dict[str, Any] = {"name": case.name}
    if case.code is not None:
        out["code"] = case.code
    out["provenance"] = _provenance(status_documented)
    out["codeProvenance"] = _provenance(code_documented)
    out["source"] = case.provenance.source
    out["request"] = request_json(case.request)
    if case.note:
        out["note"] = case.note
    if case.requires is not None:
        out["requires"] = case.requires
    if case.mock_only:
        out["mockOnly"] = True
    return out


def by_status(op: Operation, entry: Mapping[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """The error cases of one route (``entry``, a catalogue operation) of ``op``, by status.

    A logical operation's routes may differ in their cases (Tealium's v1 session against
    v2's bearer), so the route's own ``errors`` list says which cases it has; ``op`` says
    what each case is.
    """
    out: dict[int, list[dict[str, Any]]] = {}
    for case in op.cases_on(entry["operationId"]):
        out.setdefault(case.status, []).append(case_json(op, case))
    return out

"""Every error case of the operation catalogues (``schemas/<api>/operations.json``), sent as
the catalogue writes its request and checked against its status, its code and its body's
schema.

Nothing here is listed by hand: a case added to a catalogue is a test here, and a case's
provenance decides how a difference is reported. A kit-decision case carries the
``kit_decision`` mark; within a documented case, a status that differs is a failure, and a
code that differs is one only where the docs vouch for the code too
(:func:`statuskit.contracts.cases.check_case`). Cases a mock alone may answer (a lockout)
run on a mock only, cases that need a setting skip without it, and a case of an operation
that writes (an upload) is a ``writes`` test.
"""

from __future__ import annotations

from typing import Any

import pytest

from statuskit.catalogue import ErrorCase, Operation
from statuskit.contracts.cases import check_case, suite_cases
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.credentials import variable


def _marks(op: Operation, case: ErrorCase) -> list[Any]:
    marks: list[Any] = [pytest.mark.contract_api(op.api)]
    if case.kit:
        marks.append(pytest.mark.kit_decision)
    if case.mock_only:
        marks.append(pytest.mark.mock_only)
    if op.method not in ("GET", "HEAD") and not op.session:
        marks.append(pytest.mark.writes)
    return marks


def _id(op: Operation, case: ErrorCase, template: str) -> str:
    route = f"-{template.split('/')[1]}" if len(op.templates) > 1 else ""
    return f"{op.api}-{op.name}-{case.name}{route}".replace(" ", "-")


CASES = [
    pytest.param(
        op.api, op.name, case.name, template, id=_id(op, case, template), marks=_marks(op, case)
    )
    for op, case, template in suite_cases()
]


@pytest.mark.parametrize(("api", "name", "key", "template"), CASES)
def test_an_error_case_is_answered_as_the_catalogue_says(
    contract: ContractTarget,
    raw: Raw,
    request: pytest.FixtureRequest,
    api: str,
    name: str,
    key: str,
    template: str,
) -> None:
    op = contract.op(api, name)
    case = op.case(key)
    if case.mock_only:
        # The mock fixture skips elsewhere, and resets the mock before and after the case.
        request.getfixturevalue("mock")
    if case.requires is not None and raw.setting(case.requires) is None:
        reason = f" ({case.note})" if case.note else ""
        pytest.skip(f"{op} {case}{reason}: set {variable(case.requires)}")
    check_case(op, case, raw.send_case(op, case, template))

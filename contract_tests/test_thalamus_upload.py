"""Thalamus ``POST /api/v4/import/file``: an upload answers the new record, waiting; its
refusals and the record's details are kit decisions (docs/wire.md, Imports). The refusals
are the catalogue's error cases (``contract_tests/test_error_cases.py``).

Every test here creates imports, so against a target off this machine they need
``--contract-allow-writes``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, expect_case, kit
from statuskit.client import ThalamusClient
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.registry import default_registry

pytestmark = [pytest.mark.contract_api("thalamus"), pytest.mark.writes]
UPLOAD = "/api/v4/import/file"
TYPES = default_registry().enum("thalamus", "importType")
CONTENT = b"sku,qty\n1,2\n"


def _upload(
    raw: Raw,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    session: bool = True,
    **options: Any,
) -> Any:
    query, sent = raw.thalamus_client()
    if session:
        sent["Cookie"] = raw.thalamus_session()
    if files is not None:
        options["files"] = files
    return raw.send(
        "POST",
        UPLOAD,
        params={**query, **(params or {})},
        headers={**sent, **(headers or {})},
        **options,
    )


def _file(name: str = "stock.xlsx") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, CONTENT, "application/octet-stream")}


def _check(contract: ContractTarget, answer: Any, status: int | None = None) -> Any:
    return check(contract, "thalamus", "upload", answer, status)


@pytest.mark.parametrize("where", ["query", "header"])
def test_an_upload_answers_the_new_record_waiting(
    contract: ContractTarget, raw: Raw, where: str
) -> None:
    fields = {"name": "statuskit-contract", "type": str(TYPES[0])}
    placed = {"params": fields} if where == "query" else {"headers": fields}
    record = _check(contract, _upload(raw, files=_file(), **placed), 200)  # type: ignore[arg-type]
    assert record["state"] == "WAITING"


def test_the_reference_client_uploads(thalamus_client: ThalamusClient) -> None:
    record = thalamus_client.upload(CONTENT, "statuskit-contract", TYPES[-1], filename="s.xlsx")
    assert record.state == "WAITING"
    assert thalamus_client.get_status(record.id).id == record.id


# -- kit decisions -----------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_the_new_record_describes_the_upload(contract: ContractTarget, raw: Raw) -> None:
    name = "contrôle 100%/x"
    params = {"name": name, "type": str(TYPES[1])}
    record = _check(contract, _upload(raw, params=params, files=_file(name + ".xlsx")), 200)
    assert (record["name"], record["fileName"]) == (name, name + ".xlsx")
    assert (record["fileSize"], record["owner"]["entityType"]) == (len(CONTENT), TYPES[1])
    assert record["creationDate"] == record["importDate"] == record["modificationDate"]
    counters = ("rows", "rowsOk", "rowsWithErrors", "rowsSkipped", "totalToProcess")
    assert all(record[c] == 0 for c in counters)
    assert record["url"].endswith("/" + quote(name + ".xlsx", safe=""))


@pytest.mark.kit_decision
def test_the_query_wins_over_a_header(contract: ContractTarget, raw: Raw) -> None:
    params = {"name": "from-the-query", "type": str(TYPES[0])}
    headers = {"name": "from-a-header", "type": "12345"}
    record = _check(contract, _upload(raw, params=params, headers=headers, files=_file()), 200)
    assert record["name"] == "from-the-query"


# -- generated uploads -------------------------------------------------------------------------


@given(
    name=st.text(min_size=0, max_size=60),
    file_name=st.text(min_size=1, max_size=60),
    import_type=st.sampled_from(TYPES) | st.integers(-5, 99999),
)
def test_generated_uploads(
    contract: ContractTarget, raw: Raw, name: str, file_name: str, import_type: int
) -> None:
    params = {"name": name, "type": str(import_type)}
    answer = _upload(raw, params=params, files=_file(file_name))
    record = _check(contract, answer)
    client_agrees(contract.op("thalamus", "upload"), answer)
    if not name or import_type not in TYPES:
        # The first refusal in the kit's order: the name (empty counts as missing), the type.
        refused = "name:Required" if not name else "type:InvalidCode"
        expect_case(contract, "thalamus", "upload", refused, answer)
        return
    assert answer.status_code == 200
    assert record["state"] == "WAITING"
    kit(record["name"] == name, "an upload's record keeps its name as sent")

"""Thalamus ``POST /api/v4/import/file``: an upload answers the new record, waiting; its
refusals and the record's details are kit decisions (docs/wire.md, Imports).

Every test here creates imports, so against a target off this machine they need
``--contract-allow-writes``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, kit, thalamus_errors
from statuskit.client import ThalamusClient
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.registry import default_registry

pytestmark = [pytest.mark.contract_api("thalamus"), pytest.mark.writes]
UPLOAD = "/api/v4/import/file"
TYPES: list[int] = default_registry().source("thalamus", "common")["$defs"]["importType"]["enum"]
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


def test_an_upload_needs_a_session(contract: ContractTarget, raw: Raw) -> None:
    params = {"name": "statuskit-contract", "type": str(TYPES[0])}
    _check(contract, _upload(raw, params=params, files=_file(), session=False), 401)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"touchpoint": None}, {"partnerDataSource": "TouchpointCodeRequired"}),
        ({"touchpoint": "statuskit-no-such"}, {"partnerDataSource": "InvalidTouchpointCode"}),
        ({"token": None}, {"token": "Required"}),
        ({"token": "statuskit-wrong-token"}, {"token": "InvalidToken"}),
    ],
)
def test_an_upload_checks_touchpoint_and_token(
    contract: ContractTarget, raw: Raw, change: dict[str, str | None], code: dict[str, str]
) -> None:
    valid = {"touchpoint": raw.thalamus.touchpoint, "token": raw.thalamus.token.reveal()}
    sent = {**valid, **change}
    params, headers = raw.placed(sent["touchpoint"], sent["token"])
    headers["Cookie"] = raw.thalamus_session()
    params.update(name="statuskit-contract", type=str(TYPES[0]))
    answer = raw.send("POST", UPLOAD, params=params, headers=headers, files=_file())
    _check(contract, answer, 400)
    assert thalamus_errors(answer) == code


# -- kit decisions -----------------------------------------------------------------------------


@pytest.mark.kit_decision
@pytest.mark.parametrize(
    ("params", "body", "code"),
    [
        ({"type": "25012"}, "file", {"name": "Required"}),
        ({"name": "n"}, "file", {"type": "Required"}),
        ({"name": "n", "type": "12345"}, "file", {"type": "InvalidCode"}),
        ({"name": "n", "type": "25012"}, "json", {"body": "UnsupportedMediaType"}),
        ({"name": "n", "type": "25012"}, "other-part", {"file": "Required"}),
    ],
)
def test_a_refused_upload_names_what_is_wrong(
    contract: ContractTarget, raw: Raw, params: dict[str, str], body: str, code: dict[str, str]
) -> None:
    if body == "file":
        answer = _upload(raw, params=params, files=_file())
    elif body == "json":
        answer = _upload(raw, params=params, json={"file": "x"})
    else:
        answer = _upload(raw, params=params, files={"other": ("x.csv", CONTENT, "text/csv")})
    _check(contract, answer, 400)
    assert thalamus_errors(answer) == code


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
    valid = bool(name) and import_type in TYPES
    assert answer.status_code == (200 if valid else 400)
    if answer.status_code == 200:
        assert record["state"] == "WAITING"
        kit(record["name"] == name, "an upload's record keeps its name as sent")

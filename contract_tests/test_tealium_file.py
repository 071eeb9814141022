"""Tealium ``GET .../files/{name}`` (v1): the documented status, the 150-character limit,
and variants of the session checks; the catalogue's cases (an unknown file, a forbidden
account...) are sent by ``contract_tests/test_error_cases.py`` (docs/wire.md, Files)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._support import check, expect_case, file_names, kit, tealium_error
from statuskit.client import TealiumClient
from statuskit.contracts.checks import client_agrees
from statuskit.contracts.raw import Raw
from statuskit.contracts.target import ContractTarget
from statuskit.errors import InvalidArgumentError

pytestmark = pytest.mark.contract_api("tealium")
UNKNOWN = "statuskit-no-such-file.csv"
TOO_LONG = "File name exceeds 150 chars"
NOT_FOUND = "Supplied file name not found"


def _get(raw: Raw, name: str, **options: Any) -> Any:
    return raw.tealium_get(raw.files_path(1, name=name), **options)


def _check(contract: ContractTarget, answer: Any, status: int | None = None) -> Any:
    return check(contract, "tealium", "get-file-status", answer, status)


def _named(length: int, char: str = "a") -> str:
    return (char * length)[: length - 4] + ".csv"


def test_known_files_answer_the_strictly_valid_status(
    contract: ContractTarget, raw: Raw, file_names: tuple[str, ...]
) -> None:
    for name in file_names:
        body = _check(contract, _get(raw, name), 200)
        assert body["file"]["name"] == name


def test_the_reference_client_reads_every_known_file(
    tealium_client: TealiumClient, file_names: tuple[str, ...]
) -> None:
    for name in file_names:
        assert tealium_client.get_file_status(name).file.name == name


def test_a_name_of_150_characters_is_accepted(contract: ContractTarget, raw: Raw) -> None:
    answer = _get(raw, _named(150))
    _check(contract, answer)
    assert answer.status_code in (200, 404), "150 characters are allowed: never a 400"


def test_a_name_of_151_characters_is_400(contract: ContractTarget, raw: Raw) -> None:
    # The catalogue's case sends 151 letters; this name ends in .csv, as the docs ask.
    answer = _get(raw, _named(151))
    expect_case(contract, "tealium", "get-file-status", "nameTooLong", answer)
    kit(tealium_error(answer) == (400, TOO_LONG), "the 400's body is {returnCode: 400, message}")


@pytest.mark.parametrize("where", ["utk", "cookie"])
@pytest.mark.parametrize("how", ["missing", "wrong"])
def test_a_missing_or_wrong_half_of_the_session_is_a_bad_session(
    contract: ContractTarget, raw: Raw, where: str, how: str
) -> None:
    # The catalogue's case sends both halves wrong; here the other half is right.
    value = "" if how == "missing" else "statuskit-wrong"
    if where == "cookie" and how == "wrong":
        value = "JSESSIONID=statuskit-wrong"
    answer = _get(raw, UNKNOWN, **{where: value})
    expect_case(contract, "tealium", "get-file-status", "badSession", answer)


def test_the_reference_client_refuses_151_characters_before_sending(
    contract: ContractTarget, tealium_client: TealiumClient
) -> None:
    sent = contract.transport.count
    with pytest.raises(InvalidArgumentError, match="150"):
        tealium_client.get_file_status(_named(151))
    assert contract.transport.count == sent


# -- kit decisions ---------------------------------------------------------------------------


@pytest.mark.kit_decision
def test_the_404_body_carries_the_documented_message(contract: ContractTarget, raw: Raw) -> None:
    answer = _get(raw, UNKNOWN)
    _check(contract, answer, 404)
    assert tealium_error(answer) == (404, NOT_FOUND)


@pytest.mark.kit_decision
@pytest.mark.parametrize("char", ["é", "😀"])
def test_the_limit_counts_code_points_not_bytes(
    contract: ContractTarget, raw: Raw, char: str
) -> None:
    # 150 code points, sent percent-encoded as two or four bytes each.
    answer = _get(raw, _named(150, char))
    _check(contract, answer, 404)
    _check(contract, _get(raw, _named(151, char)), 400)


@pytest.mark.kit_decision
def test_a_name_with_a_slash_is_looked_up_and_not_found(contract: ContractTarget, raw: Raw) -> None:
    answer = _get(raw, "a/b.csv")
    _check(contract, answer, 404)
    assert tealium_error(answer) == (404, NOT_FOUND)


# -- generated requests ----------------------------------------------------------------------

_SESSION = st.sampled_from(["valid", "missing", "wrong"])


@given(data=st.data(), utk=_SESSION, cookie=_SESSION)
def test_generated_file_requests(
    contract: ContractTarget, raw: Raw, data: st.DataObject, utk: str, cookie: str
) -> None:
    name = data.draw(file_names(contract.resources.files), label="name")
    wrong = {"utk": "statuskit-wrong", "cookie": "JSESSIONID=statuskit-wrong"}
    sent = {
        where: None if choice == "valid" else "" if choice == "missing" else wrong[where]
        for where, choice in (("utk", utk), ("cookie", cookie))
    }
    answer = _get(raw, name, **sent)
    _check(contract, answer)
    client_agrees(contract.op("tealium", "get-file-status"), answer)
    if "\0" in name:
        # [KIT] Left open: the docs say nothing of U+0000 in a name, and servers and
        # balancers (nginx, Tomcat) refuse %00 in a path with a 400 before any route sees it.
        return
    if utk != "valid" or cookie != "valid":
        expect_case(contract, "tealium", "get-file-status", "badSession", answer)
    elif len(name) > 150:
        assert answer.status_code == 400, "over 150 characters: 400"
    else:
        assert answer.status_code in (200, 404), "150 characters or fewer: never a 400"

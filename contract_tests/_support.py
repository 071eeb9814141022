"""What the contract suites share: expectations about one answer, and the strategies of
their generated requests.

Generated credentials are *choices* (``"valid"``, ``"missing"``, ``"wrong"``...), resolved
to values inside the test: a falsifying example then prints the choice, never a secret.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import strategies as st

from statuskit.contracts.cases import check_case, credential_case
from statuskit.contracts.checks import check_answer
from statuskit.contracts.routing import DOT_SEGMENTS, segment_value, siblings
from statuskit.contracts.target import ContractTarget
from statuskit.errors import KitDecisionDiffers
from statuskit.strategies import from_schema

__all__ = [
    "CHOICES",
    "check",
    "credential_error",
    "dates",
    "expect_case",
    "file_names",
    "kit",
    "status_path",
    "tealium_error",
    "thalamus_errors",
    "thalamus_ids",
    "wrong_values",
]

#: A credential is sent valid, left out, sent empty, or sent wrong.
CHOICES = ("valid", "missing", "empty", "wrong")
#: Printable ASCII without spaces: what survives a header and a query alike.
_TOKEN_ALPHABET = string.ascii_letters + string.digits + string.punctuation


def check(
    contract: ContractTarget,
    api: str,
    name: str,
    response: httpx.Response,
    status: int | None = None,
) -> Any:
    """Check the answer against its operation's contract (documented status, no 5xx, the
    status's strict schema); then, when given, that the status is ``status``. Returns the
    parsed body."""
    body = check_answer(contract.op(api, name), response)
    if status is not None:
        got = response.status_code
        assert got == status, f"{api} {name}: expected {status}, the target answered {got}"
    return body


def expect_case(
    contract: ContractTarget, api: str, name: str, key: str, response: httpx.Response
) -> Any:
    """Check that ``response`` is the catalogue's error case ``key`` of ``api``/``name``
    (its status, code and body), the case's provenance deciding whether a difference is a
    failure or a kit decision that differs (:func:`~statuskit.contracts.cases.check_case`).
    Returns the parsed body."""
    op = contract.op(api, name)
    return check_case(op, op.case(key), response)


def credential_error(
    contract: ContractTarget, api: str, name: str, credential: str, *, missing: bool
) -> str:
    """The key of the catalogue's case of ``api``/``name`` that leaves ``credential`` out
    (``missing``) or sends it wrong."""
    case = credential_case(contract.op(api, name), credential, missing=missing)
    if case is None:
        raise LookupError(f"{api} {name} has no case for a {credential} left out or wrong")
    return case.name


def kit(condition: bool, message: str) -> None:
    """Assert a kit decision inside a test of documented behaviour: a failure is a
    :class:`~statuskit.errors.KitDecisionDiffers`, which a live run reports apart."""
    if not condition:
        raise KitDecisionDiffers(f"kit decision: {message}")


def tealium_error(response: httpx.Response) -> tuple[Any, Any]:
    """``(returnCode, message)`` of a Tealium error answer (``None`` where absent)."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    return body.get("returnCode"), body.get("message")


def status_path(import_id: int | str) -> str:
    """``/api/v4/import/status/{id}``, the id percent-encoded as one segment."""
    return f"/api/v4/import/status/{quote(str(import_id), safe='')}"


def thalamus_errors(response: httpx.Response) -> dict[str, Any]:
    """The ``errors`` map of a Thalamus error answer (empty when there is none)."""
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return {}
    return errors if isinstance(errors, dict) else {}


def wrong_values(valid: str) -> st.SearchStrategy[str]:
    """Values that are not ``valid`` (a credential), from characters any placement takes."""
    return st.text(_TOKEN_ALPHABET, min_size=1, max_size=40).filter(lambda v: v != valid)


def thalamus_ids(known: tuple[int, ...]) -> st.SearchStrategy[str]:
    """Import ids as a path segment: schema-valid ids, known ones, other digits (leading
    zeros, over a long), and any text. Each reaches ``get-status``: ``{id}`` is a whole
    segment of its catalogue path, so no id is empty, holds a ``/`` (the server decodes
    ``%2F``: another route) or is ``.``/``..`` (a URL resolves those away)."""
    schema_ids = from_schema("thalamus", "common", pointer="/$defs/id").map(str)
    options = [
        schema_ids,
        st.integers(-(2**64), 2**64).map(str),
        st.from_regex(r"\A0[0-9]{1,4}\Z"),
        st.text(min_size=1, max_size=20),
    ]
    if known:
        options.insert(0, st.sampled_from(known).map(str))
    return st.one_of(options).filter(segment_value("thalamus", "get-status", "id"))


_NAME_ALPHABETS = (
    st.characters(codec="ascii", exclude_characters="/"),
    st.sampled_from("aé€😀%-_ .~"),
    # Any character a URL can carry: UTF-8 has no surrogates (bare st.characters() draws them).
    st.characters(codec="utf-8"),
)


def file_names(known: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Tealium file names: schema-valid names, known ones, and names of 145 to 155 code
    points of ASCII, accented, emoji, ``%`` and arbitrary characters (``/`` included), so
    the 150-character limit is crossed both ways and percent-encoding is exercised."""
    valid = from_schema("tealium", "common", pointer="/$defs/fileName")
    boundary = st.integers(145, 155).flatmap(
        lambda size: st.one_of(
            [st.text(alphabet, min_size=size, max_size=size) for alphabet in _NAME_ALPHABETS]
        )
    )
    options = [valid, boundary, st.text(min_size=1, max_size=30)]
    if known:
        options.insert(0, st.sampled_from(known))
    # A "/" reaches the lookup [KIT]; the sibling routes' literals (count, search) and the
    # dot segments a URL resolves away do not.
    elsewhere = DOT_SEGMENTS | siblings("tealium", "v1-get-file-status", "name")
    return st.one_of(options).filter(lambda name: name not in elsewhere)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def dates() -> st.SearchStrategy[str | None]:
    """``startDate``/``endDate`` values: well-formed minutes, malformed text, or missing."""
    minutes = st.integers(0, 60 * 24 * 366 * 40).map(
        lambda m: (_EPOCH + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%MZ")
    )
    return st.one_of(minutes, minutes, st.text(max_size=20), st.none())

"""The Thalamus mock's upload: POST /api/v4/import/file (docs/wire.md, "Imports")."""

from __future__ import annotations

import string
from typing import Any

import httpx
import pytest

from tests.mock.thalamus_support import (
    CLIENT,
    NOW_MS,
    SEEDED,
    SEEDED_IDS,
    STATUS,
    UPLOAD,
    assert_error,
    assert_unauthorized,
    assert_valid,
    items,
    listing,
    upload,
)

# -- upload ---------------------------------------------------------------------------------


def test_upload_creates_a_waiting_record(thalamus_fixtures_http: httpx.Client) -> None:
    response = upload(thalamus_fixtures_http, content=b"x" * 1234)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    record = response.json()
    assert_valid("import-record", record)
    # The first id after the fixtures' highest (280).
    assert record["id"] == max(SEEDED_IDS) + 1
    assert record["name"] == "weekly"
    assert record["fileName"] == "weekly.xlsx"
    assert record["owner"]["entityType"] == 25011
    assert record["fileSize"] == 1234
    assert (record["state"], record["internationalizedState"]) == ("WAITING", "Waiting")
    assert record["stateInternationalizableKey"] == "Waiting"
    assert record["creationDate"] == record["importDate"] == record["modificationDate"] == NOW_MS
    assert (record["rows"], record["rowsOk"], record["percentageProcessed"]) == (0, 0, 0)
    # Visible at once, byte for byte, through GET status and in the list.
    again = thalamus_fixtures_http.get(f"{STATUS}/{record['id']}", params=CLIENT)
    assert again.status_code == 200
    assert again.content == response.content
    assert items(listing(thalamus_fixtures_http, name="weekly")) == [record]


def test_uploads_are_numbered_in_order(thalamus_fixtures_http: httpx.Client) -> None:
    first = upload(thalamus_fixtures_http).json()["id"]
    second = upload(thalamus_fixtures_http, name="other").json()["id"]
    assert second == first + 1


def test_upload_ids_follow_the_generated_records(thalamus_session: httpx.Client) -> None:
    # 20 generated records by default, numbered from 1000.
    assert upload(thalamus_session).json()["id"] == 1020


@pytest.mark.parametrize("import_type", [25006, 25004, 25011, 25012])
def test_upload_accepts_each_import_type(
    thalamus_fixtures_http: httpx.Client, import_type: int
) -> None:
    response = upload(thalamus_fixtures_http, import_type=import_type)
    assert response.status_code == 200
    assert response.json()["owner"]["entityType"] == import_type
    response = upload(thalamus_fixtures_http, import_type=f"0{import_type}")
    assert response.json()["owner"]["entityType"] == import_type


def test_upload_takes_name_and_type_as_headers(thalamus_fixtures_http: httpx.Client) -> None:
    response = thalamus_fixtures_http.post(
        UPLOAD,
        params=CLIENT,
        headers={"name": "from-headers", "type": "25004"},
        files={"file": ("f.xlsx", b"data")},
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["owner"]["entityType"]) == (
        "from-headers",
        25004,
    )


def test_upload_query_wins_over_headers(thalamus_fixtures_http: httpx.Client) -> None:
    response = thalamus_fixtures_http.post(
        UPLOAD,
        params={**CLIENT, "name": "from-query", "type": "25006"},
        headers={"name": "from-headers", "type": "25004"},
        files={"file": ("f.xlsx", b"data")},
    )
    assert (response.json()["name"], response.json()["owner"]["entityType"]) == (
        "from-query",
        25006,
    )
    # Present but empty is sent, as for touchpoint and token: the header is not consulted.
    response = thalamus_fixtures_http.post(
        UPLOAD,
        params={**CLIENT, "name": "", "type": "25006"},
        headers={"name": "from-headers"},
        files={"file": ("f.xlsx", b"data")},
    )
    assert_error(response, 400, "name", "Required")


def test_upload_keeps_any_name_and_file_name(thalamus_fixtures_http: httpx.Client) -> None:
    name = 'Ventas % _ Año "2026" <b> \u2028 ' + "x" * 300
    filename = "informe de ventas (año 2026) #1?.xlsx"
    response = upload(thalamus_fixtures_http, name=name, filename=filename)
    assert response.status_code == 200
    record = response.json()
    assert (record["name"], record["fileName"]) == (name, filename)
    assert_valid("import-record", record)


def test_upload_url_is_a_valid_uri(thalamus_fixtures_http: httpx.Client) -> None:
    # The schema says format "uri"; the registry has no URI checker installed, so check here.
    allowed = set(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
    response = upload(thalamus_fixtures_http, filename="año 2026 #1?.xlsx")
    url = response.json()["url"]
    assert set(url) <= allowed, url
    assert url.startswith("https://")
    assert url.endswith("/a%C3%B1o%202026%20%231%3F.xlsx")


def test_upload_needs_a_session(thalamus_http: httpx.Client) -> None:
    assert_unauthorized(upload(thalamus_http))
    response = thalamus_http.post(UPLOAD, params={"token": "x"})
    assert_error(response, 400, "partnerDataSource", "TouchpointCodeRequired")


@pytest.mark.parametrize(
    ("params", "kwargs", "expected"),
    [
        ({}, {}, ("name", "Required")),
        ({"type": "25011"}, {"files": {"file": ("f", b"x")}}, ("name", "Required")),
        ({"name": ""}, {"files": {"file": ("f", b"x")}}, ("name", "Required")),
        ({"name": "n"}, {"files": {"file": ("f", b"x")}}, ("type", "Required")),
        ({"name": "n", "type": ""}, {"files": {"file": ("f", b"x")}}, ("type", "Required")),
        ({"name": "n", "type": "1"}, {"files": {"file": ("f", b"x")}}, ("type", "InvalidCode")),
        ({"name": "n", "type": "abc"}, {}, ("type", "InvalidCode")),
        ({"name": "n", "type": "-25011"}, {}, ("type", "InvalidCode")),
        ({"name": "n", "type": "25011.0"}, {}, ("type", "InvalidCode")),
        ({"name": "n", "type": "²"}, {}, ("type", "InvalidCode")),
        (  # Arabic-Indic 25011
            {"name": "n", "type": "\u0662\u0665\u0660\u0661\u0661"},
            {},
            ("type", "InvalidCode"),
        ),
        ({"name": "n", "type": "9" * 5000}, {}, ("type", "InvalidCode")),
        ({"name": "n", "type": "25011"}, {}, ("body", "UnsupportedMediaType")),
        ({"name": "n", "type": "25011"}, {"json": {"file": "x"}}, ("body", "UnsupportedMediaType")),
        ({"name": "n", "type": "25011"}, {"data": {"file": "x"}}, ("body", "UnsupportedMediaType")),
        (
            {"name": "n", "type": "25011"},
            {"files": {"document": ("f", b"x")}},
            ("file", "Required"),
        ),
        (
            {"name": "n", "type": "25011"},
            {"files": {"document": ("f", b"x")}, "data": {"file": "not a file"}},
            ("file", "Required"),
        ),
    ],
)
def test_upload_errors(
    thalamus_fixtures_http: httpx.Client,
    params: dict[str, str],
    kwargs: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    response = thalamus_fixtures_http.post(UPLOAD, params={**CLIENT, **params}, **kwargs)
    assert_error(response, 400, *expected)
    # Nothing was stored.
    assert listing(thalamus_fixtures_http).json()["totalItems"] == len(SEEDED)


def test_upload_answers_post_only(thalamus_fixtures_http: httpx.Client) -> None:
    assert_error(
        thalamus_fixtures_http.get(UPLOAD, params=CLIENT), 405, "method", "MethodNotAllowed"
    )

"""No false positives: 1,000 schema-valid records per API, drawn by hypothesis and served by
the mock, go through the comparison engine and yield nothing; so do 1,000 of the mock's own
generated records through a whole run."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings

from mockserver import create_app
from statuskit.drift import Comparison, DriftOptions
from statuskit.strategies import from_schema
from tests.drift.conftest import run_against
from tests.drift.mutate import Answer, Mutating, Rule

RECORDS = 1000
THALAMUS_QUERY = {"touchpoint": "test", "token": "statuskit-token"}


def thalamus_client(app: Any) -> tuple[httpx.Client, str]:
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock.invalid")
    login = client.post(
        "/api/v3/thalamus_security_check",
        params=THALAMUS_QUERY,
        auth=("consumer@example.com", "statuskit"),
    )
    client.cookies.clear()
    client.headers["Cookie"] = login.headers["set-cookie"].split(";", 1)[0]
    client.params = httpx.QueryParams(THALAMUS_QUERY)
    return client, "/api/v4/import/status/274"


def tealium_client(app: Any) -> tuple[httpx.Client, str]:
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock.invalid")
    login = client.post("/v1/login", data={"username": "user@example.com", "password": "statuskit"})
    cookie = login.headers["set-cookie"].split(";", 1)[0]
    client.cookies.clear()
    client.headers["Cookie"] = cookie
    client.params = httpx.QueryParams({"utk": login.json()["utk"]})
    return client, "/v1/omnichannel/accounts/acme/profiles/main/files/orders_2026nov01.csv"


@pytest.mark.parametrize(
    ("api", "schema", "operation", "connect"),
    [
        ("thalamus", "import-record", "get-status", thalamus_client),
        ("tealium", "file-status", "get-file-status", tealium_client),
    ],
)
def test_generated_records_served_by_the_mock_show_no_drift(
    mock_app: Flask, api: str, schema: str, operation: str, connect: Any
) -> None:
    served: dict[str, Any] = {}

    def inject(answer: Answer) -> None:
        answer.set_json(served["record"])

    app = Mutating(mock_app, Rule(r"GET /(api|v1)/.*", inject))
    client, path = connect(app)
    # One comparison for all of them: merging and enum tallies must not invent drift either.
    comparison = Comparison(api)
    count = 0

    @settings(
        max_examples=RECORDS,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(from_schema(api, schema))
    def served_as_is(record: Any) -> None:
        nonlocal count
        served["record"] = record
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == record  # the mock really served it
        assert comparison.add(schema, response.json(), operation=operation) == []
        count += 1

    served_as_is()
    assert count >= RECORDS
    assert comparison.findings() == []


def test_a_thousand_of_the_mocks_own_records_through_a_whole_run() -> None:
    app = create_app({"generated": RECORDS})
    report = run_against(app, "thalamus", options=DriftOptions(pace=0, page_size=RECORDS))
    assert report.findings == []
    [page] = [p for p in report.probes if p.probe == "list"]
    assert page.status == 200
    # Tealium's /search refuses more than 50 files: discovery narrows the window first.
    report = run_against(app, "tealium")
    assert report.findings == []
    assert sum(p.probe == "count" for p in report.probes) > 1
    assert [p.status for p in report.probes if p.probe == "search"] == [200]

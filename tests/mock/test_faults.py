"""Fault injection, observed by a real HTTP client over a real socket against
``statuskit serve --workers 2 --test-mode``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from mockserver import create_app
from mockserver.faults import Fault, draw
from mockserver.process import ServerProcess, serve_process
from statuskit.registry import default_registry
from tests.mock.served import FAULTS, FILE, Callers, Q, login, login_thalamus


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with serve_process("--workers", "2", "--test-mode") as running:
        yield running


@pytest.fixture(scope="module")
def logged_in(server: ServerProcess) -> Callers:
    return login(server.base_url)


@pytest.fixture
def mock(logged_in: Callers) -> Iterator[Callers]:
    """The callers, with no fault configured before and after the test."""
    assert logged_in.admin("DELETE", FAULTS).json() == {"faults": []}
    yield logged_in
    logged_in.admin("DELETE", FAULTS)


def error_body(api: str, response: httpx.Response) -> Any:
    """The JSON error body, valid against ``api``'s strict error schema."""
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert default_registry().validate(api, "error", body) == []
    return body


# -- each kind ------------------------------------------------------------------------------

THALAMUS_CODES = {
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_faults_answer_in_each_apis_format(mock: Callers, status: int) -> None:
    mock.fault(kind="status", status=status, api="thalamus")
    mock.fault(kind="status", status=status, api="tealium")
    thalamus, tealium = mock.thalamus(), mock.tealium()
    assert (thalamus.status_code, tealium.status_code) == (status, status)
    assert error_body("thalamus", thalamus) == {"errors": {"server": THALAMUS_CODES[status]}}
    assert error_body("tealium", tealium)["returnCode"] == status


def test_rate_limit_is_429_with_retry_after(mock: Callers) -> None:
    mock.fault(kind="rate-limit", retry_after=7, api="thalamus")
    mock.fault(kind="rate-limit", api="tealium")
    thalamus, tealium = mock.thalamus(), mock.tealium()
    assert (thalamus.status_code, thalamus.headers["retry-after"]) == (429, "7")
    assert (tealium.status_code, tealium.headers["retry-after"]) == (429, "1")
    assert error_body("thalamus", thalamus) == {"errors": {"server": "TooManyRequests"}}
    assert error_body("tealium", tealium)["returnCode"] == 429


def test_fixed_latency_delays_the_real_answer(mock: Callers) -> None:
    quick = mock.thalamus()
    mock.fault(kind="latency", ms=60, api="thalamus")
    began = time.perf_counter()
    slow = mock.thalamus()
    assert time.perf_counter() - began >= 0.06
    assert (slow.status_code, slow.content) == (200, quick.content)


def test_random_latency_is_drawn_from_the_seed(mock: Callers) -> None:
    fault = mock.fault(kind="latency", min_ms=10, max_ms=40, seed=3, api="thalamus")
    expected = [Fault.stored(fault).latency(n) for n in (1, 2, 3)]
    assert all(10 <= ms <= 40 for ms in expected)
    for ms in expected:
        began = time.perf_counter()
        assert mock.thalamus().status_code == 200
        assert time.perf_counter() - began >= ms / 1000


def test_reset_drops_the_connection(mock: Callers) -> None:
    mock.fault(kind="reset", api="thalamus")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        mock.thalamus()


def test_truncate_sends_half_the_promised_body(mock: Callers) -> None:
    full = mock.thalamus().content
    mock.fault(kind="truncate", api="thalamus")
    received: list[bytes] = []
    url = f"{mock.base}/api/v4/import/status/274"
    cookie = {"Cookie": f"JSESSIONID={mock.jsessionid}"}
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", url, params=Q, headers=cookie) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-length"] == str(len(full))
        with pytest.raises(httpx.RemoteProtocolError):
            received.extend(response.iter_raw())
    assert b"".join(received) == full[: len(full) // 2]


def test_malformed_is_a_200_whose_json_does_not_parse(mock: Callers) -> None:
    mock.fault(kind="malformed", api="tealium")
    response = mock.tealium()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_dribble_sends_the_body_in_slow_pieces(mock: Callers) -> None:
    full = mock.tealium().content
    size = len(full) // 4 + 1
    mock.fault(kind="dribble", chunk_bytes=size, delay_ms=25, api="tealium")
    with httpx.Client(timeout=10) as client:
        url = f"{mock.base}/v1/omnichannel/accounts/acme/profiles/main/files/{FILE}"
        cookie = {"Cookie": f"JSESSIONID={mock.tealium_cookie}"}
        began = time.perf_counter()
        with client.stream("GET", url, params={"utk": mock.utk}, headers=cookie) as response:
            arrivals = [(time.perf_counter() - began, chunk) for chunk in response.iter_raw()]
    assert b"".join(chunk for _, chunk in arrivals) == full
    assert len(arrivals) >= 2
    # Four pieces, 25 ms apart: the last cannot come sooner (the client may read two at once).
    assert arrivals[-1][0] >= 3 * 0.025


# -- triggers ----------------------------------------------------------------------------


def test_fail_next_n_fails_exactly_the_next_n(mock: Callers) -> None:
    mock.fault(kind="status", status=503, times=3, api="thalamus")
    statuses = [mock.thalamus().status_code for _ in range(8)]
    assert statuses == [503] * 3 + [200] * 5
    [listed] = mock.admin("GET", FAULTS).json()["faults"]
    assert listed["fired"] == 3


def percent_run(mock: Callers, seed: int) -> list[int]:
    mock.admin("DELETE", FAULTS)
    mock.fault(kind="status", status=500, percent=40, seed=seed, api="thalamus")
    return [mock.thalamus().status_code for _ in range(25)]


def test_percent_faults_are_reproducible_from_their_seed(mock: Callers) -> None:
    first, again, other = percent_run(mock, 11), percent_run(mock, 11), percent_run(mock, 12)
    assert first == again
    assert first != other
    # The documented rule: the n-th matching request fails when draw(seed, n) < percent.
    assert first == [500 if draw(11, n) * 100 < 40 else 200 for n in range(1, 26)]
    assert 0 < first.count(500) < 25


# -- targets -------------------------------------------------------------------------------


def test_a_fault_targets_only_its_api(mock: Callers) -> None:
    mock.fault(kind="status", status=502, api="tealium")
    assert (mock.thalamus().status_code, mock.tealium().status_code) == (200, 502)


def test_a_fault_targets_only_its_route(mock: Callers) -> None:
    mock.fault(kind="status", status=504, api="thalamus", route="GET /api/v4/import/status")
    listing = httpx.get(
        f"{mock.base}/api/v4/import/status",
        params={"touchpoint": "test", "token": "statuskit-token"},
        headers={"Cookie": f"JSESSIONID={mock.jsessionid}"},
    )
    assert (listing.status_code, mock.thalamus().status_code) == (504, 200)


@pytest.mark.parametrize(
    "route", ["GET /api/v4/import/status/{id}", "get /api/v4/import/status/{n}"]
)
def test_a_fault_targets_one_resource(mock: Callers, route: str) -> None:
    mock.fault(kind="status", status=500, api="thalamus", route=route, resource=275)
    mock.fault(kind="status", status=503, api="tealium", resource=FILE)
    assert (mock.thalamus(275).status_code, mock.thalamus(274).status_code) == (500, 200)
    assert mock.tealium().status_code == 503
    assert mock.tealium("other.csv").status_code == 404


def test_admin_requests_are_never_faulted(mock: Callers) -> None:
    mock.fault(kind="status", status=503, api="thalamus")
    mock.fault(kind="status", status=503, api="tealium")
    assert mock.admin("GET", "/__admin/v1/clock").status_code == 200
    refused = mock.admin("POST", FAULTS, json={"kind": "reset", "api": "admin"})
    assert refused.status_code == 400


# -- the request header (test mode) --------------------------------------------------------


def test_the_fault_header_applies_to_its_request_in_test_mode(mock: Callers) -> None:
    faulted = mock.thalamus(headers={"X-Statuskit-Fault": "kind=status; status=503"})
    assert faulted.status_code == 503
    assert error_body("thalamus", faulted) == {"errors": {"server": "ServiceUnavailable"}}
    assert mock.thalamus().status_code == 200


def test_a_bad_fault_header_is_a_400_naming_the_header(mock: Callers) -> None:
    response = mock.thalamus(headers={"X-Statuskit-Fault": "kind=status;status=418"})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message == "X-Statuskit-Fault: 'status' must be one of 500, 502, 503, 504"


def test_without_test_mode_the_fault_header_is_ignored() -> None:
    app = create_app({"generated": 0})
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock") as client:
        response = client.get(
            "/api/v4/import/status/274", headers={"X-Statuskit-Fault": "kind=status;status=503"}
        )
    # The request is answered as usual: no touchpoint, the documented 400.
    assert response.status_code == 400


# -- shared across workers -------------------------------------------------------------------


def test_fail_next_n_holds_across_two_workers(mock: Callers) -> None:
    mock.fault(kind="status", status=503, times=10, api="thalamus")
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: mock.thalamus().status_code, range(20)))
    assert sorted(statuses) == [200] * 10 + [503] * 10
    entries = mock.journal(path="/api/v4/import/status/274", limit=20)
    assert sorted(e["status"] for e in entries) == sorted(statuses)
    assert len({e["worker"] for e in entries}) == 2, "both workers should have served"


# -- admin validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "explode", "api": "thalamus"}, "kind: 'explode' is not one of ['dribble'"),
        ({"kind": "status", "api": "thalamus"}, "'status' must be one of 500, 502, 503, 504"),
        ({"kind": "status", "status": 503}, "body: 'api' is a required property"),
        ({"kind": "latency", "api": "thalamus"}, "needs 'ms', or 'min_ms' and 'max_ms'"),
        ({"kind": "latency", "ms": -1, "api": "tealium"}, "ms: -1 is less than the minimum"),
        ({"kind": "latency", "min_ms": 9, "max_ms": 3, "api": "tealium"}, "'min_ms' must not"),
        ({"kind": "reset", "api": "thalamus", "ms": 5}, "'ms' does not apply to a 'reset'"),
        ({"kind": "reset", "api": "thalamus", "times": 1, "percent": 5}, "'times' or 'percent'"),
        ({"kind": "reset", "api": "thalamus", "percent": 0}, "'percent' must be a number"),
        ({"kind": "reset", "api": "thalamus", "color": "red"}, "('color' was unexpected)"),
        ({"kind": "reset", "api": "thalamus", "id": "f9"}, "('id' was unexpected)"),
        (
            {"kind": "reset", "api": "thalamus", "route": "GET /api/v4/import/statuz/{id}"},
            "closest: 'GET /api/v4/import/status/{id}'",
        ),
        ([1], "body: [1] is not of type 'object'"),
    ],
)
def test_bad_faults_are_400_with_one_readable_line(mock: Callers, body: Any, message: str) -> None:
    response = mock.admin("POST", FAULTS, json=body)
    assert response.status_code == 400
    error = response.json()
    assert default_registry().validate("admin", "error", error) == []
    assert message in error["error"]["message"]
    assert "\n" not in error["error"]["message"]


def test_faults_are_listed_and_removed_one_by_one(mock: Callers) -> None:
    first = mock.fault(kind="reset", api="thalamus", resource="999999")
    second = mock.fault(kind="malformed", api="tealium", percent=12.5, seed=4)
    listed = mock.admin("GET", FAULTS).json()
    assert default_registry().validate("admin", "fault-list", listed) == []
    assert [f["id"] for f in listed["faults"]] == [first["id"], second["id"]]
    after = mock.admin("DELETE", f"{FAULTS}/{first['id']}").json()
    assert [f["id"] for f in after["faults"]] == [second["id"]]
    missing = mock.admin("DELETE", f"{FAULTS}/{first['id']}")
    assert missing.status_code == 404


def test_under_gunicorn_reset_and_truncate_drop_the_connection_too() -> None:
    # gunicorn answers 500 for most errors raised before the first byte; not for these.
    with serve_process("--api", "thalamus", "--server", "gunicorn") as running:
        mock = login_thalamus(running.base_url)
        full = mock.thalamus().content
        mock.fault(kind="reset", api="thalamus", times=1)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            mock.thalamus()
        mock.fault(kind="truncate", api="thalamus", times=1)
        received: list[bytes] = []
        url = f"{mock.base}/api/v4/import/status/274"
        cookie = {"Cookie": f"JSESSIONID={mock.jsessionid}"}
        with httpx.stream("GET", url, params=Q, headers=cookie, timeout=10) as response:
            assert response.headers["content-length"] == str(len(full))
            with pytest.raises(httpx.RemoteProtocolError):
                received.extend(response.iter_raw())
        assert b"".join(received) == full[: len(full) // 2]
        assert mock.thalamus().content == full

"""The mock's clock: real by default; frozen, advanced and set through the shared control
row, so every worker (every app on one state file) sees the same time."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mockserver import create_app
from mockserver._state import EXTENSION, MockState
from mockserver.control import Clock, Control
from mockserver.store import open_store

Q = {"touchpoint": "test", "token": "statuskit-token"}


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> tuple[Clock, FakeTime]:
    real = FakeTime()
    return Clock(Control(open_store(None), real_time=real)), real


def test_runs_in_real_time_by_default(clock: tuple[Clock, FakeTime]) -> None:
    mock, real = clock
    assert mock() == real.now
    real.now += 5
    assert mock() == real.now
    assert mock.describe() == {"now": real.now, "frozen": False, "offset": 0.0}


def test_freeze_advance_set_unfreeze_reset(clock: tuple[Clock, FakeTime]) -> None:
    mock, real = clock
    mock.freeze()
    real.now += 100
    assert mock() == 1_000_000.0
    mock.advance(30)
    assert mock() == 1_000_030.0
    mock.set(2_000_000.0)
    assert mock() == 2_000_000.0
    mock.unfreeze()
    real.now += 10
    assert mock() == 2_000_010.0
    mock.advance(-10)
    assert mock() == 2_000_000.0
    mock.reset()
    assert mock() == real.now


def test_set_while_running_keeps_running(clock: tuple[Clock, FakeTime]) -> None:
    mock, real = clock
    mock.set(5.0)
    real.now += 2
    assert mock() == 7.0


def test_every_worker_sees_the_same_clock(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    first, second = open_store(path), open_store(path)
    one, two = Clock(Control(first)), Clock(Control(second))
    one.freeze(at=123.0)
    assert two() == 123.0
    two.advance(7)
    assert one() == 130.0


def state_of(app: object) -> MockState:
    state: MockState = app.extensions[EXTENSION]  # type: ignore[attr-defined]
    return state


def test_advancing_the_clock_expires_sessions_and_tokens() -> None:
    app = create_app({"generated": 0})
    clock = state_of(app).clock
    assert isinstance(clock, Clock)
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock")
    client.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    token = client.post(
        "/v2/auth", data={"username": "user@example.com", "key": "statuskit-api-key"}
    )
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    file = "/v2/omnichannel/accounts/acme/profiles/main/files/sales-transaction_2016feb4v50.csv"
    assert client.get("/api/v4/import/status/274", params=Q).status_code == 200
    assert client.get(file, headers=bearer).status_code == 200

    clock.advance(31 * 60)  # past the documented 30 minutes of a v2 token
    assert client.get(file, headers=bearer).status_code == 401
    assert client.get("/api/v4/import/status/274", params=Q).status_code == 200
    clock.advance(9 * 3600)  # past the kit's 8-hour Thalamus session
    assert client.get("/api/v4/import/status/274", params=Q).status_code == 401

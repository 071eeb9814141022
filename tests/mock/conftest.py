"""Fixtures for the mocks' tests. Thalamus fixtures are named ``thalamus_*``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from flask import Flask

from mockserver.config import MockConfig
from mockserver.thalamus import create_app as create_thalamus_app
from tests.mock.thalamus_support import NOW_MS, client, login, state_of


@pytest.fixture(autouse=True)
def _thalamus_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """``create_app({...})`` reads ``STATUSKIT_*``: the caller's environment must not leak in."""
    for name in (
        "TOUCHPOINT",
        "TOKEN",
        "PRINCIPAL",
        "PASSWORD",
    ):
        monkeypatch.delenv(f"STATUSKIT_THALAMUS_{name}", raising=False)


@pytest.fixture
def thalamus_config() -> MockConfig:
    """The default configuration, independent of the environment."""
    return MockConfig.from_env({})


@pytest.fixture
def thalamus_app(thalamus_config: MockConfig) -> Flask:
    """A fresh Thalamus mock with private in-memory state."""
    return create_thalamus_app(thalamus_config)


@pytest.fixture
def thalamus_http(thalamus_app: Flask) -> Iterator[httpx.Client]:
    """A client of :func:`thalamus_app`, not logged in."""
    with client(thalamus_app) as http:
        yield http


@pytest.fixture
def thalamus_session(thalamus_http: httpx.Client) -> httpx.Client:
    """:func:`thalamus_http`, logged in: its cookie jar holds the session."""
    login(thalamus_http)
    return thalamus_http


@pytest.fixture
def thalamus_fixtures_app() -> Flask:
    """A mock holding only the fixtures (no generated records), with a fixed clock."""
    app = create_thalamus_app(MockConfig.from_env({}, generated=0))
    state_of(app).clock = lambda: NOW_MS / 1000
    return app


@pytest.fixture
def thalamus_fixtures_http(thalamus_fixtures_app: Flask) -> Iterator[httpx.Client]:
    """A logged-in client of :func:`thalamus_fixtures_app`."""
    with client(thalamus_fixtures_app) as http:
        login(http)
        yield http

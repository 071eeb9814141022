"""Fixtures for the drift tests: the mock in process, and a run against it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from statuskit import drift
from statuskit.drift import DriftOptions, DriftReport
from tests.drift.mutate import Mutating, Rule

#: What the reports call the in-process mock: the README's URL, so reports read the same.
BASE_URL = "http://127.0.0.1:8080"
FAST = DriftOptions(pace=0)
#: A default Thalamus run against the mock: the login, the list, 3 records, then the
#: catalogue's GET refusals: get-status's 7 and list-imports' 9 filter cases (the 5 it
#: shares with get-status are sent once).
THALAMUS_PROBES = 21

Runner = Callable[..., DriftReport]


def run_against(
    app: Callable[..., Iterable[bytes]],
    api: str,
    *,
    options: DriftOptions = FAST,
    **kwargs: Any,
) -> DriftReport:
    """A drift run against a WSGI app, in process."""
    transport = httpx.WSGITransport(app=app)
    return drift.run(api, BASE_URL, transport=transport, options=options, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def mock_app() -> Flask:
    """A fresh combined mock, seeded as statuskit serve seeds it."""
    return create_app()


@pytest.fixture
def mutated(mock_app: Flask) -> Callable[..., Mutating]:
    """Wrap the mock with rules: ``mutated(Rule(...), ...)``."""

    def wrap(*rules: Rule) -> Mutating:
        return Mutating(mock_app, *rules)

    return wrap

"""What every mock app shares: the Flask app, its state, and JSON error handling.

Each API package describes itself as an :class:`ApiMount`; :func:`build_app` puts one or
more mounts on one Flask app. Errors are answered by the API that owns the request's path,
in that API's own format, never with an HTML page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError

from mockserver._http import Gate
from mockserver.config import MockConfig
from mockserver.store import Store
from statuskit.errors import ContractViolation
from statuskit.registry import default_registry

__all__ = ["ApiMount", "MockState", "build_app", "mock_state"]

log = logging.getLogger("statuskit.mock")

EXTENSION = "statuskit"


@dataclass
class MockState:
    """The per-app state the views reach through :func:`mock_state`."""

    config: MockConfig
    store: Store
    gate: Gate
    clock: Callable[[], float] = time.time
    #: Per-API helpers (error bodies, record builders), keyed by API name.
    apis: dict[str, Any] | None = None

    def api(self, name: str) -> Any:
        assert self.apis is not None
        return self.apis[name]


@dataclass(frozen=True)
class ApiMount:
    """One API as an app sees it.

    ``setup`` builds the API's helpers for a state; ``seed`` writes its starting data once
    per database; ``http_error`` renders an HTTP error in the API's own format.
    """

    name: str
    prefixes: tuple[str, ...]
    blueprint: Callable[[MockConfig], Blueprint]
    setup: Callable[[MockState], Any]
    seed: Callable[[MockState], None]
    http_error: Callable[[MockState, int, str], Response]


def mock_state() -> MockState:
    """The state of the app handling the current request."""
    state: MockState = current_app.extensions[EXTENSION]
    return state


def build_app(
    config: MockConfig | dict[str, Any] | None,
    mounts: Sequence[ApiMount],
    *,
    name: str,
) -> Flask:
    """A Flask app serving ``mounts``; the first mount owns paths no other claims."""
    settings = MockConfig.coerce(config)
    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    store = Store(settings.state_path)
    state = MockState(
        settings, store, Gate(default_registry(), enabled=settings.validate_responses)
    )
    state.apis = {mount.name: mount.setup(state) for mount in mounts}
    app.extensions[EXTENSION] = state
    for mount in mounts:
        app.register_blueprint(mount.blueprint(settings))
        # Workers of one server share a database: only the first to get here seeds it.
        if store.claim(f"seeded:{mount.name}"):
            mount.seed(state)

    def owner() -> ApiMount:
        path = request.path
        return next((m for m in mounts if path.startswith(m.prefixes)), mounts[0])

    @app.after_request
    def no_type_without_body(response: Response) -> Response:
        # An empty answer (204, 401, OPTIONS) has no media type; Flask would say text/html.
        if not response.is_streamed and response.calculate_content_length() == 0:
            response.headers.pop("Content-Type", None)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        response = owner().http_error(state, status, exc.description or exc.name)
        # Keep the headers the error carries (a 405's Allow), but not its HTML type.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(ContractViolation)
    def drifted(exc: ContractViolation) -> Response:
        # A body the mock made broke its own schema: a bug in the kit, reported loudly.
        log.error("statuskit mock drifted from its schema: %s", exc)
        return owner().http_error(state, 500, f"statuskit mock drifted from its schema: {exc}")

    @app.errorhandler(Exception)
    def crashed(exc: Exception) -> Response:
        log.exception("statuskit mock failed on %s %s", request.method, request.path)
        return owner().http_error(state, 500, InternalServerError.description)

    return app

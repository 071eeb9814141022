"""The app factory: puts API mounts on one Flask app, with its state and JSON error handling.

Each API package describes itself as an :class:`~mockserver._mount.ApiMount`; :func:`build_app`
puts one or more mounts, and the admin API's, on one Flask app. Errors are answered by the API
that owns the request's path, in that API's own format, never with an HTML page. Nothing in
``mockserver`` imports this module but the ``create_app`` factories.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError

from mockserver._http import Gate
from mockserver._inputs import Rejection, StartResponse
from mockserver._middleware import Bookkeeper, unavailable_reply
from mockserver._mount import ApiMount, HotHandler
from mockserver._state import EXTENSION, MockState
from mockserver.admin import MOUNT as ADMIN
from mockserver.config import MockConfig
from mockserver.control import Clock, Control
from mockserver.readcache import ReadCache
from mockserver.store import StoreUnavailable, open_store
from statuskit.errors import ContractViolation
from statuskit.registry import default_registry

__all__ = ["bare_app", "build_app"]

log = logging.getLogger("statuskit.mock")


class HotPath:
    """WSGI middleware answering the hottest GETs without Flask's routing and contexts.

    Flask costs about as much per request as the rest of a status lookup together; the
    handlers run the views' own logic (see ``mockserver._inputs``). Anything they do not
    take, and any error they raise, goes to the Flask app, which handles it as usual.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], handlers: Sequence[HotHandler]) -> None:
        self.app = app
        self.handlers = tuple(handlers)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET":
            try:
                for handler in self.handlers:
                    reply = handler(environ)
                    if reply is not None:
                        return reply.wsgi(start_response)
            except StoreUnavailable:
                raise  # the bookkeeping answers 503 at once; Flask would only wait again
            except Exception:
                # Flask reruns the request and reports the error in the API's format.
                log.debug("hot path failed; Flask answers instead", exc_info=True)
        return self.app(environ, start_response)


def _pep3333_path(wsgi_app: Any) -> Any:
    """Wrap ``wsgi_app`` so a ``PATH_INFO`` already decoded to text is put back as PEP 3333 wants.

    PEP 3333 passes the path as its raw bytes in latin-1; httpx's ``WSGITransport`` passes
    the decoded text instead, which Werkzeug turns into U+FFFD (``é``) or a crash before any
    error handler runs (``€``). A path that is not UTF-8 once read back as latin-1 bytes
    cannot have come from a compliant server, so it is re-encoded.
    """

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            try:
                path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                environ["PATH_INFO"] = path.encode("utf-8", "surrogatepass").decode("latin-1")
        return wsgi_app(environ, start_response)

    return app


def bare_app(
    name: str, settings: MockConfig, mounts: Sequence[ApiMount]
) -> tuple[Flask, MockState]:
    """A Flask app with no routes yet, and its state (the store at ``settings.state_url`` or
    ``settings.state_path``, shared by a server's workers, or in memory; the clock; the body
    gate) with ``mounts``
    set up on it: where a mock and the proxy start alike."""
    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    # Werkzeug answers "//" in a path with a 308 and an HTML page; an API answers in JSON.
    app.url_map.merge_slashes = False
    store = open_store(settings.state_location(), pool_size=settings.state_pool)
    control = Control(store)
    gate = Gate(default_registry(), enabled=settings.validate_responses)
    state = MockState(settings, store, gate, control, Clock(control), ReadCache(store))
    state.apis = {mount.name: mount.setup(state) for mount in mounts}
    app.extensions[EXTENSION] = state
    return app, state


def build_app(
    config: MockConfig | dict[str, Any] | None,
    mounts: Sequence[ApiMount],
    *,
    name: str,
) -> Flask:
    """A Flask app serving ``mounts`` and the admin API; the first mount owns paths no
    other claims."""
    mounts = [*mounts, ADMIN]
    settings = MockConfig.coerce(config)
    app, state = bare_app(name, settings, mounts)
    state.seeders = tuple(mount.seed for mount in mounts)
    hot = [mount.hot(state.api(mount.name)) for mount in mounts if mount.hot is not None]
    # Outermost the path repair, so the hot path and Flask read the same path; then the
    # journal, hints and faults, so they cover what the hot path answers too.
    state.bookkeeping = Bookkeeper(HotPath(app.wsgi_app, hot), state, mounts, app.url_map)
    app.wsgi_app = _pep3333_path(state.bookkeeping)  # type: ignore[method-assign]
    for mount in mounts:
        app.register_blueprint(mount.blueprint(settings))
        # Workers of one server share a database: only the first to get here seeds it.
        if state.store.claim(f"seeded:{mount.name}"):
            mount.seed(state)
    _answer_errors(app, state, mounts)
    return app


def _answer_errors(app: Flask, state: MockState, mounts: Sequence[ApiMount]) -> None:
    """Every error answered by the API that owns the request's path, in its own format."""

    def owner() -> ApiMount:
        path = request.path
        return next((m for m in mounts if path.startswith(m.prefixes)), mounts[0])

    @app.errorhandler(Rejection)
    def rejected(exc: Rejection) -> Response:
        return exc.reply.response()

    @app.after_request
    def no_type_without_body(response: Response) -> Response:
        # An empty answer (204, 401, OPTIONS) has no media type; Flask would say text/html.
        if not response.is_streamed and response.calculate_content_length() == 0:
            response.headers.pop("Content-Type", None)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        response = owner().http_error(state, status, exc.description or exc.name).response()
        # Keep the headers the error carries (a 405's Allow), but not its HTML type.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(ContractViolation)
    def drifted(exc: ContractViolation) -> Response:
        # A body the mock made broke its own schema: a bug in the kit, reported loudly.
        log.error("statuskit mock drifted from its schema: %s", exc)
        message = f"statuskit mock drifted from its schema: {exc}"
        return owner().http_error(state, 500, message).response()

    @app.errorhandler(StoreUnavailable)
    def unavailable(exc: StoreUnavailable) -> Response:
        log.warning("statuskit mock: %s", exc)
        return unavailable_reply(owner(), state).response()

    @app.errorhandler(Exception)
    def crashed(exc: Exception) -> Response:
        log.exception("statuskit mock failed on %s %s", request.method, request.path)
        return owner().http_error(state, 500, InternalServerError.description).response()

"""The proxy as one WSGI app, built from the mock's own machinery.

It is assembled as ``mockserver._app.build_app`` assembles a mock, with the forwarding
handler (``_handler.Forwarding``) where the mock's API views sit::

    WSGI server ─► Bookkeeper ─┬─(/__admin/...)──► Flask: the admin routes
                   (journal,    └─(anything else)─► Forwarding ─► the upstream
                    faults)

So the admin API's faults (latency, 5xx, 429, reset, truncate, malformed, dribble) apply
to proxied traffic with the mock's targeting and counters, the journal records what passed,
and the admin routes follow ``statuskit serve``'s rules (loopback, or
``STATUSKIT_ADMIN_TOKEN``). The API mounts (Thalamus, Tealium) bring their routes, for
fault targets and for which API owns a path, and their error bodies, for the proxy's own
502 and 504; none of their views ever answers. Near-miss hints are left out: a 4xx is the
upstream's answer, which the proxy passes on as it came.

Besides the mock's fault and journal routes, the proxy's admin API serves the live
findings (``GET /__admin/v1/findings``) and writes the report on demand
(``POST /__admin/v1/report``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wsgi import LimitedStream

from mockserver._app import bare_app
from mockserver._inputs import Rejection, Reply, StartResponse
from mockserver._middleware import ADMIN_PREFIX, Bookkeeper
from mockserver._mount import ApiMount
from mockserver._state import EXTENSION, MockState
from mockserver.admin import MOUNT as ADMIN
from mockserver.admin import faults as fault_routes
from mockserver.admin import index_blueprint
from mockserver.admin import journal as journal_routes
from mockserver.admin._api import API as ADMIN_API
from mockserver.admin._api import AdminApi, admin
from mockserver.config import MockConfig
from mockserver.serving import is_loopback
from mockserver.tealium import MOUNT as TEALIUM
from mockserver.thalamus import MOUNT as THALAMUS
from statuskit import catalogue, drift
from statuskit.drift.formats import FORMATS, Format
from statuskit.drift.model import DriftFinding, DriftReport
from statuskit.errors import ConfigError
from statuskit.proxy._cookies import CookieRewriter
from statuskit.proxy._exchange import Exchange, FindingsSink, Observer, Verdict
from statuskit.proxy._forward import Forwarder, Upstream
from statuskit.proxy._handler import Forwarding
from statuskit.proxy._options import ProxyOptions

__all__ = ["MOUNTS", "NoFindings", "ProxyApp", "write_report"]

log = logging.getLogger("statuskit.proxy")

#: The API mounts each ``--api`` brings: the first owns the paths no other claims.
MOUNTS: dict[str, tuple[ApiMount, ...]] = {
    "thalamus": (THALAMUS,),
    "tealium": (TEALIUM,),
    "all": (THALAMUS, TEALIUM),
}


class NoFindings:
    """A sink that keeps nothing: the proxy with no validator behind it."""

    def __init__(self, options: ProxyOptions, target: str) -> None:
        self.options = options
        self.target = target
        self.started = datetime.now(UTC).isoformat(timespec="seconds")

    def add(self, exchange: Exchange, findings: Sequence[DriftFinding]) -> Verdict | None:
        """Nothing is kept, and the observers' verdict stands."""
        return None

    def snapshot(self) -> dict[str, Any]:
        """No findings."""
        return {"findings": []}

    def report(self) -> DriftReport:
        """An empty report."""
        return DriftReport(
            api=self.options.api,
            target=self.target,
            started=self.started,
            fail_on=self.options.fail_on,
            tool="statuskit proxy",
        )


class _Keeper(Bookkeeper):
    """The mock's journal and faults, without its near-miss hints: a 4xx through the proxy
    is the upstream's answer, passed on as it came."""

    def _hint(self, environ: dict[str, Any], status: int, body: bytes) -> str | None:
        return None


def write_report(sink: FindingsSink, path: str, fmt: Format) -> DriftReport:
    """Render the sink's report in ``fmt`` into ``path``; :class:`ConfigError` if it cannot."""
    report = sink.report()
    drift.write(report, path, fmt)
    return report


class ProxyApp:
    """``statuskit proxy``'s WSGI app: the admin API, faults, and forwarding to ``upstream``.

    ``observers`` see every exchange (the validator, the recorder); ``sink`` gathers their
    findings (``NoFindings`` when none is given). ``config`` is the mock configuration the
    admin API and the error bodies read (default: the environment's, with the admin token
    demanded off loopback, as ``statuskit serve`` does).
    """

    def __init__(
        self,
        options: ProxyOptions,
        *,
        observers: Sequence[Observer] = (),
        sink: FindingsSink | None = None,
        config: MockConfig | None = None,
    ) -> None:
        self.options = options
        self.upstream = Upstream.parse(options.upstream)
        if not options.timeout > 0:
            raise ConfigError("--timeout must be a positive number of seconds")
        settings = config or MockConfig.from_env().replace(
            admin_requires_token=not is_loopback(options.host)
        )
        self.observers = tuple(observers)
        self.sink: FindingsSink = sink or NoFindings(options, self.upstream.url)
        mounts = [*MOUNTS[options.api], ADMIN]
        self.mounts = {mount.name: mount for mount in mounts}
        self.flask = self._flask(settings, mounts)
        self.state: MockState = self.flask.extensions[EXTENSION]
        self.forwarding = Forwarding(
            Forwarder(self.upstream, timeout=options.timeout),
            cookies=CookieRewriter(self.upstream.base_path, plain_http=True),
            operations=self._operations(settings),
            observers=self.observers,
            sink=self.sink,
            error_reply=self._error_reply,
            owner=lambda path: self.keeper.routes.owner(path),
            errors=options.errors,
        )
        self.keeper = _Keeper(self._dispatch, self.state, mounts, self.flask.url_map)
        self.state.bookkeeping = self.keeper

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH")
        if length and not environ.get("wsgi.input_terminated") and length.isdigit():
            # A server that does not end the body itself (not granian): whoever reads it
            # (the forwarding, Flask, the bookkeeping's drain) reads through one limit,
            # so the drain never waits on the socket for bytes already taken.
            environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], int(length))
        return self.keeper(environ, start_response)

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # The admin API is the proxy's own: it is never forwarded.
        if str(environ.get("PATH_INFO", "")).startswith(ADMIN_PREFIX):
            answer: Iterable[bytes] = self.flask.wsgi_app(environ, start_response)
            return answer
        return self.forwarding(environ, start_response)

    def _operations(self, settings: MockConfig) -> tuple[catalogue.Operation, ...]:
        login = settings.thalamus_login_path
        apis = [m.name for m in MOUNTS[self.options.api]]
        return tuple(op for api in apis for op in catalogue.operations(api, login_path=login))

    def _error_reply(self, api: str, status: int) -> Reply:
        mount = self.mounts.get(api) or MOUNTS[self.options.api][0]
        return mount.http_error(self.state, status, "")

    def _flask(self, settings: MockConfig, mounts: Sequence[ApiMount]) -> Flask:
        # The workers' shared SQLite file under ``statuskit proxy``; in memory otherwise.
        flask, state = bare_app(__name__, settings, mounts)
        for mount in mounts:
            if mount is not ADMIN:
                # Their routes only: fault targets and route names. No view of theirs runs.
                flask.register_blueprint(mount.blueprint(settings))
        flask.register_blueprint(_admin_blueprint(self))
        _errors(flask, state)
        return flask

    def write_report(self, fmt: Format | None = None) -> DriftReport | None:
        """Write ``--report`` (if set) in ``fmt`` (default ``--format``); the report."""
        if self.options.report is None:
            return None
        return write_report(self.sink, self.options.report, fmt or self.options.format)

    def close(self) -> None:
        """Close the upstream connections, and let every observer and the sink that keep
        files finish them (the recorder's lifecycles, a worker's findings)."""
        self.forwarding.forwarder.close()
        for observer in (*self.observers, self.sink):
            close: Callable[[], object] | None = getattr(observer, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    log.exception("statuskit proxy: closing %s failed", type(observer).__name__)


def _errors(flask: Flask, state: MockState) -> None:
    """Admin errors in the admin API's format, never an HTML page."""

    def api() -> AdminApi:
        helpers: AdminApi = state.api(ADMIN_API)
        return helpers

    @flask.errorhandler(Rejection)
    def rejected(exc: Rejection) -> Response:
        return exc.reply.response()

    @flask.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = api().error(exc.code or 500, exc.description or exc.name).response()
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @flask.errorhandler(Exception)
    def crashed(exc: Exception) -> Response:
        log.exception("statuskit proxy failed on %s %s", request.method, request.path)
        return api().error(500, InternalServerError.description).response()


def _json(body: Any, status: int = 200) -> Response:
    return Reply(status, json.dumps(body, ensure_ascii=False).encode()).response()


def _no_query() -> None:
    if request.args:
        name = next(iter(request.args))
        raise Rejection(admin().error(400, f"query: '{name}' is not a parameter of this route"))


def _report_format(default: Format) -> Format:
    """The body's ``format`` (``{}`` or no body: ``default``); a 400 for anything else."""
    data = request.get_data(cache=True)
    if not data.strip():
        return default
    try:
        body = json.loads(data)
    except ValueError:
        raise Rejection(admin().error(400, "body: not JSON")) from None
    if not isinstance(body, dict):
        raise Rejection(admin().error(400, "body: send a JSON object, such as {}"))
    unknown = sorted(set(body) - {"format"})
    if unknown:
        raise Rejection(admin().error(400, f"body: '{unknown[0]}' is not a field of this route"))
    fmt = body.get("format", default)
    if fmt not in FORMATS:
        raise Rejection(admin().error(400, f"format: must be one of: {', '.join(FORMATS)}"))
    return cast("Format", fmt)


def _admin_blueprint(app: ProxyApp) -> Blueprint:
    """The proxy's admin API: the mock's fault and journal routes, findings and report."""
    bp = index_blueprint("proxy")
    fault_routes.register(bp)
    journal_routes.register(bp)

    @bp.get("/findings")
    def findings() -> Response:
        _no_query()
        return _json(app.sink.snapshot())

    @bp.post("/report")
    def report() -> Response:
        _no_query()
        fmt = _report_format(app.options.format)
        try:
            written = app.write_report(fmt)
        except ConfigError as exc:
            raise Rejection(admin().error(500, str(exc))) from None
        made = written or app.sink.report()
        body = {"written": app.options.report, "format": fmt, "report": made.to_dict()}
        return _json(body)

    return bp

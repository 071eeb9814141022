"""The dashboard, ``/__admin/ui/``: a page that watches and drives the admin API.

Static files (``static/``: HTML, ES modules, CSS, an SVG icon) with no build step and no
URL off the server; the page reads and writes the admin API under ``/__admin/v1/`` like any
client, sending ``X-Statuskit-UI: 1`` with every call. Besides the files, two reads the page
needs and the admin API does not give: a schema from the registry (the fault form's kinds
and settings come from ``faults-add-request.json``, never a copy in the script) and the
route names faults may target, per API. Access follows the admin API's rules, with a login
page for a browser (``_access``). ``statuskit serve`` and ``statuskit proxy`` both serve it
(``mockserver.admin.index_blueprint`` brings it along).
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response

from mockserver._inputs import Rejection, Reply
from mockserver.admin._api import admin
from mockserver.admin.ui import _access
from mockserver.admin.ui._access import HTML

__all__ = ["FILES", "PREFIX", "STATIC", "blueprint"]

PREFIX = "/__admin/ui"
STATIC = Path(__file__).with_name("static")
_TYPES = {
    ".html": HTML,
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: Every file the dashboard serves, by name: what ships in ``static/``, nothing else.
FILES = {path.name: path for path in sorted(STATIC.iterdir()) if path.suffix in _TYPES}
#: The page's policy: its own files and the admin API, nothing from anywhere else.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _file(name: str) -> Response:
    path = FILES.get(name)
    if path is None:
        raise Rejection(admin().error(404, f"the dashboard has no file '{name}'"))
    response = Response(path.read_bytes(), content_type=_TYPES[path.suffix])
    # Always asked again (cheap, loopback): an upgraded kit never runs a stale script.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _schema(api: str, name: str) -> Response:
    """A schema as written (annotations kept: ``x-settings`` names each fault kind's
    settings), from the registry."""
    registry = admin().state.gate.registry
    if api not in registry.apis() or name not in registry.names(api):
        raise Rejection(admin().error(404, f"no schema {api}/{name}.json"))
    return _json(registry.source(api, name))


def _json(body: object) -> Response:
    return Reply(200, json.dumps(body).encode()).response()


def _routes() -> Response:
    """The route names faults may target, per API this server serves."""
    keeper = admin().state.bookkeeping
    names = {} if keeper is None else {api: keeper.routes.names(api) for api in keeper.apis}
    return _json({"routes": names})


def _protect(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def blueprint() -> Blueprint:
    """The dashboard's routes under ``/__admin/ui/``, behind the admin API's access rules."""
    bp = Blueprint("admin_ui", __name__, url_prefix=PREFIX)
    bp.before_request(_access.gate)
    bp.after_request(_protect)
    bp.add_url_rule("/", "page", lambda: _file("index.html"), methods=["GET"])
    bp.add_url_rule("/<name>", "file", _file, methods=["GET"])
    bp.add_url_rule("/schemas/<api>/<name>.json", "schema", _schema, methods=["GET"])
    bp.add_url_rule("/routes.json", "routes", _routes, methods=["GET"])
    bp.add_url_rule("/session", "session", _access.session, methods=["POST"])
    return bp

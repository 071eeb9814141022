"""The admin API under ``/__admin/v1/``: the kit's own control surface, JSON in and out.

It drives the mock's clock, creates imports and files that follow scenarios, sets states,
configures faults, reads the request journal, and resets everything. It listens wherever the
server listens; off loopback it needs ``STATUSKIT_ADMIN_TOKEN`` (see ``docs/admin.md``).
Its bodies have schemas too (``schemas/admin/``): what it answers is checked like every other
body, and what it is sent is checked before a view reads it (``_inputs.py``), so bad input is
a 400 naming the field, never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app

from mockserver._inputs import Reply
from mockserver._mount import ApiMount
from mockserver._state import MockState
from mockserver.admin import clock, faults, journal, lifecycles, resources, ui
from mockserver.admin._api import API, PREFIX, AdminApi, admin
from mockserver.config import MockConfig

__all__ = ["MOUNT", "index_blueprint"]

#: The modules whose ``register(bp)`` adds their routes to every admin blueprint.
_ROUTE_MODULES = (clock, faults, journal, lifecycles, resources)


def index_blueprint(kind: str) -> Blueprint:
    """An admin blueprint with its guard, its input checks and its index (``GET /``, the
    admin routes served, naming the server ``kind``): the mock's, and the proxy's. The
    dashboard (``/__admin/ui/``) comes with it, wherever it is registered."""
    bp = Blueprint("admin", __name__, url_prefix=PREFIX)
    bp.record_once(lambda setup: setup.app.register_blueprint(ui.blueprint()))
    bp.before_request(lambda: admin().guard())
    # After the guard, so a caller without the token learns nothing from a 400.
    bp.before_request(lambda: admin().check_inputs())

    @bp.get("/")
    def index() -> Response:
        rules = sorted(
            f"{','.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))} {r.rule}"
            for r in _current_rules()
        )
        return admin().reply("index", {"version": 1, "kind": kind, "endpoints": rules})

    return bp


def blueprint(config: MockConfig) -> Blueprint:
    """The admin blueprint, with every admin module's routes."""
    bp = index_blueprint("mock")
    for module in _ROUTE_MODULES:
        module.register(bp)
    return bp


def _current_rules() -> list[Any]:
    return [r for r in current_app.url_map.iter_rules() if r.rule.startswith(PREFIX)]


def _http_error(state: MockState, status: int, description: str) -> Reply:
    api: AdminApi = state.api(API)
    return api.error(status, description)


MOUNT = ApiMount(
    name=API,
    prefixes=("/__admin/",),
    blueprint=blueprint,
    setup=AdminApi,
    seed=lambda state: None,
    http_error=_http_error,
)

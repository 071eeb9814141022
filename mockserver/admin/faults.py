"""Admin routes for faults: list them, add one, remove one or all (``docs/admin.md``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from mockserver._inputs import Rejection
from mockserver._middleware import Bookkeeper
from mockserver.admin._api import admin
from mockserver.faults import Fault, FaultError

__all__ = ["register"]


def _keeper() -> Bookkeeper:
    keeper = admin().state.bookkeeping
    assert keeper is not None
    return keeper


def _listed(fault: Fault, counters: dict[str, tuple[int, int]]) -> dict[str, Any]:
    matched, fired = counters.get(fault.id, (0, 0))
    return {**fault.as_json(), "matched": matched, "fired": fired}


def _listing() -> Response:
    keeper = _keeper()
    counters = keeper.faults.counters()
    faults = [Fault.stored(raw) for raw in keeper.state.control.state().faults]
    return admin().reply("fault-list", {"faults": [_listed(f, counters) for f in faults]})


def register(bp: Blueprint) -> None:
    """Add the fault routes."""

    @bp.get("/faults")
    def list_faults() -> Response:
        return _listing()

    @bp.post("/faults")
    def add_fault() -> Response:
        keeper = _keeper()
        try:
            fault = Fault.parse(admin().json_body(), apis=keeper.apis, routes=keeper.routes.known)
        except FaultError as exc:
            raise Rejection(admin().error(400, str(exc))) from None
        stored = keeper.faults.add(keeper.state.control, fault)
        return admin().reply("fault", _listed(stored, {}), 201)

    @bp.delete("/faults")
    def clear_faults() -> Response:
        _keeper().faults.remove(admin().state.control)
        return _listing()

    @bp.delete("/faults/<fault_id>")
    def remove_fault(fault_id: str) -> Response:
        if not _keeper().faults.remove(admin().state.control, fault_id):
            raise Rejection(admin().error(404, "no fault with that id"))
        return _listing()

"""Admin routes for the mock's clock: read it, freeze it, advance it, set it, reset it.

Bodies arrive checked against their schemas (``clock-*-request.json``); what a schema cannot
say is checked here: that a string moment parses, and that the clock stays in its range.
"""

from __future__ import annotations

from flask import Blueprint, Response

from mockserver._inputs import Rejection
from mockserver.admin._api import admin
from mockserver.control import Clock

__all__ = ["register"]


def _clock() -> Clock:
    clock = admin().state.clock
    assert isinstance(clock, Clock)
    return clock


def _answer() -> Response:
    return admin().reply("clock", _clock().describe())


def _moment() -> float:
    """``at`` as epoch seconds (a number, or an ISO-8601 date-time with its zone)."""
    return admin().moment("at", admin().json_body()["at"])


def _advance() -> None:
    """Move the clock by ``seconds``, unless that takes it out of its range."""
    seconds = float(admin().json_body()["seconds"])
    allowed, target = admin().inputs.clock, _clock()() + seconds
    if target not in allowed:
        message = (
            f"seconds: {seconds:.15g} would take the clock to {target:.15g}, outside {allowed}"
        )
        raise Rejection(admin().error(400, message))
    _clock().advance(seconds)


def register(bp: Blueprint) -> None:
    """Add the clock routes."""

    @bp.get("/clock")
    def clock_read() -> Response:
        return _answer()

    @bp.post("/clock/freeze")
    def clock_freeze() -> Response:
        body = admin().json_body()
        _clock().freeze(_moment() if "at" in body else None)
        return _answer()

    @bp.post("/clock/unfreeze")
    def clock_unfreeze() -> Response:
        _clock().unfreeze()
        return _answer()

    @bp.post("/clock/advance")
    def clock_advance() -> Response:
        _advance()
        return _answer()

    @bp.post("/clock/set")
    def clock_set() -> Response:
        _clock().set(_moment())
        return _answer()

    @bp.post("/clock/reset")
    def clock_reset() -> Response:
        _clock().reset()
        return _answer()

"""Admin routes for the request journal: read it, filtered, or clear it (``docs/admin.md``).

These routes are not journaled themselves, so reading the journal leaves it as it was.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from mockserver._inputs import Rejection
from mockserver.admin import admin, routes
from mockserver.journal import Journal

__all__: list[str] = []


def _journal() -> Journal:
    keeper = admin().state.bookkeeping
    if keeper is None or keeper.journal is None:
        raise Rejection(admin().error(404, "the journal is off (mock config journal = false)"))
    return keeper.journal


def _moment(name: str) -> float | None:
    """A query parameter as epoch seconds, or ``None`` when absent."""
    raw = request.args.get(name)
    return None if raw is None else admin().moment(name, raw)


def _limit() -> int | None:
    raw = request.args.get("limit")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Rejection(admin().error(400, "'limit' must be a whole number"))
    return int(raw)


@routes
def register(bp: Blueprint) -> None:
    """Add the journal routes."""

    @bp.get("/journal")
    def read_journal() -> Response:
        entries = _journal().read(
            path=request.args.get("path"),
            since=_moment("since"),
            until=_moment("until"),
            limit=_limit(),
        )
        return admin().reply("journal", {"entries": entries})

    @bp.delete("/journal")
    def clear_journal() -> Response:
        _journal().clear()
        return admin().reply("journal", {"entries": []})

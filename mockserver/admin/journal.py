"""Admin routes for the request journal: read it, filtered, or clear it (``docs/admin.md``).

These routes are not journaled themselves, so reading the journal leaves it as it was. The
query arrives checked against ``journal-read-query.json``; only the moments are parsed here.
"""

from __future__ import annotations

from flask import Blueprint, Response

from mockserver._inputs import Rejection
from mockserver.admin._api import admin
from mockserver.journal import Journal

__all__ = ["register"]


def _journal() -> Journal:
    keeper = admin().state.bookkeeping
    if keeper is None or keeper.journal is None:
        raise Rejection(admin().error(404, "the journal is off (mock config journal = false)"))
    return keeper.journal


def _moment(name: str) -> float | None:
    """A query parameter as epoch seconds, or ``None`` when absent."""
    raw = admin().query().get(name)
    return None if raw is None else admin().moment(name, raw)


def register(bp: Blueprint) -> None:
    """Add the journal routes."""

    @bp.get("/journal")
    def read_journal() -> Response:
        query = admin().query()
        entries = _journal().read(
            path=query.get("path"),
            since=_moment("since"),
            until=_moment("until"),
            real_since=_moment("real_since"),
            limit=query.get("limit"),
        )
        return admin().reply("journal", {"entries": entries})

    @bp.delete("/journal")
    def clear_journal() -> Response:
        _journal().clear()
        return admin().reply("journal", {"entries": []})

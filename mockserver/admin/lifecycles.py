"""Admin route for the lifecycles of the newest imports and files (``docs/admin.md``): each
record's whole timeline on the mock's clock, with each API's states, terminal states and
counters, and the clock's time now; the dashboard draws them as timelines.

The query arrives checked against ``lifecycles-read-query.json``. Which records: per API,
the newest ``limit`` by creation, those with a step on the mock's clock (made or changed by
the admin API or a replay) first (``Store.newest``), so a million generated records are
never walked; their timelines come in one read (``Store.timelines``). The facts come from
the schemas (``_record_facts``); the state of a step is the one its snapshot was stored with.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from mockserver._inputs import Rejection
from mockserver.admin._api import admin
from mockserver.admin._record_facts import RECORD_SCHEMAS, RecordFacts, record_facts
from mockserver.store import ALWAYS, Head, Snapshot, Store

__all__ = ["register"]

QUERY = "lifecycles-read-query"


def _served(name: str | None) -> list[str]:
    """The APIs asked about: ``name``, or every API with records the server serves."""
    served = [api for api in admin().state.apis or {} if api in RECORD_SCHEMAS]
    if name is None:
        return served
    if name not in served:
        raise Rejection(admin().error(404, f"this server does not serve the {name} API"))
    return [name]


def _label(head: Head) -> str:
    """The record's name and key, the key alone when it holds the name (a Tealium file's)."""
    if not head.name or head.key == head.name or head.key.endswith(f"/{head.name}"):
        return head.key
    return f"{head.name} ({head.key})"


def _step(facts: RecordFacts, snapshot: Snapshot) -> dict[str, Any]:
    state = snapshot.state or None
    return {
        "at": None if snapshot.at_ms <= ALWAYS else snapshot.at_ms / 1000,
        "state": state,
        "terminal": state in facts.terminal,
        "counters": facts.counts(snapshot.body),
    }


def _items(store: Store, api: str, facts: RecordFacts, limit: int) -> list[dict[str, Any]]:
    heads = store.newest(api, limit)
    timelines = store.timelines(api, [head.key for head in heads])
    return [
        {
            "api": api,
            "key": head.key,
            "label": _label(head),
            "created": head.created_ms / 1000 if head.timed else None,
            "steps": [_step(facts, snapshot) for snapshot in timelines[head.key]],
        }
        for head in heads
        if timelines.get(head.key)  # gone between the two reads (a reset)
    ]


def register(bp: Blueprint) -> None:
    """Add the lifecycles route."""

    @bp.get("/lifecycles")
    def read_lifecycles() -> Response:
        state, query = admin().state, admin().query()
        registry = state.gate.registry
        default = registry.definition("admin", "limit", schema=QUERY)["default"]
        limit: int = query.get("limit", default)
        apis = _served(query.get("api"))
        now = state.clock()
        facts = {api: record_facts(registry, api) for api in apis}
        items = [item for api in apis for item in _items(state.store, api, facts[api], limit)]
        body = {"now": now, "apis": {api: facts[api].as_dict() for api in apis}, "items": items}
        return admin().reply("lifecycles", body)

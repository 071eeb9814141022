"""The lifecycles a recording observed: for each resource, its states while it was polled and
the body it showed at each change.

A *resource* is what an API's status operation answers about: a Thalamus import (keyed by
its id) or a Tealium file (keyed ``account/profile/name``), the keys the mock stores them
under. Which answers are one is read from the catalogue: an operation whose 200 body is the
schema of a reference-client model that has a state (:data:`RESOURCE_MODELS`). Keys and
states are read through those models, tolerantly, so no field name is written here.

Times are milliseconds since the resource was first seen. The document this module builds is
``lifecycles.json`` (``schemas/admin/recording.json``), the body ``POST /__admin/v1/replay``
and ``statuskit serve --replay DIR`` load into the mock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from statuskit.client._models import FileStatus, ImportRecord
from statuskit.client.polling import current_state
from statuskit.errors import StatuskitError

__all__ = ["MAX_STEPS", "RESOURCE_MODELS", "VERSION", "Lifecycles", "resource_of"]

#: The recording format's version (``recording.json``'s ``version``).
VERSION = 1
#: [KIT] At most this many bodies per resource: past it, only a change of state adds one, so
#: a body that changes on every poll cannot grow a recording without bound.
MAX_STEPS = 500
#: The reference client's models of a resource, by the (api, schema) they read.
RESOURCE_MODELS: dict[tuple[str, str], type[ImportRecord] | type[FileStatus]] = {
    (model.LOCATION[0], model.LOCATION[1]): model for model in (ImportRecord, FileStatus)
}


def resource_of(api: str, schema: str, body: Any) -> tuple[str, str | None] | None:
    """The key and state of ``body``, an answer of ``api`` in ``schema``; ``None`` when it
    is not a resource, or too broken to say which one."""
    model = RESOURCE_MODELS.get((api, schema))
    if model is None:
        return None
    try:
        parsed = model.from_json(body)
    except StatuskitError:
        return None
    if isinstance(parsed, ImportRecord):
        return str(parsed.id), current_state(parsed)
    return f"{parsed.account}/{parsed.profile}/{parsed.file.name}", current_state(parsed)


@dataclass
class _Run:
    """One state, from its first to its last poll."""

    state: str | None
    first_ms: int
    last_ms: int
    polls: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "first_ms": self.first_ms,
            "last_ms": self.last_ms,
            "polls": self.polls,
        }


@dataclass
class _Lifecycle:
    api: str
    key: str
    operation: str
    first: float
    runs: list[_Run] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "key": self.key,
            "operation": self.operation,
            "states": [run.as_json() for run in self.runs],
            "steps": self.steps,
        }


class Lifecycles:
    """The lifecycles seen so far. Not thread-safe: the recorder holds its lock."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], _Lifecycle] = {}

    def __len__(self) -> int:
        return len(self._items)

    def see(
        self, api: str, operation: str, key: str, state: str | None, body: Any, at: float
    ) -> bool:
        """One sighting of resource ``key`` (its scrubbed body) at ``at`` (epoch seconds);
        whether the lifecycle changed shape (a new state or a new body)."""
        item = self._items.get((api, key))
        if item is None:
            item = self._items[api, key] = _Lifecycle(api, key, operation, at)
        # A sighting answered out of order (a slow poll overtaken) counts from the first one.
        ms = max(0, round((at - item.first) * 1000))
        changed = False
        last = item.runs[-1] if item.runs else None
        if last is not None and last.state == state:
            last.last_ms, last.polls = max(last.last_ms, ms), last.polls + 1
        else:
            start = max(ms, last.last_ms) if last is not None else ms
            item.runs.append(_Run(state, start, start))
            changed = True
        previous = item.steps[-1] if item.steps else None
        new_state = previous is None or previous["state"] != state
        new_body = previous is None or previous["body"] != body
        if new_state or (new_body and len(item.steps) < MAX_STEPS):
            at_ms = max(ms, previous["at_ms"]) if previous is not None else ms
            item.steps.append({"at_ms": at_ms, "state": state, "body": body})
            changed = True
        return changed

    def document(self) -> dict[str, Any]:
        """The ``lifecycles.json`` document (``schemas/admin/recording.json``)."""
        return {
            "version": VERSION,
            "resources": [item.as_json() for item in self._items.values()],
        }

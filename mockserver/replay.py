"""Replaying a recording: the lifecycles ``statuskit proxy --record DIR`` observed on a real
API, loaded into the mock as scenarios of kind ``recorded``.

A recording's ``lifecycles.json`` (``schemas/admin/recording.json``) is read by
``statuskit serve --replay DIR`` and posted to ``POST /__admin/v1/replay``; both end in
:func:`replay`. Each resource is stored under its recorded (scrubbed) key, and each step's
body is what it shows from that many milliseconds of the mock's clock after the replay on.
Every body passes the never-drifts gate as the API's own bodies do; a body that breaks its
API's strict schema refuses the whole recording (:class:`ReplayError`), and nothing is stored.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mockserver._state import MockState
from mockserver.scenarios import Recorded, RecordedStep
from mockserver.store import Record
from statuskit.errors import ConfigError, ContractViolation
from statuskit.findings import one_line

__all__ = [
    "LIFECYCLES",
    "ReplayError",
    "load_recording",
    "recorded",
    "replay",
    "replay_directory",
    "reseeder",
]

log = logging.getLogger("statuskit.mock")

#: The file of a recording's directory that holds its lifecycles.
LIFECYCLES = "lifecycles.json"
#: The counter that numbers new Thalamus imports (``mockserver.thalamus.api.ID_COUNTER``):
#: raised past every replayed id, so an import created later gets a new one.
_COUNTERS = {"thalamus": "thalamus:id"}


class ReplayError(ConfigError):
    """A recording the mock cannot replay; the message is one line naming the problem."""


def load_recording(directory: str | os.PathLike[str], state: MockState) -> dict[str, Any]:
    """``DIR/lifecycles.json``, read and checked against ``admin/recording``."""
    path = Path(directory) / LIFECYCLES
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReplayError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ReplayError(f"{path} is not JSON: {exc}") from None
    findings = state.gate.registry.validate("admin", "recording", document)
    if findings:
        raise ReplayError(f"{path}: {one_line(findings, 'body')}")
    if not isinstance(document, dict):  # the schema says so; this tells mypy
        raise ReplayError(f"{path}: not a recording")
    return document


def recorded(document: Mapping[str, Any]) -> list[Recorded]:
    """The recording's resources as ``recorded`` scenarios (``document`` is schema-valid)."""
    return [
        Recorded(
            api=item["api"],
            key=item["key"],
            steps=tuple(
                RecordedStep(step["at_ms"], step["state"], step["body"])
                for step in sorted(item["steps"], key=lambda s: s["at_ms"])
            ),
        )
        for item in document["resources"]
    ]


def replay(state: MockState, document: Mapping[str, Any]) -> list[Record]:
    """Store every resource of ``document`` from now on the mock's clock; all or nothing.

    Raises :class:`ReplayError` for a recording of an API this server does not serve, a
    body that breaks its API's schema, or a key that is not what its bodies say.
    """
    scenarios = recorded(document)
    if not scenarios:
        raise ReplayError("resources: the recording holds no resource to replay")
    start = state.now_ms()
    rows = [_row(state, i, scenario, start) for i, scenario in enumerate(scenarios)]
    state.store.put_many(rows)
    for api, counter in _COUNTERS.items():
        ids = [int(row.key) for row in rows if row.api == api and row.key.isdigit()]
        if ids:
            state.store.raise_counter(counter, max(ids))
    return rows


def replay_directory(directory: str | os.PathLike[str], state: MockState) -> list[Record]:
    """Replay ``DIR/lifecycles.json`` (``statuskit serve --replay DIR``); every problem is a
    :class:`ReplayError` whose one line names the file."""
    document = load_recording(directory, state)
    try:
        return replay(state, document)
    except ReplayError as exc:
        raise ReplayError(f"{Path(directory) / LIFECYCLES}: {exc}") from None


def reseeder(directory: str | os.PathLike[str]) -> Callable[[MockState], None]:
    """A seeding function that replays ``DIR`` again after each reset of the mock, so a
    served recording is part of its seed; a recording gone bad since is logged, not fatal."""

    def seed(state: MockState) -> None:
        try:
            replay_directory(directory, state)
        except ReplayError as exc:
            log.warning("statuskit mock: the recording was not replayed again: %s", exc)

    return seed


def _row(state: MockState, index: int, scenario: Recorded, start: int) -> Record:
    where = f"resources[{index}] ({scenario.api} {scenario.key})"
    api = (state.apis or {}).get(scenario.api)
    if api is None:
        raise ReplayError(f"{where}: this server does not serve the {scenario.api} API")
    snapshots = scenario.snapshots(start)
    _check_keys(where, scenario)
    try:
        row: Record = api.row(snapshots[0][1], snapshots[1:])
    except ContractViolation:
        raise ReplayError(_broken_step(where, scenario.api, api, snapshots)) from None
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        # Only with the gate off (validate_responses = false) can a body get this far.
        raise ReplayError(f"{where}: a body lacks what the mock needs ({exc!r})") from None
    if row.key != scenario.key:
        raise ReplayError(f"{where}: its bodies say its key is {row.key!r}")
    return row


def _check_keys(where: str, scenario: Recorded) -> None:
    """Every step is the same resource (a later body may not name another)."""
    # Imported here: the proxy's package may import the mock's machinery.
    from statuskit.proxy._lifecycles import RESOURCE_MODELS, resource_of

    schema = next((s for a, s in RESOURCE_MODELS if a == scenario.api), None)
    if schema is None:
        return
    for j, step in enumerate(scenario.steps):
        found = resource_of(scenario.api, schema, dict(step.body))
        if found is not None and found[0] != scenario.key:
            if j == 0:
                raise ReplayError(f"{where}: its bodies say its key is {found[0]!r}")
            raise ReplayError(f"{where}: steps[{j}]'s body is {found[0]!r}, another resource")


def _broken_step(
    where: str, name: str, api: Any, snapshots: Sequence[tuple[int, dict[str, Any]]]
) -> str:
    """Which step's body broke its API's strict schema, and how, in one line."""
    for j, (at_ms, body) in enumerate(snapshots):
        try:
            api.snapshot(at_ms, body)
        except ContractViolation as exc:
            reason = " ".join(str(exc).split())
            return f"{where}: steps[{j}]'s body breaks the {name} schema: {reason}"
    return f"{where}: a body breaks the {name} schema"

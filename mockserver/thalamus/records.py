"""Building Thalamus import records.

A new record is the documented example with the fields that identify and describe this
import replaced, so every field the schema requires is present without a field list in
code; the state's labels come from the schema's ``x-state-labels``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mockserver._generated import Draws
from mockserver.scenarios import Scenario, timeline
from statuskit.errors import SchemaLoadError
from statuskit.fixtures import documented
from statuskit.registry import SchemaRegistry

__all__ = ["FINAL_STATE_ID", "RecordFactory", "StateTable", "lifecycle"]

DAY_MS = 86_400_000
#: Generated records are created from 2025-01-01 on, over 600 days.
GENERATED_FROM_MS = 1_735_689_600_000
#: The words generated records' names start with.
GENERATED_NAMES = ("partnerSales", "partnerStock", "companies", "stores", "catalog", "prices")
#: Where generated records say their file is. The schema wants a URI, so the file name goes
#: in as one percent-encoded path segment.
FILES_URL = "https://files.statuskit.invalid/thalamus-imports"


@dataclass(frozen=True)
class StateTable:
    """The import states as the schema defines them: wire value, id and label."""

    ids: dict[str, int]
    labels: dict[str, str]

    @classmethod
    def from_registry(cls, registry: SchemaRegistry) -> StateTable:
        state = registry.definition("thalamus", "state")
        return cls(ids=dict(state["x-state-ids"]), labels=dict(state["x-state-labels"]))

    def by_id(self, state_id: int) -> str | None:
        """The wire value of the state with ``state_id``; ``None`` for an unknown id."""
        return next((s for s, i in self.ids.items() if i == state_id), None)

    def name(self, state_id: int) -> str:
        """The wire value of a state the mock relies on (see :data:`FINAL_STATE_ID`)."""
        found = self.by_id(state_id)
        if found is None:
            raise SchemaLoadError(f"thalamus/common.json: no state has the x-state-id {state_id}")
        return found


#: [DOC] The state ids the lifecycle uses (FACTS.md: Import states). The mock names states
#: by id, since their wire values are partly inferred and live only in the schema.
WAITING, PROCESSING, PROCESSED, ERROR_IN_FILE_FORMAT, CONFIGURATION_PENDING, CANCELED = range(1, 7)


class RecordFactory:
    """Makes schema-complete import records from the documented example."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.template: dict[str, Any] = documented("thalamus", "get-status", 200).load()
        self.states = StateTable.from_registry(registry)
        self.import_types: tuple[int, ...] = registry.enum("thalamus", "importType")
        self.state_names = tuple(self.states.ids)

    def build(
        self,
        *,
        id: int,
        name: str,
        file_name: str,
        import_type: int,
        state: str,
        created_ms: int,
        modified_ms: int | None = None,
        rows: int = 0,
        rows_ok: int = 0,
        rows_with_errors: int = 0,
        rows_skipped: int = 0,
        file_size: int = 0,
        url: str | None = None,
    ) -> dict[str, Any]:
        """A record in ``state`` with coherent counters."""
        record = copy.deepcopy(self.template)
        done = rows_ok + rows_with_errors + rows_skipped
        label = self.states.labels[state]
        record.update(
            id=id,
            name=name,
            fileName=file_name,
            owner={**record["owner"], "entityType": import_type},
            creationDate=created_ms,
            importDate=created_ms,
            modificationDate=created_ms if modified_ms is None else modified_ms,
            rows=rows,
            rowsOk=rows_ok,
            rowsWithErrors=rows_with_errors,
            rowsSkipped=rows_skipped,
            rowsRollbacked=0,
            rowsRollbackedWithErrors=0,
            totalToProcess=rows,
            percentageProcessed=round(100 * done / rows, 2) if rows else 0,
            state=state,
            stateInternationalizableKey=label.title().replace(" ", ""),
            internationalizedState=label,
            fileSize=file_size,
            url=url or f"{FILES_URL}/{id}/{quote(file_name, safe='')}",
        )
        return record

    def restate(self, record: dict[str, Any], state: str, *, at_ms: int) -> dict[str, Any]:
        """``record`` moved to ``state`` at ``at_ms``, its counters kept coherent: WAITING
        has handled nothing, PROCESSED has handled every row."""
        rows, errors, skipped = record["rows"], record["rowsWithErrors"], record["rowsSkipped"]
        ok = record["rowsOk"]
        if state == self.states.name(WAITING):
            ok = errors = skipped = 0
        elif state == self.states.name(PROCESSED):
            ok = max(rows - errors - skipped, 0)
        return self.build(
            id=record["id"],
            name=record["name"],
            file_name=record["fileName"],
            import_type=record["owner"]["entityType"],
            state=state,
            created_ms=record["creationDate"],
            modified_ms=max(at_ms, record["creationDate"]),
            rows=rows,
            rows_ok=ok,
            rows_with_errors=errors,
            rows_skipped=skipped,
            file_size=record["fileSize"],
            url=record["url"],
        )

    def draw(
        self, n: int, *, seed: int, first_id: int, columns_only: bool = False
    ) -> dict[str, Any]:
        """The :meth:`build` arguments of generated record ``n``: drawn from ``(seed, n)``
        alone, so any one record can be made without the others.

        Every value is in its schema's range by construction: counters are drawn within
        ``rows`` and never negative, times within 2025-2026, states and import types from the
        schema's own lists. The values the store's columns hold are drawn first; with
        ``columns_only`` the rest is not drawn (seeding a million needs no more).
        """
        rng = Draws("thalamus", seed, n)
        state = rng.choice(self.state_names)
        state_id = self.states.ids[state]
        rows = rng.randint(1, 5000) if state_id != WAITING else 0
        finished = state_id in (PROCESSED, CANCELED)
        done = rows if state_id == PROCESSED else rng.randint(0, rows) if finished else 0
        errors = rng.randint(0, done // 10) if done else 0
        created = GENERATED_FROM_MS + rng.randint(0, 600) * DAY_MS + rng.randint(0, DAY_MS)
        drawn = {
            "id": first_id + n,
            "name": f"{rng.choice(GENERATED_NAMES)}{n:05d}",
            "import_type": rng.choice(self.import_types),
            "state": state,
            "created_ms": created,
            "rows": rows,
            "rows_with_errors": errors,
        }
        if columns_only:
            return drawn
        skipped = rng.randint(0, (done - errors) // 20) if done else 0
        drawn.update(
            file_name=f"{drawn['name']}.xlsx",
            modified_ms=created + rng.randint(0, 3_600_000),
            rows_ok=done - errors - skipped,
            rows_skipped=skipped,
            file_size=rng.randint(1_000, 5_000_000),
        )
        return drawn

    def generated(self, count: int, *, seed: int, first_id: int) -> list[dict[str, Any]]:
        """``count`` varied records, the same for the same ``seed``: the stored-record path
        of what ``mockserver.thalamus._generated`` synthesises (a few, for tests)."""
        return [self.build(**self.draw(n, seed=seed, first_id=first_id)) for n in range(count)]


#: [KIT] The state each outcome ends in. Thalamus has no download step, so a file that
#: never arrives, and one whose processing breaks, end as an error in the file format.
FINAL_STATE_ID = {
    "processed": PROCESSED,
    "bad-format": ERROR_IN_FILE_FORMAT,
    "cancelled": CANCELED,
    "configuration-pending": CONFIGURATION_PENDING,
    "download-failure": ERROR_IN_FILE_FORMAT,
    "processing-failure": ERROR_IN_FILE_FORMAT,
}


def lifecycle(
    factory: RecordFactory,
    scenario: Scenario,
    *,
    id: int,
    name: str,
    file_name: str,
    import_type: int,
    created_ms: int,
    file_size: int = 0,
) -> list[tuple[int, dict[str, Any]]]:
    """The records an import shows over its lifecycle, each with the time it starts.

    WAITING, then PROCESSING while the counters, ``percentageProcessed`` and
    ``modificationDate`` advance together, then the outcome's final state.
    """
    out: list[tuple[int, dict[str, Any]]] = []
    for step in timeline(scenario):
        if step.phase == "downloaded":
            continue  # Thalamus shows no download step: still WAITING
        at = created_ms + round(step.at * 1000)
        if step.terminal:
            state_id = FINAL_STATE_ID[step.outcome or "processed"]
        else:
            state_id = WAITING if step.phase == "waiting" else PROCESSING
        state = factory.states.name(state_id)
        record = factory.build(
            id=id,
            name=name,
            file_name=file_name,
            import_type=import_type,
            state=state,
            created_ms=created_ms,
            modified_ms=at,
            rows=step.rows,
            rows_ok=step.ok,
            rows_with_errors=step.errors,
            rows_skipped=step.skipped,
            file_size=file_size,
        )
        out.append((at, record))
    return out

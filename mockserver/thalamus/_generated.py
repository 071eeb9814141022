"""Thalamus's generated imports: their store rows, and their bodies synthesised on demand.

Record ``n`` is :meth:`RecordFactory.draw` ``(n)``; its body is what
``gate.encode(factory.build(**draw))`` gives, rendered instead from one template per state
(the state decides the labels), each validated once when made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from mockserver._generated import Path, Template
from mockserver._http import Gate
from mockserver.thalamus.records import FILES_URL, RecordFactory
from statuskit.errors import ContractViolation

__all__ = ["GeneratedImports", "Row"]

API = "thalamus"
SCHEMA = "import-record"

#: A generated record's store row: key, name, category, created_ms, state, has_errors, gen.
Row = tuple[str, str, str, int, str, int, int]

#: The fields a generated record fills in, in :meth:`GeneratedImports.values`' order; every
#: other field is the template's (the documented example's, or the state's labels).
PATHS: tuple[Path, ...] = (
    ("id",),
    ("name",),
    ("fileName",),
    ("owner", "entityType"),
    ("creationDate",),
    ("importDate",),
    ("modificationDate",),
    ("rows",),
    ("rowsOk",),
    ("rowsWithErrors",),
    ("rowsSkipped",),
    ("totalToProcess",),
    ("percentageProcessed",),
    ("fileSize",),
    ("url",),
)


class GeneratedImports:
    """The generated imports of one seed: rows to load, and each body on demand.

    Making one validates a template per state and checks that the synthesis of each
    template's sample record gives the bytes the stored-record path gives.
    """

    def __init__(self, factory: RecordFactory, gate: Gate, *, seed: int, first_id: int) -> None:
        self.factory = factory
        self.seed = seed
        self.first_id = first_id
        self._templates: dict[str, Template] = {}
        for n in self._samples():
            record = factory.build(**self.draw(n))
            self._templates[record["state"]] = Template(gate, API, SCHEMA, record, PATHS)
            if self.body(n) != gate.encode(API, SCHEMA, record):
                raise ContractViolation(f"{API}: generated record {n} is not synthesised as built")

    def _samples(self) -> Iterator[int]:
        # The first record of each state (one in six is in each, so this stops soon).
        seen: set[str] = set()
        n = 0
        while len(seen) < len(self.factory.state_names):
            state = self.draw(n, columns_only=True)["state"]
            if state not in seen:
                seen.add(state)
                yield n
            n += 1

    def draw(self, n: int, *, columns_only: bool = False) -> dict[str, Any]:
        """The :meth:`RecordFactory.build` arguments of record ``n`` (only those the store's
        columns hold, with ``columns_only``)."""
        return self.factory.draw(
            n, seed=self.seed, first_id=self.first_id, columns_only=columns_only
        )

    @staticmethod
    def values(draw: dict[str, Any]) -> tuple[Any, ...]:
        """The values of :data:`PATHS` that ``build(**draw)`` gives, computed as it does."""
        rows, ok = draw["rows"], draw["rows_ok"]
        errors, skipped = draw["rows_with_errors"], draw["rows_skipped"]
        done = ok + errors + skipped
        created, name = draw["created_ms"], draw["file_name"]
        return (
            draw["id"],
            draw["name"],
            name,
            draw["import_type"],
            created,
            created,
            draw["modified_ms"],
            rows,
            ok,
            errors,
            skipped,
            rows,
            round(100 * done / rows, 2) if rows else 0,
            draw["file_size"],
            f"{FILES_URL}/{draw['id']}/{quote(name, safe='')}",
        )

    def body(self, n: int) -> bytes:
        """Record ``n``'s body, byte for byte what the stored-record path stores."""
        draw = self.draw(n)
        return self._templates[draw["state"]].render(self.values(draw))

    def row(self, n: int) -> Row:
        """Record ``n``'s store row: the columns the stored-record path would store."""
        draw = self.draw(n, columns_only=True)
        return (
            str(draw["id"]),
            draw["name"],
            str(draw["import_type"]),
            draw["created_ms"],
            draw["state"],
            int(draw["rows_with_errors"] > 0),
            n,
        )

    def rows(self, count: int) -> Iterator[Row]:
        """The store rows of records ``0 .. count - 1``, one at a time."""
        return map(self.row, range(count))

"""Tealium's generated files: their store rows, and their bodies synthesised on demand.

File ``n`` is :meth:`FileFactory.draw` ``(n)``; its body is what
``gate.encode(factory.build(**draw))`` gives, rendered instead from one template per shape
of history (how many steps, whether it failed: which entries and keys the body has), each
validated once when made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from mockserver._generated import Path, Template
from mockserver._http import Gate
from mockserver.tealium.files import COUNTERS, FileFactory, format_ms
from statuskit.errors import ContractViolation

__all__ = ["GeneratedFiles", "Row"]

API = "tealium"
SCHEMA = "file-status"

#: A generated file's store row: key, name, category, created_ms, state, has_errors, gen.
Row = tuple[str, str, str, int, str, int, int]
#: A history's shape: how many steps, and whether the last one failed.
Shape = tuple[int, bool]

#: The fields every generated file fills in, in :meth:`GeneratedFiles.values`' order; the
#: steps' times, counters and failure follow.
PATHS: tuple[Path, ...] = (
    ("_id", "$oid"),
    ("node_id",),
    ("created_at", "$date"),
    ("profile",),
    ("file", "name"),
    ("file", "size"),
    ("file", "checksum"),
    ("file", "line_count"),
)


def _paths(shape: Shape, counters: bool) -> tuple[Path, ...]:
    steps, failed = shape
    last = steps - 1
    out = [*PATHS, *(("status", i, "timestamp", "$date") for i in range(steps))]
    if counters:
        out += [("status", last, counter) for counter in COUNTERS]
    if failed:
        out.append(("status", last, "last_failure"))
    return tuple(out)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class GeneratedFiles:
    """The generated files of one seed, account and profile: rows to load, and each body on
    demand.

    Making one validates a template per shape of history and checks that the synthesis of
    each template's sample file gives the bytes the stored-record path gives.
    """

    def __init__(
        self, factory: FileFactory, gate: Gate, *, seed: int, account: str, profile: str
    ) -> None:
        self.factory = factory
        self.seed, self.account, self.profile = seed, account, profile
        self._templates: dict[Shape, Template] = {}
        for n in self._samples():
            draw = self.draw(n)
            status = factory.build(**draw)
            paths = _paths(self.shape(draw), draw["counters"] is not None)
            self._templates[self.shape(draw)] = Template(gate, API, SCHEMA, status, paths)
            if self.body(n) != gate.encode(API, SCHEMA, status):
                raise ContractViolation(f"{API}: generated file {n} is not synthesised as built")

    def _samples(self) -> Iterator[int]:
        # The first file of each shape: 1 to all steps, or all steps and failed.
        wanted = {*((steps, False) for steps in range(1, len(self.factory.progression) + 1))}
        wanted.add((len(self.factory.progression), True))
        n = 0
        while wanted:
            shape = self.shape(self.draw(n))
            if shape in wanted:
                wanted.discard(shape)
                yield n
            n += 1

    def draw(self, n: int, *, columns_only: bool = False) -> dict[str, Any]:
        """The :meth:`FileFactory.build` arguments of file ``n`` (only the store's columns,
        with ``columns_only``)."""
        return self.factory.draw(
            n,
            seed=self.seed,
            account=self.account,
            profile=self.profile,
            columns_only=columns_only,
        )

    @staticmethod
    def shape(draw: dict[str, Any]) -> Shape:
        """The shape of a drawn file's history."""
        return len(draw["steps_ms"]), bool(draw["failed"])

    @staticmethod
    def values(draw: dict[str, Any]) -> list[Any]:
        """The values of a shape's paths that ``build(**draw)`` gives, computed as it does."""
        name = draw["name"]
        digest = _md5(f"{draw['account']}/{draw['profile']}/{name}")
        out = [
            digest[:24],
            f"bulk_downloader_i-{digest[24:]}",
            format_ms(draw["created_ms"]),
            draw["profile"],
            name,
            draw["size"],
            _md5(name),
            draw["line_count"],
            *(format_ms(at) for at in draw["steps_ms"]),
        ]
        if draw["counters"] is not None:
            out += draw["counters"]
        if draw["failed"]:
            out.append(draw["failure"])
        return out

    def body(self, n: int) -> bytes:
        """File ``n``'s body, byte for byte what the stored-record path stores."""
        draw = self.draw(n)
        return self._templates[self.shape(draw)].render(self.values(draw))

    def row(self, n: int) -> Row:
        """File ``n``'s store row: the columns the stored-record path would store."""
        draw = self.draw(n, columns_only=True)
        category = f"{draw['account']}/{draw['profile']}"
        name = draw["name"]
        return f"{category}/{name}", name, category, draw["created_ms"], draw["state"], 0, n

    def rows(self, count: int) -> Iterator[Row]:
        """The store rows of files ``0 .. count - 1``, one at a time."""
        return map(self.row, range(count))

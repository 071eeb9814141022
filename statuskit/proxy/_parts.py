"""A recording made by several worker processes, in parts, and merged into one at the end.

Each worker's :class:`~statuskit.proxy._record.Recorder` appends to two files of its own
in the parts directory, one line per event, flushed as it goes (so a worker killed
mid-run loses at most the line it was writing, which the merge skips):

* ``exchanges-<pid>.jsonl``: each exchange as ``exchanges.jsonl`` has it, scrubbed, with
  the moment it started (:data:`STARTED`) in place of a number and time of its own;
* ``sightings-<pid>.jsonl``: each sighting of a resource, ``[api, operation, key, state,
  body, at]``, key and body scrubbed.

:func:`merge` writes the recording's two files from every worker's parts: the exchanges
in the order they started, numbered and timed from the first; the lifecycles built from
every sighting in the order they happened, as one recorder would have built them.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from statuskit.proxy._lifecycles import Lifecycles

__all__ = ["EXCHANGES", "LIFECYCLES", "STARTED", "merge", "open_parts", "write_lifecycles"]

EXCHANGES = "exchanges.jsonl"
LIFECYCLES = "lifecycles.json"
#: A part's key for when an exchange started (epoch seconds); never in the merged file.
STARTED = "started"


def open_parts(parts: str | os.PathLike[str]) -> tuple[TextIO, TextIO]:
    """This process's exchange and sighting files in ``parts``, opened to append."""
    pid = os.getpid()
    folder = Path(parts)
    exchanges = (folder / f"exchanges-{pid}.jsonl").open("a", encoding="utf-8")
    try:
        sightings = (folder / f"sightings-{pid}.jsonl").open("a", encoding="utf-8")
    except OSError:
        exchanges.close()
        raise
    return exchanges, sightings


def write_lifecycles(directory: Path, document: dict[str, Any]) -> None:
    """Replace ``directory/lifecycles.json`` whole with ``document`` (a reader never sees
    half a file); :class:`OSError` if it cannot."""
    path, partial = directory / LIFECYCLES, directory / f".{LIFECYCLES}.part"
    partial.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
    os.replace(partial, path)


def _lines(parts: Path, pattern: str) -> Iterator[Any]:
    for name in sorted(glob.glob(os.path.join(glob.escape(str(parts)), pattern))):
        with open(name, encoding="utf-8") as handle:
            for line in handle:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue  # the line a killed worker left half-written


def merge(parts: str | os.PathLike[str], directory: str | os.PathLike[str]) -> int:
    """Write ``exchanges.jsonl`` and ``lifecycles.json`` in ``directory`` from every
    worker's parts; the number of exchanges. :class:`OSError` if they cannot be written."""
    folder, target = Path(parts), Path(directory)
    exchanges = sorted(_lines(folder, "exchanges-*.jsonl"), key=lambda e: float(e[STARTED]))
    origin = float(exchanges[0][STARTED]) if exchanges else 0.0
    partial = target / f".{EXCHANGES}.part"
    with partial.open("w", encoding="utf-8") as out:
        for n, entry in enumerate(exchanges):
            started = float(entry.pop(STARTED))
            entry["n"] = n
            entry["at_ms"] = max(0, round((started - origin) * 1000))
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    os.replace(partial, target / EXCHANGES)
    lifecycles = Lifecycles()
    for api, operation, key, state, body, at in sorted(
        _lines(folder, "sightings-*.jsonl"), key=lambda s: float(s[-1])
    ):
        lifecycles.see(api, operation, key, state, body, float(at))
    write_lifecycles(target, lifecycles.document())
    return len(exchanges)

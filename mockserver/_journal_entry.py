"""One journal entry as every journal backend keeps it, and the filters a read applies.

An entry is JSON text made once per request from its parts: the described request (a
fragment with the method, path, query and credential names, already scrubbed of every
secret by ``mockserver._request_record``), then ``at``, ``real``, ``status``, ``hint``,
``fault`` and ``ms``. The worker's ``id`` and pid close it: a file backend knows them when it
writes, the PostgreSQL one only once the row has its id.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Queued", "closed", "is_glob", "line", "opened", "parsed", "select"]

#: An entry waiting to be kept: the described request (a JSON fragment) and its path, then
#: at, real, status, hint, fault and ms.
Queued = tuple[str, str, float, float, "int | None", "str | None", "str | None", float]


def _json(value: str | None) -> str:
    return "null" if value is None else json.dumps(value)


def opened(queued: Queued) -> str:
    """The entry's JSON object without its ``id``, ``worker`` and closing brace."""
    described, _path, at, real, status, hint, fault, ms = queued
    return (
        f'{{{described},"at":{at!r},"real":{real!r},'
        f'"status":{"null" if status is None else status},"hint":{_json(hint)},'
        f'"fault":{_json(fault)},"ms":{ms!r}'
    )


def closed(opened_text: str, worker: int, n: int) -> str:
    """An :func:`opened` entry closed with its id (``<worker pid>-<n>``) and worker."""
    return f'{opened_text},"id":"{worker}-{n}","worker":{worker}}}'


def line(queued: Queued, worker: int, n: int) -> bytes:
    """The entry as one line of a journal file."""
    return f"{closed(opened(queued), worker, n)}\n".encode()


def parsed(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """The entries of whole lines; a line still being written (no newline yet) is skipped."""
    for text in lines:
        if not text.endswith(b"\n"):
            continue
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if isinstance(entry, dict):
            yield entry


def is_glob(path: str) -> bool:
    """Whether a ``path`` filter is a glob (``*``, ``?`` or ``[``) rather than a prefix."""
    return any(c in path for c in "*?[")


def select(
    entries: Iterable[dict[str, Any]],
    *,
    after: float,
    path: str | None,
    since: float | None,
    until: float | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    """The entries that pass a read's filters, oldest first; ``limit`` keeps the latest.

    Entries whose request came (``real``) before ``after``, the last clear, are left out.
    """
    pattern = path is not None and is_glob(path)
    found = []
    for entry in entries:
        if entry.get("real", 0.0) < after:
            continue
        if since is not None and entry["at"] < since:
            continue
        if until is not None and entry["at"] > until:
            continue
        if path is not None:
            shown = str(entry.get("path", ""))
            if not (fnmatch.fnmatchcase(shown, path) if pattern else shown.startswith(path)):
                continue
        found.append(entry)
    found.sort(key=lambda e: (e.get("real", 0.0), e.get("worker", 0), e.get("id", "")))
    if limit is not None:
        found = found[-limit:] if limit > 0 else []
    return found

"""One journal entry as every journal backend keeps it, and the filters a read applies.

An entry is JSON text made once per request from its parts: the described request (a
fragment with the method, path, query and credential names, already scrubbed of every
secret by ``mockserver._request_record``), then ``at``, ``real``, ``status``, ``hint``,
``fault``, ``ms`` and the ``response`` (a JSON object already made and scrubbed by
``mockserver._response_record``). The worker's ``id`` and pid close it: a file backend
knows them when it writes, the PostgreSQL one only once the row has its id.

A file may keep a response once and have entries name it: an *answer line*
``{"answer": "<ref>", "response": {...}}`` comes before the entries whose ``response`` is
``"<ref>"``, in the same file. A poller's status answer is the same many times over; written
once, it costs the file (and a read) its size once.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Iterator
from typing import Any

from mockserver._response_record import NO_ANSWER

__all__ = ["Queued", "answer_line", "closed", "is_glob", "line", "opened", "parsed", "select"]

#: An entry waiting to be kept: the described request (a JSON fragment) and its path, then
#: at, real, status, hint, fault, ms and the response (a JSON object's text).
Queued = tuple[str, str, float, float, "int | None", "str | None", "str | None", float, str]
#: How an entry's ``real`` starts in its text. Only the key can hold these bytes: a quote
#: inside a JSON string is escaped, and ``real`` comes before the response's text.
_REAL = b'"real":'


def _json(value: str | None) -> str:
    return "null" if value is None else json.dumps(value)


def opened(queued: Queued, ref: str | None = None) -> str:
    """The entry's JSON object without its ``id``, ``worker`` and closing brace; with a
    ``ref``, its response is the answer line's of that name."""
    described, _path, at, real, status, hint, fault, ms, response = queued
    if ref is not None:
        response = f'"{ref}"'
    return (
        f'{{{described},"at":{at!r},"real":{real!r},'
        f'"status":{"null" if status is None else status},"hint":{_json(hint)},'
        f'"fault":{_json(fault)},"ms":{ms!r},"response":{response}'
    )


def closed(opened_text: str, worker: int, n: int) -> str:
    """An :func:`opened` entry closed with its id (``<worker pid>-<n>``) and worker."""
    return f'{opened_text},"id":"{worker}-{n}","worker":{worker}}}'


def line(queued: Queued, worker: int, n: int, ref: str | None = None) -> bytes:
    """The entry as one line of a journal file (its response by ``ref``, if given)."""
    return f"{closed(opened(queued, ref), worker, n)}\n".encode()


def answer_line(ref: str, response: str) -> bytes:
    """The line that keeps ``response`` (a JSON object's text) for entries naming ``ref``."""
    return f'{{"answer":"{ref}","response":{response}}}\n'.encode()


def _real(text: bytes) -> float | None:
    """An entry line's ``real``, read without parsing the line."""
    start = text.find(_REAL)
    if start < 0:
        return None
    start += len(_REAL)
    try:
        return float(text[start : text.find(b",", start)])
    except ValueError:
        return None


def parsed(lines: Iterable[bytes], *, after: float = 0.0) -> Iterator[dict[str, Any]]:
    """The entries of whole lines; a line still being written (no newline yet) is skipped.

    Lines whose ``real`` is before ``after`` are skipped before they are parsed: a poller
    reading only what is new does not pay for parsing every entry kept. Answer lines are
    read, never yielded: the entries after them that name them get their response.
    """
    answers: dict[str, Any] = {}
    for text in lines:
        if not text.endswith(b"\n"):
            continue
        if after:
            real = _real(text)
            if real is not None and real < after:
                continue
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if "answer" in entry:
            answers[str(entry["answer"])] = entry.get("response")
            continue
        response = entry.get("response")
        if isinstance(response, str):
            # Its answer line is always written first, in the same file.
            entry["response"] = answers.get(response, NO_ANSWER)
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
    real_since: float | None = None,
) -> list[dict[str, Any]]:
    """The entries that pass a read's filters, oldest first; ``limit`` keeps the latest.

    Entries whose request came (``real``) before ``after``, the last clear, or before
    ``real_since`` are left out.
    """
    pattern = path is not None and is_glob(path)
    if real_since is not None:
        after = max(after, real_since)
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

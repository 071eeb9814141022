"""The request journal: every request a mock received, and what it answered.

An entry holds the method, path and query, the names of the credentials the request
carried (never their values), the status, the near-miss hint, the fault injected, how long
the answer took to make, the worker's pid, when it came: on the mock's clock (``at``)
and in real time (``real``), and the answer: its type, length and body text, scrubbed
(``mockserver._response_record``).

:class:`Journal` describes each request once and hands the entry to where the state lives:

* state on PostgreSQL: a table in the same database, one journal for every instance and
  worker (``mockserver._journal_pg``);
* state in a SQLite file: each worker's own file next to it, merged on read
  (``mockserver._journal_files``);
* no state file (an app in process): memory.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from mockserver._journal_entry import Queued, line, parsed, select
from mockserver._journal_files import FLUSH_INTERVAL, FileJournal
from mockserver._request_record import PUBLIC_DEFAULTS, request_record, request_secrets
from mockserver._response_record import NO_ANSWER, answer_facts, response_record

__all__ = ["FLUSH_INTERVAL", "Journal"]

#: Described requests remembered per journal: a test or a benchmark repeats a few.
_MEMO_SIZE = 4096
#: Described answers remembered per journal, each of at most ``_MEMO_BODY`` bytes: a poller
#: gets the same answer many times over, and this bounds what the memo holds (8 MiB).
_ANSWER_MEMO_SIZE = 1024
_MEMO_BODY = 8192
_NO_ANSWER = json.dumps(NO_ANSWER)


class _Backend(Protocol):
    """Where entries are kept: memory, the workers' files, or a PostgreSQL table."""

    def append(self, queued: Queued) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def clear(self, now: float) -> None: ...
    def read(
        self,
        *,
        path: str | None,
        since: float | None,
        until: float | None,
        real_since: float | None,
        limit: int | None,
    ) -> list[dict[str, Any]]: ...


class _MemoryJournal:
    """The latest ``limit`` entries of this process, for an app without a state file.

    Entries are kept as queued and made into text only when read: a request pays for no
    formatting, and a repeated answer's text is one object shared by its entries.
    """

    def __init__(self, limit: int) -> None:
        self._entries: deque[tuple[Queued, int]] = deque(maxlen=limit)
        self._seq = 0

    def append(self, queued: Queued) -> None:
        self._seq += 1
        self._entries.append((queued, self._seq))

    def clear(self, now: float) -> None:
        self._entries.clear()

    def read(
        self,
        *,
        path: str | None,
        since: float | None,
        until: float | None,
        real_since: float | None,
        limit: int | None,
    ) -> list[dict[str, Any]]:
        after, pid = real_since or 0.0, os.getpid()
        lines = [line(q, pid, n) for q, n in list(self._entries) if q[3] >= after]
        return select(
            parsed(lines),
            after=0.0,
            path=path,
            since=since,
            until=until,
            real_since=real_since,
            limit=limit,
        )

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class Journal:
    """One worker's journal: it records its own entries and reads everyone's.

    ``store`` is the mock's state: on PostgreSQL (``store.kind == "postgresql"``) the
    journal is a table there, shared by every instance. Otherwise ``directory`` holds every
    worker's files (``None``: in memory, this process only), each keeping at least its
    latest ``limit`` entries. ``secrets`` are scrubbed wherever a request or its answer
    carried them, but for the kit's published defaults (``PUBLIC_DEFAULTS``). The answers of
    ``plain_apis`` (the kit's admin API) keep fields named like a credential (a lifecycle's
    ``key``): their bodies are the kit's own, and hold no API's credential.
    """

    def __init__(
        self,
        directory: str | None,
        limit: int,
        secrets: Sequence[str] = (),
        *,
        store: Any = None,
        plain_apis: Collection[str] = (),
    ) -> None:
        self.directory = directory
        self.plain_apis = frozenset(plain_apis)
        self.limit = max(1, limit)
        self.secrets = tuple(s for s in secrets if s and s not in PUBLIC_DEFAULTS)
        #: A request's key -> its JSON fragment, its path and the secrets it carried.
        self._memo: dict[tuple[Any, ...], tuple[str, str, tuple[str, ...]]] = {}
        self._answers: dict[tuple[Any, ...], str] = {}
        self._backend: _Backend
        if getattr(store, "kind", None) == "postgresql":
            # Imported here: psycopg is loaded only by servers whose state is on PostgreSQL.
            from mockserver._journal_pg import PgJournal

            self._backend = PgJournal(store, self.limit)
        elif directory is not None:
            self._backend = FileJournal(directory, self.limit)
        else:
            self._backend = _MemoryJournal(self.limit)

    def record(
        self,
        environ: Mapping[str, Any],
        *,
        api: str,
        at: float,
        real: float,
        status: int | None,
        hint: str | None = None,
        fault: str | None = None,
        ms: float = 0.0,
        headers: Sequence[tuple[str, str]] | None = None,
        body: bytes | None = None,
    ) -> None:
        """Keep one entry. Never raises for a store that is down: the entry is dropped.

        ``headers`` and ``body`` are the answer's (``None`` headers: nothing was answered;
        ``None`` body: it was not kept, a stream).
        """
        key = (
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
            environ.get("HTTP_COOKIE"),
            environ.get("HTTP_AUTHORIZATION"),
            environ.get("HTTP_THALAMUS_TOKEN"),
            "HTTP_THALAMUS_TOUCHPOINT" in environ,
            api,
        )
        described = self._memo.get(key)
        if described is None:
            shown = {**request_record(environ, self.secrets), "api": api}
            described = (json.dumps(shown)[1:-1], shown["path"], request_secrets(environ))
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = described
        text, path, carried = described
        answer = (
            _NO_ANSWER
            if headers is None
            else self._answer(headers, body, carried, fields=api not in self.plain_apis)
        )
        self._backend.append((text, path, at, real, status, hint, fault, ms, answer))

    def _answer(
        self,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
        carried: tuple[str, ...],
        *,
        fields: bool,
    ) -> str:
        """The entry's ``response`` as JSON text, remembered for the same answer."""
        small = body is None or len(body) <= _MEMO_BODY
        # The headers whole, not picked through: a tuple is made in C, a loop is not.
        key = (body, tuple(headers), carried, fields)
        found = self._answers.get(key) if small else None
        if found is not None:
            return found
        kind, encoding, length, cookies = answer_facts(headers)
        secrets = (*self.secrets, *carried, *(c for c in cookies if c not in PUBLIC_DEFAULTS))
        size = int(length) if length is not None and length.isdigit() else None
        found = json.dumps(
            response_record(kind, encoding, body, secrets, length=size, fields=fields)
        )
        if small:
            if len(self._answers) >= _ANSWER_MEMO_SIZE:
                self._answers.clear()
            self._answers[key] = found
        return found

    def flush(self) -> None:
        """Write what this worker queued (files); the other backends keep entries at once."""
        self._backend.flush()

    def close(self) -> None:
        """Write what is queued and let go of this worker's file, if any."""
        self._backend.close()

    def clear(self) -> None:
        """Forget every entry so far, for every worker (and every instance on PostgreSQL):
        reads leave out what came before now."""
        self._backend.clear(time.time())

    def read(
        self,
        *,
        path: str | None = None,
        since: float | None = None,
        until: float | None = None,
        real_since: float | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Entries oldest first, filtered; ``limit`` keeps the latest ones.

        ``path`` is a prefix, or a glob when it has ``*``, ``?`` or ``[``; ``since`` and
        ``until`` bound ``at`` (mock-clock seconds, inclusive); ``real_since`` bounds
        ``real`` (epoch seconds of real time, inclusive: a poller's cursor). Requests that
        came before the last :meth:`clear` are left out.
        """
        return self._backend.read(
            path=path, since=since, until=until, real_since=real_since, limit=limit
        )

"""The request journal: every request a mock received, and what it answered.

An entry holds the method, path and query, the names of the credentials the request
carried (never their values), the status, the near-miss hint, the fault injected, how long
the answer took to make, the worker's pid, and when it came: on the mock's clock (``at``)
and in real time (``real``).

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
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from mockserver._journal_entry import Queued, line, parsed, select
from mockserver._journal_files import FLUSH_INTERVAL, FileJournal
from mockserver._request_record import request_record

__all__ = ["FLUSH_INTERVAL", "Journal"]

#: Described requests remembered per journal: a test or a benchmark repeats a few.
_MEMO_SIZE = 4096


class _Backend(Protocol):
    """Where entries are kept: memory, the workers' files, or a PostgreSQL table."""

    def append(self, queued: Queued) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def clear(self, now: float) -> None: ...
    def read(
        self, *, path: str | None, since: float | None, until: float | None, limit: int | None
    ) -> list[dict[str, Any]]: ...


class _MemoryJournal:
    """The latest ``limit`` entries of this process, for an app without a state file."""

    def __init__(self, limit: int) -> None:
        self._lines: deque[bytes] = deque(maxlen=limit)
        self._seq = 0

    def append(self, queued: Queued) -> None:
        self._seq += 1
        self._lines.append(line(queued, os.getpid(), self._seq))

    def clear(self, now: float) -> None:
        self._lines.clear()

    def read(
        self, *, path: str | None, since: float | None, until: float | None, limit: int | None
    ) -> list[dict[str, Any]]:
        entries = parsed(list(self._lines))
        return select(entries, after=0.0, path=path, since=since, until=until, limit=limit)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class Journal:
    """One worker's journal: it records its own entries and reads everyone's.

    ``store`` is the mock's state: on PostgreSQL (``store.kind == "postgresql"``) the
    journal is a table there, shared by every instance. Otherwise ``directory`` holds every
    worker's files (``None``: in memory, this process only), each keeping at least its
    latest ``limit`` entries. ``secrets`` are scrubbed wherever a request carried them.
    """

    def __init__(
        self,
        directory: str | None,
        limit: int,
        secrets: Sequence[str] = (),
        *,
        store: Any = None,
    ) -> None:
        self.directory = directory
        self.limit = max(1, limit)
        self.secrets = tuple(secrets)
        self._memo: dict[tuple[Any, ...], tuple[str, str]] = {}
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
    ) -> None:
        """Keep one entry. Never raises for a store that is down: the entry is dropped."""
        key = (
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
            environ.get("HTTP_COOKIE"),
            environ.get("HTTP_AUTHORIZATION"),
            "HTTP_THALAMUS_TOKEN" in environ,
            "HTTP_THALAMUS_TOUCHPOINT" in environ,
            api,
        )
        described = self._memo.get(key)
        if described is None:
            shown = {**request_record(environ, self.secrets), "api": api}
            described = (json.dumps(shown)[1:-1], shown["path"])
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = described
        self._backend.append((*described, at, real, status, hint, fault, ms))

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
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Entries oldest first, filtered; ``limit`` keeps the latest ones.

        ``path`` is a prefix, or a glob when it has ``*``, ``?`` or ``[``; ``since`` and
        ``until`` bound ``at`` (mock-clock seconds, inclusive). Requests that came before
        the last :meth:`clear` are left out.
        """
        return self._backend.read(path=path, since=since, until=until, limit=limit)

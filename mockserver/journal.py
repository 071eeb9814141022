"""The request journal: every request a mock received, and what it answered.

An entry holds the method, path and query, the names of the credentials the request
carried (never their values), the status, the near-miss hint, the fault injected, how long
the answer took to make, the worker's pid, and when it came: on the mock's clock (``at``)
and in real time (``real``).

Recording must not make workers wait for each other, nor cost a request much. Each worker
queues its entries in memory; a thread of its own appends them to the worker's own file
(next to the shared state file) every few milliseconds, then writes the time it started
that flush to a tick file. A read, in any worker, notes the time, then waits until every
live worker has ticked past it: every request answered before the read is then on disk,
and the read merges all the files. An app without a state file (in process) keeps its
journal in memory. Clearing writes its time to a file next to the journals; a read leaves
out what came before it, so no worker ever touches another's file.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import json
import os
import struct
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from mockserver._request_record import request_record

__all__ = ["FLUSH_INTERVAL", "Journal"]

#: Seconds between a worker's flushes of its queued entries.
FLUSH_INTERVAL = 0.01
#: How long a read waits for the other workers' flushes before reading what is there.
SYNC_TIMEOUT = 2.0
_TICK = struct.Struct("<d")
#: Described requests remembered per journal: a test or a benchmark repeats a few.
_MEMO_SIZE = 4096


def _json(value: str | None) -> str:
    return "null" if value is None else json.dumps(value)


#: A queued entry: the described request (a JSON fragment), then at, real, status, hint,
#: fault and ms.
_Queued = tuple[str, float, float, "int | None", "str | None", "str | None", float]


class Journal:
    """One worker's journal: it records its own entries and reads everyone's.

    ``directory`` holds every worker's files (``None``: in memory, this process only).
    Each worker keeps at least its latest ``limit`` entries: at ``limit`` lines its file
    becomes the previous one, replacing the one before.
    """

    def __init__(self, directory: str | None, limit: int, secrets: Sequence[str] = ()) -> None:
        self.directory = directory
        self.limit = max(1, limit)
        self.secrets = tuple(secrets)
        self._memo: dict[tuple[Any, ...], str] = {}
        self._memory: deque[bytes] = deque(maxlen=self.limit)
        self._queue: deque[_Queued] = deque()
        self._flush_lock = threading.Lock()
        self._pid = -1
        self._fd = -1
        self._lines = 0
        self._seq = 0
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        _JOURNALS.add(self)

    # -- recording ---------------------------------------------------------------------

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
        """Queue one entry: no lock, no system call, on the request's path."""
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
            described = json.dumps({**request_record(environ, self.secrets), "api": api})[1:-1]
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = described
        queued = (described, at, real, status, hint, fault, ms)
        if self.directory is None:
            self._seq += 1
            self._memory.append(self._line(queued, os.getpid(), self._seq))
            return
        if self._thread is None:
            self._start()
        self._queue.append(queued)

    @staticmethod
    def _line(queued: _Queued, pid: int, seq: int) -> bytes:
        described, at, real, status, hint, fault, ms = queued
        return (
            f'{{{described},"at":{at!r},"real":{real!r},'
            f'"status":{"null" if status is None else status},"hint":{_json(hint)},'
            f'"fault":{_json(fault)},"ms":{ms!r},"id":"{pid}-{seq}","worker":{pid}}}\n'
        ).encode()

    def _start(self) -> None:
        with self._flush_lock:
            if self._thread is not None:
                return
            # The tick file exists before the first entry is queued, so a read that starts
            # after this request waits for this worker's flush.
            self._write_tick(0.0)
            self._thread = threading.Thread(
                target=_flusher,
                args=(weakref.ref(self), self._stopped),
                name="statuskit-journal",
                daemon=True,
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the flushing thread, write what is queued, and close this worker's file."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()
        with self._flush_lock:
            if self._pid == os.getpid():
                os.close(self._fd)
            self._pid, self._fd = -1, -1

    def flush(self) -> None:
        """Write every queued entry to this worker's file, then tick."""
        if self.directory is None:
            return
        with self._flush_lock:
            # Taken before the queue is drained: everything queued before it gets written.
            tick = time.time()
            lines = []
            pid = os.getpid()
            while self._queue:
                self._seq += 1
                lines.append(self._line(self._queue.popleft(), pid, self._seq))
            with contextlib.suppress(OSError):  # a full disk must not kill the worker
                for start in range(0, len(lines), 256):
                    self._write(lines[start : start + 256])
            self._write_tick(tick)

    def _path(self, suffix: str, pid: int | None = None) -> str:
        assert self.directory is not None
        return os.path.join(self.directory, f"journal-{pid or os.getpid()}{suffix}")

    def _write(self, lines: list[bytes]) -> None:
        if self._pid != os.getpid() or self._lines >= self.limit:
            if self._pid == os.getpid():
                os.close(self._fd)
                os.replace(self._path(".jsonl"), self._path(".old.jsonl"))
            self._fd = os.open(self._path(".jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._pid, self._lines = os.getpid(), 0
        os.write(self._fd, b"".join(lines))
        self._lines += len(lines)

    def _write_tick(self, tick: float) -> None:
        with contextlib.suppress(OSError):
            fd = os.open(self._path(".tick"), os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.pwrite(fd, _TICK.pack(tick), 0)
            finally:
                os.close(fd)

    def _forget_thread(self) -> None:
        # After a fork the flusher is the parent's: the child starts its own.
        self._thread, self._pid, self._fd = None, -1, -1
        self._flush_lock = threading.Lock()
        self._stopped = threading.Event()
        self._queue.clear()

    # -- clearing and reading --------------------------------------------------------

    def clear(self) -> None:
        """Forget every entry so far, for every worker: reads leave out what came before
        now. Only the time is written (to a file every worker reads); no file is cut."""
        now = time.time()
        if self.directory is None:
            self._memory.clear()
            return
        path = os.path.join(self.directory, "journal.cleared")
        with open(f"{path}.{os.getpid()}", "wb") as file:
            file.write(_TICK.pack(now))
        os.replace(f"{path}.{os.getpid()}", path)

    def _cleared(self) -> float:
        if self.directory is None:
            return 0.0
        return _ticked(os.path.join(self.directory, "journal.cleared"))

    def _sync(self) -> None:
        """Wait until every live worker has flushed what it queued before now."""
        assert self.directory is not None
        began = time.time()
        self.flush()
        deadline = time.monotonic() + SYNC_TIMEOUT
        waiting = set(glob.glob(os.path.join(glob.escape(self.directory), "journal-*.tick")))
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                if _ticked(name) > began or not _alive(name):
                    waiting.discard(name)
            if waiting:
                time.sleep(FLUSH_INTERVAL / 10)

    def _entries(self) -> Iterator[dict[str, Any]]:
        if self.directory is None:
            yield from _parsed(list(self._memory))
            return
        self._sync()
        for name in glob.glob(os.path.join(glob.escape(self.directory), "journal-*.jsonl")):
            with contextlib.suppress(OSError), open(name, "rb") as file:
                yield from _parsed(file)

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
        pattern = path is not None and any(c in path for c in "*?[")
        after = self._cleared()
        found = []
        for entry in self._entries():
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


_JOURNALS: weakref.WeakSet[Journal] = weakref.WeakSet()


def _flusher(ref: weakref.ref[Journal], stopped: threading.Event) -> None:
    # Holds the journal only while flushing, so a dropped app's journal can go, and its
    # thread with it.
    while not stopped.wait(FLUSH_INTERVAL):
        journal = ref()
        if journal is None:
            return
        journal.flush()
        del journal


def _after_fork() -> None:
    for journal in list(_JOURNALS):
        journal._forget_thread()


os.register_at_fork(after_in_child=_after_fork)


def _ticked(name: str) -> float:
    try:
        with open(name, "rb") as file:
            data = file.read(_TICK.size)
    except OSError:
        return 0.0
    return _TICK.unpack(data)[0] if len(data) == _TICK.size else 0.0


def _alive(tick_file: str) -> bool:
    pid = os.path.basename(tick_file).removeprefix("journal-").removesuffix(".tick")
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except ValueError:
        return False
    except PermissionError:
        return True
    return True


def _parsed(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    for line in lines:
        # A line still being written by its worker has no newline yet.
        if not line.endswith(b"\n"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            yield entry

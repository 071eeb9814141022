"""The journal in files, for server workers sharing a SQLite state file on one machine.

Recording must not make workers wait for each other, nor cost a request much. Each worker
queues its entries in memory; a thread of its own appends them to the worker's own file
(next to the shared state file) every few milliseconds, then writes the time it started
that flush to a tick file. A read, in any worker, notes the time, then waits until every
live worker has ticked past it: every request answered before the read is then on disk,
and the read merges all the files. Clearing writes its time to a file next to the
journals; a read leaves out what came before it, so no worker ever touches another's file.

A response (its body text up to 4 KiB) is written once per file, on an answer line, and the
entries that answered it name it: the journal of a poller getting the same answer grows by
the entries' size, not the answer's, and a read parses the answer once.
"""

from __future__ import annotations

import contextlib
import glob
import os
import struct
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator
from typing import Any

from mockserver._journal_entry import Queued, answer_line, line, parsed, select

__all__ = ["FLUSH_INTERVAL", "SYNC_TIMEOUT", "FileJournal"]

#: Seconds between a worker's flushes of its queued entries.
FLUSH_INTERVAL = 0.01
#: How long a read waits for the other workers' flushes before reading what is there.
SYNC_TIMEOUT = 2.0
_TICK = struct.Struct("<d")
#: Lines written at once.
_CHUNK = 256
#: Responses shorter than this are written in their entries: a name saves little.
_SHORT_ANSWER = 256
#: Answer lines a worker remembers having written to its file, at most.
_ANSWERS_KEPT = 1024


class FileJournal:
    """One worker's journal files in ``directory``, and the reads of every worker's.

    Each worker keeps at least its latest ``limit`` entries: at ``limit`` lines its file
    becomes the previous one, replacing the one before.
    """

    def __init__(self, directory: str, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        self._queue: deque[Queued] = deque()
        self._flush_lock = threading.Lock()
        self._pid = -1
        self._fd = -1
        self._lines = 0
        self._seq = 0
        #: The responses on an answer line in this worker's current file, by text: their ref.
        self._answers: dict[str, str] = {}
        self._refs = 0
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        _JOURNALS.add(self)

    # -- recording ---------------------------------------------------------------------

    def append(self, queued: Queued) -> None:
        """Queue one entry: no lock, no system call, on the request's path."""
        if self._thread is None:
            self._start()
        self._queue.append(queued)

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
        with self._flush_lock:
            # Taken before the queue is drained: everything queued before it gets written.
            tick = time.time()
            queued = []
            while self._queue:
                queued.append(self._queue.popleft())
            with contextlib.suppress(OSError):  # a full disk must not kill the worker
                for start in range(0, len(queued), _CHUNK):
                    self._write(queued[start : start + _CHUNK])
            self._write_tick(tick)

    def _path(self, suffix: str, pid: int | None = None) -> str:
        return os.path.join(self.directory, f"journal-{pid or os.getpid()}{suffix}")

    def _write(self, queued: list[Queued]) -> None:
        pid = os.getpid()
        if self._pid != pid or self._lines >= self.limit:
            if self._pid == pid:
                os.close(self._fd)
                os.replace(self._path(".jsonl"), self._path(".old.jsonl"))
            self._fd = os.open(self._path(".jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            # A new file: its answer lines are its own, so a read of it alone is whole.
            self._pid, self._lines, self._answers = pid, 0, {}
        lines: list[bytes] = []
        for entry in queued:
            self._seq += 1
            ref = self._ref(entry[-1], lines)
            lines.append(line(entry, pid, self._seq, ref))
        os.write(self._fd, b"".join(lines))
        self._lines += len(queued)

    def _ref(self, response: str, lines: list[bytes]) -> str | None:
        """The name of ``response`` in this file, its answer line added to ``lines`` the
        first time; ``None`` for a short one, written in its entry."""
        if len(response) < _SHORT_ANSWER:
            return None
        ref = self._answers.get(response)
        if ref is None:
            if len(self._answers) >= _ANSWERS_KEPT:
                self._answers.clear()
            self._refs += 1
            ref = self._answers[response] = f"a{self._refs}"
            lines.append(answer_line(ref, response))
        return ref

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
        self._answers = {}
        self._flush_lock = threading.Lock()
        self._stopped = threading.Event()
        self._queue.clear()

    # -- clearing and reading --------------------------------------------------------

    def clear(self, now: float) -> None:
        """Leave out of reads, for every worker, what came before ``now``: only the time is
        written (to a file every worker reads); no file is cut."""
        path = os.path.join(self.directory, "journal.cleared")
        with open(f"{path}.{os.getpid()}", "wb") as file:
            file.write(_TICK.pack(now))
        os.replace(f"{path}.{os.getpid()}", path)

    def read(
        self,
        *,
        path: str | None,
        since: float | None,
        until: float | None,
        real_since: float | None,
        limit: int | None,
    ) -> list[dict[str, Any]]:
        """Every worker's entries that pass the filters, oldest first (see ``select``)."""
        # The clear's time is read first: an entry is never hidden by a clear after the read.
        after = _ticked(os.path.join(self.directory, "journal.cleared"))
        entries = self.entries(after=max(after, real_since or 0.0))
        return select(
            entries,
            after=after,
            path=path,
            since=since,
            until=until,
            real_since=real_since,
            limit=limit,
        )

    def _sync(self) -> None:
        """Wait until every live worker has flushed what it queued before now."""
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

    def entries(self, *, after: float = 0.0) -> Iterator[dict[str, Any]]:
        """Every worker's entries, once every request answered before the call is written;
        those that came (``real``) before ``after`` are skipped unparsed."""
        self._sync()
        for name in glob.glob(os.path.join(glob.escape(self.directory), "journal-*.jsonl")):
            with contextlib.suppress(OSError), open(name, "rb") as file:
                yield from parsed(file, after=after)


_JOURNALS: weakref.WeakSet[FileJournal] = weakref.WeakSet()


def _flusher(ref: weakref.ref[FileJournal], stopped: threading.Event) -> None:
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

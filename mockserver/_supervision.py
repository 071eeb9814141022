"""What the supervised servers share: the one line that reports a worker's death.

A server worker can die under ``statuskit serve``: the OOM killer, a ``kill -9``, a crash in
native code. The server process keeps the listening socket, so the other workers go on
accepting while a replacement starts, and each death is reported in exactly one line::

    statuskit: worker 1 (pid 4242) died (killed by SIGKILL); replaced by pid 4250

The servers' own lines about that death are filtered out, so this line is the one.
``_supervised_granian`` and ``_supervised_gunicorn`` hook it into each server; this module
knows neither server.
"""

from __future__ import annotations

import logging
import re
import signal
import sys

__all__ = ["exit_reason", "not_replaced", "replaced", "silence"]


def exit_reason(returncode: int | None) -> str:
    """How a worker ended, from a return code as ``multiprocessing`` gives it (a negative
    one is the signal that killed it)."""
    if returncode is None:
        return "cause unknown"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    return f"exit code {returncode}"


def _say(line: str) -> None:
    # stderr, as `statuskit: stopped`. One write with its newline: print() writes the text
    # and the newline apart, and unbuffered (PYTHONUNBUFFERED) the new worker's first log
    # line could land between the two, in the middle of ours.
    sys.stderr.write(f"statuskit: {line}\n")
    sys.stderr.flush()


def replaced(number: int, pid: int | None, reason: str, new_pid: int | None) -> None:
    """Report that worker ``number`` died and a new process took its place."""
    _say(f"worker {number} (pid {pid}) died ({reason}); replaced by pid {new_pid}")


def not_replaced(number: int, pid: int | None, reason: str, why: str) -> None:
    """Report that worker ``number`` died and the server will not replace it."""
    _say(f"worker {number} (pid {pid}) died ({reason}); not replaced: {why}")


class _Silence(logging.Filter):
    """Drops a server's own lines about a worker's exit: the supervisor's line says it."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.match(str(record.msg))


def silence(logger: str, pattern: str) -> None:
    """Drop ``logger``'s records whose message (its template) starts with ``pattern``."""
    target = logging.getLogger(logger)
    if not any(isinstance(f, _Silence) and f.pattern.pattern == pattern for f in target.filters):
        target.addFilter(_Silence(pattern))

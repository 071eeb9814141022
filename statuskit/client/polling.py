"""Waiting for an import to finish: which states are terminal, and the polling loop.

The schemas say which states are terminal (``x-terminal-states``). Thalamus: ``PROCESSED``,
``ERROR_IN_FILE_FORMAT``, ``CANCELED`` and ``CONFIGURATION_PENDING`` are.
``CONFIGURATION_PENDING`` is not an end state of the import: it waits for a person to
configure the touchpoint's data source, and only then moves on. It is terminal *for a wait*,
because polling cannot change it: a waiter that kept polling would only time out, later and
with less to say. Returning the record lets the caller see the state and act. Tealium: the
file is done when its latest ``status[]`` entry is ``PROCESSED`` or ``FAILED_PROCESSING``, or
carries ``last_failure``. An unknown state is never terminal: the wait goes on until its
timeout, and the timeout error names the state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from statuskit.client._flow import Flow, Sleep
from statuskit.client._models import FileStatus, ImportRecord
from statuskit.errors import InvalidArgumentError, WaitTimeoutError
from statuskit.registry import default_registry

__all__ = [
    "current_state",
    "is_terminal",
    "terminal_states",
    "wait",
]

R = TypeVar("R", ImportRecord, FileStatus)


@functools.cache
def terminal_states(api: str) -> frozenset[str]:
    """The states of ``api`` (``"thalamus"``, ``"tealium"``) that end a wait."""
    # Which states end a wait is written beside the states themselves (x-terminal-states),
    # so a renamed or added state changes the schema alone. Read on first use: importing
    # the client does not load the schemas.
    registry = default_registry()
    if api == "thalamus":
        return frozenset(registry.definition("thalamus", "state")["x-terminal-states"])
    node = registry.definition("tealium", "state", schema="status-entry")
    return frozenset(node["x-terminal-states"])


def current_state(record: ImportRecord | FileStatus) -> str | None:
    """The record's state: Thalamus's ``state``, or Tealium's latest ``status[]`` entry's
    (``None`` while the history is empty)."""
    if isinstance(record, ImportRecord):
        return record.state
    return record.status[-1].state if record.status else None


def is_terminal(record: ImportRecord | FileStatus) -> bool:
    """Whether waiting for ``record`` is over (see the module's docstring for why)."""
    if isinstance(record, ImportRecord):
        return record.state in terminal_states("thalamus")
    if not record.status:
        return False
    last = record.status[-1]
    return last.state in terminal_states("tealium") or last.last_failure is not None


def wait(
    fetch: Callable[[], Flow[R]],
    *,
    what: str,
    clock: Callable[[], float],
    timeout: float,
    poll_interval: float,
    on_progress: Callable[[R], object] | None = None,
) -> Flow[R]:
    """Poll ``fetch`` until its record is terminal, then return that record.

    ``on_progress`` sees every record polled, the last included. Polls are
    ``poll_interval`` seconds apart; the last one falls at the deadline, and if that record
    is not terminal either, :class:`~statuskit.errors.WaitTimeoutError` carries it.
    """
    if timeout < 0 or poll_interval <= 0:
        raise InvalidArgumentError(
            f"timeout must be >= 0 and poll_interval > 0, not {timeout} and {poll_interval}"
        )
    started = clock()
    deadline = started + timeout
    while True:
        record = yield from fetch()
        if on_progress is not None:
            on_progress(record)
        if is_terminal(record):
            return record
        remaining = deadline - clock()
        if remaining <= 0:
            elapsed = clock() - started
            raise WaitTimeoutError(
                f"{what} is still {current_state(record) or 'without a state'} after "
                f"{elapsed:.1f}s; wait longer (timeout=) or check why it does not finish",
                last=record,
                elapsed=elapsed,
            )
        yield Sleep(min(poll_interval, remaining))

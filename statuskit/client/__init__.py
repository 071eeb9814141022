"""The reference client for Thalamus v4 and Tealium Omnichannel, blocking and async.

A thin client on httpx that the contract suites run against the mocks or the live APIs,
and that consumers may use directly::

    from statuskit.client import ThalamusClient

    with ThalamusClient.from_env("http://127.0.0.1:8000") as client:
        record = client.wait_for_completion(274, timeout=60, poll_interval=2)

Modules: ``thalamus`` and ``tealium`` (the clients), ``models`` (records generated from
the schemas), ``retry`` (the retry policy), ``polling`` (terminal states and waiting).
Every error is in :mod:`statuskit.errors`. Constructing a client also masks credentials in
httpx's and httpcore's own log records (see ``_redact.protect_library_logs``).
"""

from __future__ import annotations

from statuskit.client._drivers import AsyncOptions, SyncOptions
from statuskit.client.models import (
    FileCount,
    FileStatus,
    ImportPage,
    ImportRecord,
    Model,
    StatusEntry,
)
from statuskit.client.polling import current_state, is_terminal
from statuskit.client.retry import RetryEvent, RetryPolicy
from statuskit.client.tealium import AsyncTealiumClient, TealiumClient
from statuskit.client.thalamus import AsyncThalamusClient, ImportFilters, ThalamusClient

__all__ = [
    "AsyncOptions",
    "AsyncTealiumClient",
    "AsyncThalamusClient",
    "FileCount",
    "FileStatus",
    "ImportFilters",
    "ImportPage",
    "ImportRecord",
    "Model",
    "RetryEvent",
    "RetryPolicy",
    "StatusEntry",
    "SyncOptions",
    "TealiumClient",
    "ThalamusClient",
    "current_state",
    "is_terminal",
]

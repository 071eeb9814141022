"""The store's values, its error, and how a location is shown: what the backends and the
public face (``mockserver.store``) share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from statuskit.errors import StatuskitError

__all__ = [
    "ALWAYS",
    "GENERATED_COLUMNS",
    "RECORD_COLUMNS",
    "Db",
    "Head",
    "Record",
    "Session",
    "Snapshot",
    "StoreUnavailable",
    "redact_url",
]


#: The time of a record's first snapshot: it shows from the beginning of time.
ALWAYS = -(2**62)
#: What each row given to :meth:`Store.load_generated` holds, in order.
GENERATED_COLUMNS = ("key", "name", "category", "created_ms", "state", "has_errors", "gen")
#: Every column of ``records``, in order.
RECORD_COLUMNS = "api, key, name, folded, category, created_ms, state, has_errors, settled_ms, gen"


class StoreUnavailable(StatuskitError, ConnectionError):
    """The state store cannot be reached (server down, connection lost, pool exhausted).

    The message never holds the store's URL or password. The mock answers it with a 503 in
    the owning API's format; the next request tries again.
    """


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a record shows from ``at_ms`` (mock-clock milliseconds) on, until the next one."""

    at_ms: int
    body: bytes
    state: str = ""
    has_errors: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """One stored record: the columns the list and search endpoints filter on, its first
    body (shown from the beginning of time), and the ``later`` snapshots of its lifecycle."""

    api: str
    key: str
    body: bytes
    name: str
    category: str = ""
    state: str = ""
    created_ms: int = 0
    has_errors: bool = False
    later: tuple[Snapshot, ...] = ()

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """Every snapshot, the first one included, in time order."""
        first = Snapshot(ALWAYS, self.body, self.state, self.has_errors)
        return (first, *sorted(self.later, key=lambda s: s.at_ms))


@dataclass(frozen=True, slots=True)
class Head:
    """What :meth:`Store.newest` says of one record: its key, name and creation time, and
    whether its lifecycle has a step on the mock clock (``timed``: made or changed by the
    admin API or a replay; a seed or generated record shows one body from always)."""

    key: str
    name: str
    created_ms: int
    timed: bool


@dataclass(frozen=True, slots=True)
class Session:
    """A login session. ``secondary`` is a second secret bound to it (Tealium's utk)."""

    api: str
    token: str
    principal: str
    secondary: str
    expires: float

    def __repr__(self) -> str:
        return f"Session(api={self.api!r}, principal={self.principal!r}, token='***')"


class Db(Protocol):
    """A connection inside a transaction, as the shared SQL uses it (``?`` placeholders)."""

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


_PASSWORD = re.compile(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")


def redact_url(url: str) -> str:
    """``url`` fit to show: its password, and any ``password=`` parameter, as ``***``."""
    if "://" not in url:
        return _PASSWORD.sub(r"\1***", url)  # a path, or a key=value connection string
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, _, host = netloc.rpartition("@")
            if ":" in user:
                user = user.split(":", 1)[0] + ":***"
            netloc = f"{user}@{host}"
        query = urlencode(
            [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(parts.query)],
            safe="*",
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return f"{url.split('://', 1)[0]}://***"

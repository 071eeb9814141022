"""What the soak's threads share: the run's settings, the ledger of acknowledged records,
and each thread's tally of what it saw."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench._soak_wire import Checker, Op
from statuskit.credentials import TealiumCredentials, ThalamusCredentials

__all__ = ["Context", "Done", "Ledger", "Suspect", "Tally"]


class Done(Exception):
    """This API's request budget is spent, or the run's time is up."""


@dataclass(frozen=True)
class Suspect:
    """An answer that is only acceptable if the soak injected a fault into it."""

    tag: str  # the request's soak= tag, by which its journal entry is found ("" for admin)
    op: str
    kind: str  # "5xx", "dropped", "invalid"
    detail: str
    previous: str = ""  # the tag of the thread's request before (for a dropped connection)
    at: float = 0.0  # when it was sent (epoch seconds), to find what the server did then

    def __str__(self) -> str:
        return f"{self.op} [{self.tag or 'admin'}] {self.kind}: {self.detail}"


@dataclass
class Tally:
    """What one thread saw; merged at the end, so no thread waits on another to count."""

    statuses: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    suspects: list[Suspect] = field(default_factory=list)
    #: (variable, where) for every canary secret found in an answer.
    leaks: list[tuple[str, str]] = field(default_factory=list)
    admin_refusals: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts to this tally."""
        self.statuses.update(other.statuses)
        self.suspects.extend(other.suspects)
        self.leaks.extend(other.leaks)
        self.admin_refusals.extend(other.admin_refusals)

    def scan(self, secrets: dict[str, bytes], response: httpx.Response, where: str) -> None:
        """Record every canary secret in ``response``'s headers or body."""
        raw_headers = b"\n".join(k + b": " + v for k, v in response.headers.raw)
        for variable, canary in secrets.items():
            if canary in raw_headers:
                self.leaks.append((variable, f"{where}: a response header"))
            if canary in response.content:
                self.leaks.append((variable, f"{where}: a response body"))


class Ledger:
    """Every record the server acknowledged, and the ones requests may address."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.imports: list[tuple[int, str]] = []  # (id, how it was made)
        self.files: list[tuple[str, str, str]] = []  # (account, profile, name)
        self._known: dict[str, list[dict[str, str]]] = {"thalamus": [], "tealium": []}

    def add_import(self, record_id: int, how: str) -> None:
        """An import id the server acknowledged."""
        with self._lock:
            self.imports.append((record_id, how))
            self._known["thalamus"].append({"id": str(record_id)})

    def add_file(self, account: str, profile: str, name: str) -> None:
        """A file the server acknowledged."""
        with self._lock:
            self.files.append((account, profile, name))
            self._known["tealium"].append({"account": account, "profile": profile, "name": name})

    def known(self, api: str) -> list[dict[str, str]]:
        """The path values of ``api``'s acknowledged records, as its parameters name them
        (a live list, only ever appended to: read it, do not change it)."""
        return self._known.get(api, [])


@dataclass
class Context:
    """The run: where the server is, whose credentials, what to send, and the shared parts."""

    base_url: str
    ops: dict[str, tuple[Op, ...]]
    thalamus: ThalamusCredentials
    tealium: TealiumCredentials
    checker: Checker
    secrets: dict[str, bytes]
    admin_headers: dict[str, str]
    budget: int  # requests per API
    deadline: float  # time.monotonic() after which the run stops
    seed: int
    admin_ops: tuple[Op, ...] = ()
    ledger: Ledger = field(default_factory=Ledger)
    sent: dict[str, itertools.count[int]] = field(default_factory=dict)
    finished: threading.Event = field(default_factory=threading.Event)
    timed_out: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.sent = {api: itertools.count() for api in self.ops}
        self._issued = dict.fromkeys(self.ops, 0)
        self._extra = itertools.count()

    def ticket(self, api: str) -> str:
        """A tag for the next request of ``api``; :class:`Done` when none are left."""
        if time.monotonic() > self.deadline:
            self.timed_out.set()
            raise Done
        n = next(self.sent[api])
        if n >= self.budget:
            raise Done
        self._issued[api] = max(self._issued[api], n + 1)
        return f"{api[:2]}{n}"

    def unbudgeted(self, api: str) -> str:
        """A tag for a request outside the budget (reading records back at the end)."""
        return f"r{api[:2]}{next(self._extra)}"

    def issued(self) -> int:
        """Requests handed out so far, over every API (the admin threads pace by it)."""
        return sum(min(v, self.budget) for v in self._issued.values())

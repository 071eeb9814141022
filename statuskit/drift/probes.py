"""What a probe is: one read-only request, and what ``docs/wire.md`` says it should get.

An :class:`Expect` holds the status, the body's schema (by name: the schema itself stays in
the registry), the error content a refusal must carry and the headers the docs promise,
each marked documented or kit decision. The API modules (``_thalamus``, ``_tealium``) build
probes; :class:`Prober` sends them through :class:`~statuskit.drift._http.Http`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from statuskit.drift._http import Http
from statuskit.drift.describe import Redactor
from statuskit.drift.progress import Progress
from statuskit.registry import SchemaRegistry
from statuskit.secrets import REDACTED
from statuskit.wire import cookie_header

__all__ = [
    "ContentType",
    "Context",
    "Cookie",
    "Expect",
    "ExpectedValue",
    "HeaderRule",
    "Observation",
    "Probe",
    "Prober",
    "WwwAuthenticate",
]

_JSON_BODY = "docs/wire.md: errors outside the documented cases, 'A body is always JSON'"


@dataclass(frozen=True)
class ExpectedValue:
    """A value a refusal's body must hold at ``path`` (keys from the root)."""

    path: tuple[str, ...]
    value: Any
    documented: bool


class HeaderRule(ABC):
    """A promise about one response header."""

    name: str
    expected: str
    documented: bool
    source: str

    @abstractmethod
    def observe(self, response: httpx.Response) -> str | None:
        """``None`` when the header keeps the promise, else what was seen instead."""


@dataclass(frozen=True)
class ContentType(HeaderRule):
    """A JSON body comes as ``application/json`` [KIT]."""

    name: str = "Content-Type"
    expected: str = "application/json"
    documented: bool = False
    source: str = _JSON_BODY

    def observe(self, response: httpx.Response) -> str | None:
        """The Content-Type seen, unless it is JSON's."""
        value = response.headers.get("content-type")
        if value is not None and value.split(";")[0].strip().lower() == self.expected:
            return None
        return value if value is not None else "absent"


@dataclass(frozen=True)
class WwwAuthenticate(HeaderRule):
    """Thalamus's 401 names its scheme and realm [KIT]: ``expected``, as the catalogue
    writes the answer's ``WWW-Authenticate``."""

    expected: str
    name: str = "WWW-Authenticate"
    documented: bool = False
    source: str = "docs/wire.md: Thalamus v4, checks ('no login session')"

    def observe(self, response: httpx.Response) -> str | None:
        """The challenge seen, unless it is the expected one."""
        value = response.headers.get(self.name)
        return None if value == self.expected else (value if value is not None else "absent")


@dataclass(frozen=True)
class Cookie(HeaderRule):
    """A login sets a session cookie: any one, or one named ``cookie`` with ``attributes``."""

    cookie: str | None = None
    attributes: tuple[str, ...] = ()
    documented: bool = True
    source: str = "docs/wire.md"
    name: str = "Set-Cookie"

    @property
    def expected(self) -> str:  # type: ignore[override]
        """The promised cookie, as a report shows it."""
        name = f"{self.cookie}=…" if self.cookie else "a session cookie"
        return "; ".join([name, *self.attributes])

    def observe(self, response: httpx.Response) -> str | None:
        """The cookies seen (values masked), unless the promised one is among them."""
        headers = response.headers.get_list("set-cookie")
        shown = [_mask_cookie(h) for h in headers]
        if self.cookie is None:
            return None if cookie_header(headers) else "absent"
        for header in headers:
            name = header.split("=", 1)[0].strip()
            if name != self.cookie:
                continue
            attrs = {a.strip().lower() for a in header.split(";")[1:]}
            if all(a.lower() in attrs for a in self.attributes):
                return None
            return _mask_cookie(header)
        return " | ".join(shown) if shown else "absent"


def _mask_cookie(header: str) -> str:
    first, _, rest = header.partition(";")
    name, sep, _ = first.partition("=")
    return f"{name.strip()}{sep}{REDACTED}" + (f";{rest}" if rest else "")


@dataclass(frozen=True)
class Expect:
    """What a probe should get.

    ``schema`` names the body's schema (``None``: no body); ``values`` are what a refusal
    must say. ``auth`` marks a probe of authentication, whose differences are
    ``auth-behaviour-changed``. The ``documented_*`` flags say whether the status, the body's
    shape and the values are documented or kit decisions; ``source`` says where.
    """

    status: int
    schema: str | None = None
    values: tuple[ExpectedValue, ...] = ()
    auth: bool = False
    headers: tuple[HeaderRule, ...] = ()
    documented_status: bool = True
    documented_shape: bool = True
    source: str = "docs/wire.md"


@dataclass(frozen=True)
class Probe:
    """One request: its name in the report, its operation, and how it is sent."""

    name: str
    operation: str
    method: str
    path: str
    expect: Expect
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] | None = None


@dataclass
class Observation:
    """A probe and its answer; ``response`` is ``None`` when it was skipped.

    ``auth_problem`` says why a login that answered 200 gave no usable session.
    """

    probe: Probe
    response: httpx.Response | None
    skipped: str | None = None
    auth_problem: str | None = None


@dataclass
class Context:
    """What the API modules share with the run: options, inputs, the redactor and the
    environment the settings come from."""

    ids: Sequence[str]
    files: Sequence[str]
    discover: int
    page_size: int
    registry: SchemaRegistry
    redactor: Redactor
    progress: Progress
    planned: int = 0
    #: Where ``statuskit.credentials`` settings are read (a case's ``requires``).
    environ: Mapping[str, str] = field(default_factory=dict)


class Prober(ABC):
    """One API's probes, sent in order; subclasses say what to send and expect."""

    api: str

    def __init__(self, http: Http, context: Context) -> None:
        self.http = http
        self.context = context

    @abstractmethod
    def observations(self) -> Iterator[Observation]:
        """Log in, discover, probe: each answered (or skipped) probe as it happens."""

    def send(self, probe: Probe) -> Observation:
        """Send one probe and report progress."""
        request = self.http.build(
            probe.method, probe.path, params=probe.params, headers=probe.headers, data=probe.data
        )
        response = self.http.send(request)
        context = self.context
        path = probe.path if len(probe.path) <= 72 else probe.path[:40] + "…" + probe.path[-24:]
        label = context.redactor(f"{probe.method} {path} -> {response.status_code}")
        context.progress.update(self.http.sent, max(context.planned, self.http.sent), label)
        return Observation(probe, response)

    def plan(self, count: int) -> None:
        """Expect ``count`` more requests (for the progress estimate)."""
        self.context.planned = max(self.context.planned, self.http.sent) + count

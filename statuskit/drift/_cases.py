"""The refusals drift sends, read from the catalogue: every error case a read-only run can
trigger, each built from its operation's valid request and the case's request delta.

``schemas/<api>/operations.json`` writes each case down once: its status and code, the
request that triggers it (a delta from the operation's valid request) and its provenance.
Drift sends only GETs and logins, so a case that needs a body, a POST, a live session where
the operation takes none, or a repeat is not probed; nor is one marked ``mockOnly``, nor one
whose ``requires`` setting is not set. A case shared by several operations (the touchpoint
cases, Tealium's session cases) is sent once, on the first operation probed that lists it:
the budget goes to what differs, not to the same refusal on every route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from statuskit.catalogue import ErrorCase, Operation
from statuskit.credentials import setting
from statuskit.drift.probes import ContentType, Expect, ExpectedValue, HeaderRule, Probe

__all__ = [
    "Request",
    "Sender",
    "Settings",
    "Values",
    "case_probe",
    "expect",
    "read_only",
    "send_list",
    "settings",
]

#: A ``statuskit.credentials`` setting's value by name, ``None`` when unset.
Settings = Callable[[str], str | None]
#: How an API sends credentials: the query parameters and headers that carry them.
Sender = Callable[[Mapping[str, str | None]], tuple[dict[str, str], dict[str, str]]]
#: What a refusal's body must say, for a case and whether the docs vouch for its code.
Values = Callable[[ErrorCase, bool], tuple[ExpectedValue, ...]]


def settings(environ: Mapping[str, str]) -> Settings:
    """Settings as the environment holds them: ``tealium_forbidden_account`` is
    ``$STATUSKIT_TEALIUM_FORBIDDEN_ACCOUNT`` (``statuskit.credentials``'s naming)."""

    def value(name: str) -> str | None:
        return setting(name, environ)

    return value


@dataclass(frozen=True)
class Request:
    """A GET before it is a probe: the route, its path parameters, query and headers, and
    the credentials by their catalogue name (``touchpoint``, ``token``, ``session``) with
    the value sent, ``None`` for one left out. The prober says how each credential travels.
    """

    template: str
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    credentials: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def url_path(self) -> str:
        """The template with each parameter percent-encoded as one segment."""
        out = self.template
        for name, value in self.path.items():
            out = out.replace("{" + name + "}", quote(value, safe=""))
        return out

    def changed(self, op: Operation, case: ErrorCase, setting: Settings) -> Request:
        """This request with ``case``'s delta applied: each named part replaced, or left
        out where the catalogue says ``null``."""
        delta = case.request

        def resolve(where: str, name: str, value: Any) -> str | None:
            if isinstance(value, Mapping) and "setting" in value:
                return setting(str(value["setting"]))
            if isinstance(value, Mapping) and value.get("overMaxLength"):
                return op.over_max_length(where, name)
            return None if value is None else str(value)

        def merged(where: str, base: Mapping[str, Any], changes: Mapping[str, Any]) -> Any:
            out = dict(base)
            for name, value in changes.items():
                resolved = resolve(where, name, value)
                if resolved is None:
                    out.pop(name, None)
                else:
                    out[name] = resolved
            return out

        credentials = dict(self.credentials)
        for name, value in delta.credentials.items():
            credentials[name] = resolve("credential", name, value)
        return Request(
            self.template,
            merged("path", self.path, delta.path),
            merged("query", self.query, delta.query),
            merged("header", self.headers, delta.headers),
            credentials,
        )


def read_only(op: Operation, case: ErrorCase, setting: Settings) -> bool:
    """Whether drift may send ``case``: a GET with no body, no extra session, no repeat, not
    for the mock only, and every setting it needs set."""
    delta = case.request
    return (
        op.method == "GET"
        and not op.session
        and not case.mock_only
        and delta.body is None
        and not delta.logged_in
        and delta.repeat == 1
        and (case.requires is None or setting(case.requires) is not None)
    )


def send_list(
    targets: Iterable[tuple[Operation, Sequence[ErrorCase]]], setting: Settings
) -> list[tuple[Operation, ErrorCase]]:
    """The cases a run sends, in order: each read-only case once, on the first operation
    that lists it."""
    seen: set[tuple[str, str, object]] = set()
    out = []
    for op, cases in targets:
        for case in cases:
            key = (case.name, repr(case.request), case.provenance)
            if key in seen or not read_only(op, case, setting):
                continue
            seen.add(key)
            out.append((op, case))
    return out


def expect(
    op: Operation,
    case: ErrorCase,
    values: Values,
    headers: tuple[HeaderRule, ...] = (),
) -> Expect:
    """What ``case`` should get: its status (documented when the case is) and, when the
    status holds, its code and body (documented when :meth:`Operation.documented` vouches
    for them: a documented case under a kit-decision body has a kit-decision code)."""
    status_documented, body_documented = op.documented(case)
    body = op.body(case.status)
    schema = body.schema if body is not None else None
    return Expect(
        case.status,
        schema=schema,
        values=values(case, body_documented) if schema is not None and case.code else (),
        auth=bool(case.request.credentials) or case.status == 401,
        headers=((ContentType(),) if schema is not None else ()) + headers,
        documented_status=status_documented,
        documented_shape=body_documented,
        source=str(case.provenance),
    )


def case_probe(
    op: Operation,
    case: ErrorCase,
    valid: Request,
    *,
    setting: Settings,
    send: Sender,
    values: Values,
    headers: tuple[HeaderRule, ...] = (),
) -> Probe:
    """The probe of ``case``: ``valid`` changed by the case's delta, named after the case
    (``touchpointMissing``), or after its code when the catalogue names it by status and
    code (``id:InvalidId``: the probe's record shows the status beside it)."""
    sent = valid.changed(op, case, setting)
    params, sent_headers = send(sent.credentials)
    params.update(sent.query)
    sent_headers.update(sent.headers)
    wanted = expect(op, case, values, headers)
    name = case.code if case.name == str(case) and case.code else case.name
    return Probe(name, op.name, "GET", sent.url_path, wanted, params, sent_headers)

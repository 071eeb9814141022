"""The request checks: what an application sends wrong, against its route in the catalogue.

* a credential of the route's security group missing (each factor needs one of its
  schemes: Thalamus's touchpoint and token in the query or a header and the session cookie;
  Tealium v1's ``utk`` and its ``JSESSIONID`` cookie, each without the other; v2's bearer);
* a parameter outside its catalogue schema (a Tealium file name over its ``maxLength``, a
  Thalamus list filter with a bad value), or a required one absent;
* a query parameter the route does not document (neither a parameter nor a credential).

Findings name a parameter or a credential, never its value when the name is secret, and
never more of a value than :func:`statuskit.drift.describe.describe_value` shows (a value
over its length bound only by its length: a file name is identifying).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jsonschema import ValidationError

from statuskit.drift.describe import describe_schema, describe_value, json_type
from statuskit.drift.model import DriftFinding, Kind
from statuskit.drift.rules import severity_of
from statuskit.proxy._routes import Factor, Param, Route, Scheme

__all__ = ["PROBE", "RequestChecker", "Sent"]

#: The ``probe`` of every passive finding: what the report shows beside the operation.
PROBE = "traffic"
#: Parameter values whose verdict is kept (a poller repeats the same few).
_CACHE_SIZE = 4096
_LENGTH_KEYWORDS = frozenset({"maxLength", "minLength"})
_UNKNOWN = object()


class Sent:
    """The parts of a request the checks read, parsed once."""

    __slots__ = ("cookies", "headers", "path_values", "query")

    def __init__(
        self,
        query: Sequence[tuple[str, str]],
        headers: Iterable[tuple[str, str]],
        path_values: Mapping[str, str],
    ) -> None:
        self.query = query
        self.headers = {k.lower(): v for k, v in headers}
        self.path_values = path_values
        self.cookies: dict[str, str] = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, sep, value = part.partition("=")
            if sep and name.strip():
                self.cookies.setdefault(name.strip(), value.strip())

    def carries(self, scheme: Scheme) -> bool:
        """Whether the request carries ``scheme``'s credential, with a value."""
        if scheme.where == "query":
            return any(k == scheme.key and v for k, v in self.query)
        if scheme.where == "cookie":
            return bool(self.cookies.get(scheme.key))
        if scheme.where == "header":
            return bool(self.headers.get(scheme.key.lower()))
        value = self.headers.get("authorization", "")
        kind, _, credential = value.partition(" ")
        return kind.lower() == (scheme.http or "").lower() and bool(credential.strip())


class RequestChecker:
    """The request checks of one API's routes; parameter verdicts cached by value."""

    def __init__(self, api: str, secret_names: Iterable[str]) -> None:
        self.api = api
        self.secret = frozenset(name.lower() for name in secret_names)
        self._verdicts: OrderedDict[tuple[str, str, str, str], object] = OrderedDict()

    def check(self, route: Route, sent: Sent) -> list[DriftFinding]:
        """Every way the request breaks its route's contract."""
        found = [self._missing(route, f) for f in route.factors if not _satisfied(f, sent)]
        present: set[str] = set()
        for name, value in sent.query:
            present.add(name)
            param = route.params.get(("query", name))
            if param is not None:
                found.extend(self._value(route, param, value))
            elif name not in route.credential_queries:
                found.append(self._undocumented(route, name))
        for (where, name), param in route.params.items():
            if where == "path" and name in sent.path_values:
                found.extend(self._value(route, param, sent.path_values[name]))
            elif where == "header" and name.lower() in sent.headers:
                found.extend(self._value(route, param, sent.headers[name.lower()]))
            elif where == "query" and param.required and name not in present:
                found.append(self._absent(route, param))
        return _unique(found)

    # -- findings ----------------------------------------------------------------------

    def _finding(
        self,
        route: Route,
        kind: Kind,
        path: str,
        expected: str,
        observed: str,
        documented: bool,
        source: str | None,
    ) -> DriftFinding:
        return DriftFinding(
            severity=severity_of(kind, documented=documented),
            kind=kind,
            api=self.api,
            operation=route.operation.name,
            probe=PROBE,
            path=path,
            expected=expected,
            observed=observed,
            documented=documented,
            source=source,
        )

    def _missing(self, route: Route, factor: Factor) -> DriftFinding:
        schemes = [s for s in factor if s is not None]
        places = " or ".join(s.describe() for s in schemes)
        return self._finding(
            route,
            "request-credential-missing",
            f"<{places}>",
            f"a credential in {places} ({route.operation_id})",
            "absent",
            # The name of Thalamus's session cookie is a kit decision: a session sent under
            # another name breaks only the kit's guess.
            not any(s.kit for s in schemes),
            next((s.source for s in schemes if s.source), None),
        )

    def _undocumented(self, route: Route, name: str) -> DriftFinding:
        known = sorted({n for w, n in route.params if w == "query"} | route.credential_queries)
        expected = "one of " + ", ".join(known) if known else "no query parameter"
        return self._finding(
            route,
            "request-undocumented-parameter",
            f"<query {name}>",
            expected,
            "sent",
            True,
            None,
        )

    def _absent(self, route: Route, param: Param) -> DriftFinding:
        return self._finding(
            route,
            "request-invalid",
            f"<{param.where} {param.name}>",
            "present (required): " + describe_schema([param.spec["schema"]]),
            "absent",
            not param.spec.get("x-kit-decision"),
            param.spec.get("x-source"),
        )

    def _value(self, route: Route, param: Param, value: str) -> list[DriftFinding]:
        if value == "" and param.allow_empty:
            return []
        key = (route.operation_id, param.where, param.name, value)
        # One lookup: another thread may drop the entry between a test and a read.
        found = self._verdicts.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._judge(route, param, value)
            # Secret values are never kept, not even in memory past this request.
            if param.name.lower() not in self.secret:
                self._verdicts[key] = found
                if len(self._verdicts) > _CACHE_SIZE:
                    with contextlib.suppress(KeyError):
                        self._verdicts.popitem(last=False)
        return [found] if isinstance(found, DriftFinding) else []

    def _judge(self, route: Route, param: Param, value: str) -> DriftFinding | None:
        instance: Any = value
        errors = list(param.validator.iter_errors(value))
        if errors and any(e.validator == "type" for e in errors):
            # A query or path value is text on the wire: "2" is the integer 2.
            coerced = _number(value)
            if coerced is not None:
                instance, errors = coerced, list(param.validator.iter_errors(coerced))
        if not errors:
            return None
        error = min(errors, key=lambda e: len(e.path) + len(e.schema_path))
        return self._finding(
            route,
            "request-invalid",
            f"<{param.where} {param.name}>",
            describe_schema([_node(error), param.spec["schema"]]),
            _observed(instance, error, secret=param.name.lower() in self.secret),
            not (param.spec.get("x-kit-decision") or _node(error).get("x-kit-decision")),
            param.spec.get("x-source"),
        )


def _satisfied(factor: Factor, sent: Sent) -> bool:
    return any(scheme is None or sent.carries(scheme) for scheme in factor)


def _node(error: ValidationError) -> Mapping[str, Any]:
    return error.schema if isinstance(error.schema, Mapping) else {}


def _observed(value: Any, error: ValidationError, *, secret: bool) -> str:
    if error.validator in _LENGTH_KEYWORDS and isinstance(value, str) and not secret:
        return f"{json_type(value)} of {len(value)} characters"
    return describe_value(value, secret=secret)


def _number(value: str) -> int | float | None:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _unique(found: list[DriftFinding]) -> list[DriftFinding]:
    """One finding per key: a parameter sent twice with one bad value is one finding."""
    first: dict[tuple[str, ...], DriftFinding] = {}
    for finding in found:
        first.setdefault(finding.key, finding)
    return list(first.values())

"""From an answered probe to findings: status, headers, refusals and bodies.

Bodies of successful answers go to the shared :class:`~statuskit.drift.compare.Comparison`
(which merges them across probes and tallies enums); everything about the status line,
headers and refusals is decided here, from the probe's :class:`~statuskit.drift.probes.Expect`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import httpx

from statuskit.drift.compare import Comparison, json_path
from statuskit.drift.describe import describe_value
from statuskit.drift.model import DriftFinding, Kind
from statuskit.drift.probes import Expect, Observation, Probe
from statuskit.drift.rules import severity_of

__all__ = ["Evaluator"]

_NOT_FOUND = object()
#: Differences in a refusal's body that change its shape rather than one of its values.
_STRUCTURAL = frozenset(
    {"field-removed", "field-added", "type-changed", "nullability-changed", "format-changed"}
)


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _body(response: httpx.Response) -> Any:
    """The parsed JSON body, ``None`` for an empty one, ``_NOT_FOUND`` when not JSON."""
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        return _NOT_FOUND


def _shape(value: Any) -> str:
    if isinstance(value, Mapping):
        return "object with " + (", ".join(sorted(value)) or "no keys")
    return describe_value(value)


def _dig(body: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(body, Mapping) or part not in body:
            return _NOT_FOUND
        body = body[part]
    return body


class Evaluator:
    """Turns observations into findings for one API; bodies go to ``comparison``."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.api = comparison.api
        self.registry = comparison.registry

    def _finding(
        self,
        probe: Probe,
        kind: Kind,
        path: str,
        expected: str,
        observed: str,
        documented: bool,
        *,
        value_only: bool = False,
        schema: str | None = None,
    ) -> DriftFinding:
        return DriftFinding(
            severity=severity_of(kind, documented=documented, value_only=value_only),
            kind=kind,
            api=self.api,
            operation=probe.operation,
            probe=probe.name,
            path=path,
            expected=expected,
            observed=observed,
            documented=documented,
            schema=f"{self.api}/{schema}" if schema else None,
            source=probe.expect.source,
        )

    def evaluate(self, observation: Observation) -> tuple[list[DriftFinding], int]:
        """The findings about status, headers and refusals, and how many body findings went
        to the comparison."""
        found, body = self.judge(observation)
        return found, len(body)

    def judge(
        self, observation: Observation, *, keep: bool = True
    ) -> tuple[list[DriftFinding], list[DriftFinding]]:
        """The findings about status, headers and refusals, and those of a success body.

        With ``keep`` (a drift run) the body goes to the comparison, which keeps its
        findings and tallies its enums; without it (``statuskit proxy``, which counts
        repeated bodies itself) the body is only classified.
        """
        probe, response = observation.probe, observation.response
        if response is None:
            return [], []
        expect = probe.expect
        found: list[DriftFinding] = []
        if observation.auth_problem:
            found.append(
                self._finding(
                    probe,
                    "auth-behaviour-changed",
                    "<session>",
                    "a session to send back after a 200 login",
                    observation.auth_problem,
                    True,
                )
            )
        if response.status_code != expect.status:
            kind: Kind = "auth-behaviour-changed" if expect.auth else "status-code-changed"
            found.append(
                self._finding(
                    probe,
                    kind,
                    "<status>",
                    _status(expect.status),
                    _status(response.status_code),
                    expect.documented_status,
                )
            )
            # Another refusal still owes the API's error shape; anything else is not the
            # answer the schema describes, and the status says all there is to say.
            if response.status_code >= 400 and expect.schema == "error":
                found.extend(self._refusal(probe, expect, _body(response), values=False))
            return found, []
        for rule in expect.headers:
            if observation.auth_problem and rule.name == "Set-Cookie":
                continue
            seen = rule.observe(response)
            if seen is not None:
                path = f"<header {rule.name}>"
                found.append(
                    self._finding(
                        probe, "header-changed", path, rule.expected, seen, rule.documented
                    )
                )
        body = _body(response)
        if expect.schema == "error":
            found.extend(self._refusal(probe, expect, body, values=True))
            return found, []
        if expect.schema is None:
            if body is not None:
                shown = "a body that is not JSON" if body is _NOT_FOUND else _shape(body)
                found.append(
                    self._finding(
                        probe, "error-shape-changed", "$", "no body", shown, False, value_only=True
                    )
                )
            return found, []
        return found, self._success(probe, expect.schema, body, response, found, keep)

    def _success(
        self,
        probe: Probe,
        schema: str,
        body: Any,
        response: httpx.Response,
        found: list[DriftFinding],
        keep: bool = True,
    ) -> list[DriftFinding]:
        source = self.registry.source(self.api, schema)
        if body is None and not source.get("required"):
            return []  # an empty body where the schema requires nothing (Thalamus's login)
        if body is _NOT_FOUND:
            kind = response.headers.get("content-type", "no Content-Type")
            found.append(
                self._finding(
                    probe,
                    "type-changed",
                    "$",
                    str(source.get("type", "JSON")),
                    f"not JSON ({kind})",
                    True,
                    schema=schema,
                )
            )
            return []
        add = self.comparison.add if keep else self.comparison.classify
        return add(schema, body, operation=probe.operation, probe=probe.name)

    def _refusal(
        self, probe: Probe, expect: Expect, body: Any, *, values: bool
    ) -> list[DriftFinding]:
        """A refusal's body: one finding if its shape changed, else one per changed value."""
        required = self.registry.source(self.api, "error").get("required", [])
        shape = "object with " + ", ".join(required)
        if body is _NOT_FOUND or body is None:
            observed = "a body that is not JSON" if body is _NOT_FOUND else "no body"
            return [
                self._finding(
                    probe,
                    "error-shape-changed",
                    "$",
                    shape,
                    observed,
                    expect.documented_shape,
                    schema="error",
                )
            ]
        # A private comparison: a refusal's codes must not count as samples of an enum.
        private = Comparison(self.api, registry=self.registry)
        differences = private.add("error", body, operation=probe.operation, probe=probe.name)
        structural = [d for d in differences if d.kind in _STRUCTURAL]
        if structural:
            # One finding for the whole body: a new shape changes every path in it.
            return [
                self._finding(
                    probe,
                    "error-shape-changed",
                    "$",
                    shape,
                    _shape(body),
                    expect.documented_shape,
                    schema="error",
                )
            ]
        if not values:
            return []
        out = []
        kind: Kind = "auth-behaviour-changed" if expect.auth else "error-shape-changed"
        expected_paths = set()
        for wanted in expect.values:
            expected_paths.add(json_path(list(wanted.path)))
            actual = _dig(body, wanted.path)
            if actual == wanted.value and type(actual) is type(wanted.value):
                continue
            observed = "absent" if actual is _NOT_FOUND else describe_value(actual)
            out.append(
                self._finding(
                    probe,
                    kind,
                    json_path(list(wanted.path)),
                    json.dumps(wanted.value),
                    observed,
                    wanted.documented,
                    value_only=True,
                    schema="error",
                )
            )
        for difference in differences:
            if difference.path not in expected_paths:
                out.append(
                    self._finding(
                        probe,
                        "error-shape-changed",
                        difference.path,
                        difference.expected,
                        difference.observed,
                        difference.documented,
                        value_only=True,
                        schema="error",
                    )
                )
        return out

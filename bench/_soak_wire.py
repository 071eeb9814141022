"""The soak's reading of the operation catalogues (``schemas/<api>/operations.json``).

What each operation takes (parameters, credentials, body) and what each documented status
must carry, so that requests are generated from, and answers judged against, the one
source of truth. Bodies are checked with the registry's strict validators; a body seen
before is not validated twice (the same bytes give the same verdict).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from statuskit._catalogue_names import load, schema_target
from statuskit.registry import SchemaRegistry

__all__ = ["Checker", "Op", "Param", "load_ops"]


@dataclass(frozen=True)
class Param:
    """One parameter as the catalogue gives it."""

    name: str
    where: str  # path, query, header or cookie
    schema: dict[str, Any]
    required: bool
    either: str | None  # x-statuskit-either: one of a group of placements is enough


@dataclass(frozen=True)
class Op:
    """One catalogued operation."""

    api: str
    id: str
    method: str
    path: str  # the template, placeholders in braces
    params: tuple[Param, ...]
    #: Every factor must hold, each by one of its alternatives (None: the factor is optional).
    security: tuple[tuple[str | None, ...], ...]
    body: dict[str, Any]  # content type -> schema name or inline schema; empty: no body
    body_required: bool
    #: Documented status -> (api, schema name) of its body, or None where none is documented.
    responses: dict[int, tuple[str, str] | None]

    @property
    def route(self) -> str:
        """The route name faults are aimed with: ``GET /api/v4/import/status/{id}``."""
        return f"{self.method} {self.path}"

    def __str__(self) -> str:
        return f"{self.api} {self.id}"


def _param(raw: dict[str, Any]) -> Param:
    return Param(
        raw["name"],
        raw["in"],
        raw["schema"],
        bool(raw.get("required")),
        raw.get("x-statuskit-either"),
    )


def load_ops(registry: SchemaRegistry, api: str) -> tuple[Op, ...]:
    """Every operation of ``api``'s catalogue (checked, as the OpenAPI export reads it),
    with named parts resolved."""
    catalogue = load(registry, api)
    named_params = catalogue.get("parameters", {})
    named_responses = catalogue.get("responses", {})
    ops = []
    for raw in catalogue["operations"]:
        params = tuple(
            _param(named_params[p] if isinstance(p, str) else p) for p in raw.get("parameters", [])
        )
        responses: dict[int, tuple[str, str] | None] = {}
        for status, response in raw["responses"].items():
            resolved = named_responses[response["ref"]] if "ref" in response else response
            schema = resolved.get("schema")
            responses[int(status)] = None if schema is None else schema_target(api, schema)
        body = raw.get("requestBody") or {}
        ops.append(
            Op(
                api=api,
                id=raw["operationId"],
                method=raw["method"].upper(),
                path=raw["path"],
                params=params,
                security=tuple(tuple(f) for f in catalogue["security"][raw["security"]]),
                body=dict(body.get("content", {})),
                body_required=bool(body.get("required")),
                responses=responses,
            )
        )
    return tuple(ops)


class Checker:
    """Judges one answer against its operation's catalogue entry."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self._seen: dict[tuple[str, str, bytes], str | None] = {}
        self._lock = threading.Lock()

    def problem(self, op: Op, status: int, content: bytes) -> str | None:
        """What is wrong with this answer (``None``: nothing): an undocumented status, a
        body that is not JSON, or one that breaks its status's strict schema."""
        if status not in op.responses:
            return f"undocumented status {status}"
        target = op.responses[status]
        if target is None:
            return None
        key = (*target, hashlib.blake2b(content, digest_size=16).digest())
        if key in self._seen:
            return self._seen[key]
        verdict = self._judge(target, status, content)
        with self._lock:
            if len(self._seen) > 200_000:  # bounded: bodies of a long run mostly differ
                self._seen.clear()
            self._seen[key] = verdict
        return verdict

    def _judge(self, target: tuple[str, str], status: int, content: bytes) -> str | None:
        try:
            body = json.loads(content)
        except ValueError:
            return f"the {status} body is not JSON ({len(content)} bytes)"
        findings = self.registry.validate(*target, body, strict=True)
        if findings:
            return f"the {status} body breaks {'/'.join(target)} (strict): {findings[0]}"
        return None

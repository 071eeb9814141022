"""Contract coverage: which documented statuses, error codes, states and fields a run saw.

:class:`Coverage` observes every exchange at the transport (``ContractTransport``), so it
counts what went over the wire, whichever test or client sent it. The documented universe
is derived, not listed: statuses and error cases from the operation catalogues
(:mod:`statuskit.catalogue`), whose provenance marks each case documented or a kit
decision; error codes and states from the schemas' enums, fields from the 200 bodies'
schemas. :meth:`Coverage.summary` compares the two; :func:`render` prints it for the
terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx

from statuskit.catalogue import Operation, classify, error_cases, error_codes
from statuskit.contracts.checks import body_of
from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["Coverage", "render"]

#: The schema whose ``state`` enum is each API's documented states.
_STATE_SCHEMAS = {"thalamus": "common", "tealium": "status-entry"}


def _document(ref: str) -> str | None:
    """The schema name a ``$ref`` to a whole document names (``import-record.json``)."""
    return ref[: -len(".json")] if ref.endswith(".json") and "#" not in ref else None


@dataclass
class _Shape:
    """A schema compiled for walking instances: its properties (each with its path and
    shape), its array items, or the whole document it stands for."""

    props: dict[str, tuple[str, _Shape]] = field(default_factory=dict)
    items: _Shape | None = None
    document: str | None = None


class _Shapes:
    """Each document of one API compiled once into a :class:`_Shape`; a ``$ref`` to a whole
    document stays a reference, so each field belongs to the document that defines it."""

    def __init__(self, registry: SchemaRegistry, api: str) -> None:
        self.registry, self.api = registry, api
        self.docs: dict[str, _Shape] = {}

    def doc(self, name: str) -> _Shape:
        shape = self.docs.get(name)
        if shape is None:
            found = self.registry.registry.resolver().lookup(
                self.registry.uri(self.api, name, strict=True)
            )
            shape = self.docs[name] = _Shape()
            self._fill(shape, found.contents, "", found.resolver)
        return shape

    def _fill(self, shape: _Shape, node: Any, path: str, resolver: Any) -> None:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            target = _document(node["$ref"])
            if target is not None:
                shape.document = target
                return
            found = resolver.lookup(node["$ref"])
            self._fill(shape, found.contents, path, found.resolver)
            return
        for prop, sub in node.get("properties", {}).items():
            here = f"{path}.{prop}" if path else prop
            child = _Shape()
            self._fill(child, sub, here, resolver)
            shape.props[prop] = (here, child)
        if isinstance(node.get("items"), dict):
            shape.items = _Shape()
            self._fill(shape.items, node["items"], f"{path}[]", resolver)

    def fields(self, name: str) -> Iterator[str]:
        """Every field of document ``name`` and of the documents it refers to, as
        ``document:path``."""
        done: set[str] = set()
        todo = [name]
        while todo:
            doc = todo.pop()
            if doc in done:
                continue
            done.add(doc)
            stack = [self.doc(doc)]
            while stack:
                shape = stack.pop()
                if shape.document is not None:
                    todo.append(shape.document)
                for path, child in shape.props.values():
                    yield f"{doc}:{path}"
                    stack.append(child)
                if shape.items is not None:
                    stack.append(shape.items)

    def observe(self, name: str, value: Any, seen: Counter[str]) -> None:
        """Count each field of ``value`` (an instance of document ``name``) that is present
        with a value other than ``null``."""
        self._walk(name, self.doc(name), value, seen)

    def _walk(self, doc: str, shape: _Shape, value: Any, seen: Counter[str]) -> None:
        if shape.document is not None:
            self._walk(shape.document, self.doc(shape.document), value, seen)
            return
        if isinstance(value, dict):
            for prop, (path, child) in shape.props.items():
                if prop in value and value[prop] is not None:
                    seen[f"{doc}:{path}"] += 1
                    self._walk(doc, child, value[prop], seen)
        elif isinstance(value, list) and shape.items is not None:
            for item in value:
                self._walk(doc, shape.items, item, seen)


def _states(schema: str, body: Any) -> Iterator[str]:
    """The current states a 200 body shows: a record's ``state``, a file's latest step."""
    items = body if isinstance(body, list) else [body]
    if schema == "import-page" and isinstance(body, dict):
        items = body.get("items") or []
    for item in items:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("state"), str):
            yield item["state"]
        history = item.get("status")
        if isinstance(history, list) and history and isinstance(history[-1], dict):
            yield str(history[-1].get("state"))


def _sought(status: int) -> bool:
    """Whether a run should see ``status``: not a 5xx (a documented request never gets one)
    nor a 413 (the server's size limit, which no documented request reaches), though the
    catalogue lists both for every operation that may answer them."""
    return status < 500 and status != HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class Coverage:
    """Observes exchanges and compares them with the documented universe.

    ``ops`` are the catalogues' operations (``catalogue.operations(login_path=...)``);
    ``base_path`` the base URL's own path, stripped before an exchange is classified.
    """

    def __init__(
        self,
        ops: tuple[Operation, ...],
        apis: tuple[str, ...],
        *,
        base_path: str = "",
        registry: SchemaRegistry | None = None,
    ) -> None:
        self.ops = ops
        self.apis = apis
        self.base_path = base_path.rstrip("/")
        self.registry = registry or default_registry()
        self.requests: Counter[str] = Counter()
        self.statuses: dict[str, Counter[str]] = {api: Counter() for api in apis}
        self.cases: dict[str, Counter[str]] = {api: Counter() for api in apis}
        self.states: dict[str, Counter[str]] = {api: Counter() for api in apis}
        self.fields: dict[str, Counter[str]] = {api: Counter() for api in apis}
        self.other: dict[str, Counter[str]] = {api: Counter() for api in apis}
        self.shapes = {api: _Shapes(self.registry, api) for api in apis}
        self._paused = 0

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Record nothing inside the block: answers a test made the mock give (an injected
        fault) say nothing about the target's contract."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    # -- observing --------------------------------------------------------------------

    def observe(self, request: httpx.Request, response: httpx.Response) -> None:
        """Record one exchange (a transport observer)."""
        if self._paused:
            return
        path = request.url.path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path) :] or "/"
        if path.startswith("/__admin/"):
            return
        op = classify(self.ops, request.method, path)
        api = op.api if op else ("tealium" if path.startswith(("/v1/", "/v2/")) else "thalamus")
        if api not in self.statuses:
            return
        self.requests[api] += 1
        status = response.status_code
        if op is None:
            self.other[api][f"{request.method} {path[:80]} {status}"] += 1
            return
        self.statuses[api][f"{op.name} {status}"] += 1
        body = body_of(response)
        codes = list(self._codes(api, body)) if status >= 400 and isinstance(body, dict) else []
        for code in codes:
            self.cases[api][f"{op.name} {status} {code}"] += 1
        if (
            status >= 400
            and not codes
            and any(c.status == status and c.code is None for c in op.errors)
        ):
            # A case with no documented body (Thalamus's bare 401) is its status alone.
            self.cases[api][f"{op.name} {status}"] += 1
        spec = op.body(status)
        if 200 <= status < 300 and spec is not None and spec.schema is not None:
            for state in _states(spec.schema, body):
                self.states[api][state] += 1
            self.shapes[api].observe(spec.schema, body, self.fields[api])

    @staticmethod
    def _codes(api: str, body: dict[str, Any]) -> Iterator[str]:
        if api == "thalamus" and isinstance(body.get("errors"), dict):
            for field, code in body["errors"].items():
                yield f"{field}:{code}"
        elif api == "tealium" and "returnCode" in body:
            yield str(body["returnCode"])

    # -- the universe and the summary ---------------------------------------------------

    def universe(self, api: str) -> dict[str, list[str]]:
        """Every documented status, error case, code, state and field of ``api``."""
        ops = [op for op in self.ops if op.api == api]
        statuses = [
            f"{op.name} {status}" for op in ops for status in sorted(op.statuses) if _sought(status)
        ]
        # Tealium's v1 and v2 routes of one operation share keys (401 1401): listed once.
        cases = list(dict.fromkeys(f"{op.name} {case}" for op, case in error_cases(ops, api)))
        codes = sorted({c.value for _, c in error_cases(ops, api) if c.value is not None})
        states = self.registry.enum(api, "state", schema=_STATE_SCHEMAS[api])
        docs = {b.schema for op in ops for s, b in op.statuses.items() if s < 300 and b.schema}
        fields = sorted({key for doc in sorted(docs) for key in self.shapes[api].fields(doc)})
        return {
            "statuses": statuses,
            "error_cases": cases,
            "error_codes": codes,
            "states": [str(state) for state in states],
            "fields": fields,
        }

    def _statuses(self, api: str) -> set[str]:
        """Every status the catalogue lists, sought or not (:func:`_sought`)."""
        return {f"{op.name} {s}" for op in self.ops if op.api == api for s in op.statuses}

    def _schema_codes(self, api: str) -> dict[str, str]:
        """Every code of ``api``'s error schema, with its provenance."""
        return error_codes(api, registry=self.registry)

    def kit(self, api: str) -> set[str]:
        """The keys of the universe that are kit decisions, not documented behaviour: the
        cases the catalogue's provenance marks so (a key that several cases share, only
        when all of them are), and the codes the error schema's provenance marks so."""
        schema_codes = self._schema_codes(api)
        documented: set[str] = set()
        out: set[str] = set()
        for op, case in error_cases(self.ops, api):
            key = f"{op.name} {case}"
            kit_code = schema_codes.get(case.value or "", "").startswith("kit")
            if case.kit or kit_code:
                out.add(key)
            else:
                documented.add(key)
            if kit_code and case.value is not None:
                out.add(case.value)
        return out - documented

    def summary(self) -> dict[str, Any]:
        """Per API: for each kind, what was observed, what never was, and what was seen
        that the docs do not list."""
        out: dict[str, Any] = {}
        for api in self.apis:
            universe = self.universe(api)
            observed = {
                "statuses": set(self.statuses[api]),
                "error_cases": set(self.cases[api]),
                "error_codes": {
                    k.split(" ", 2)[2].rpartition(":")[2]
                    for k in self.cases[api]
                    if k.count(" ") == 2
                },
                "states": set(self.states[api]),
                "fields": set(self.fields[api]),
            }
            entry: dict[str, Any] = {"requests": self.requests[api]}
            for kind, documented in universe.items():
                entry[kind] = {
                    "documented": len(documented),
                    "observed": sorted(k for k in documented if k in observed[kind]),
                    "never": [k for k in documented if k not in observed[kind]],
                }
                if kind != "fields":
                    known = self._statuses(api) if kind == "statuses" else set(documented)
                    entry[kind]["undocumented"] = sorted(observed[kind] - known)
            entry["error_codes"]["produced_by_no_documented_request"] = sorted(
                set(self._schema_codes(api)) - set(universe["error_codes"])
            )
            entry["kit_decisions"] = sorted(self.kit(api))
            entry["notes"] = {
                f"{op.name} {case}": case.note
                for op, case in error_cases(self.ops, api)
                if case.note
            }
            entry["unclassified"] = dict(sorted(self.other[api].items()))
            out[api] = entry
        return out


def render(summary: dict[str, Any], *, target: str) -> list[str]:
    """The summary as terminal lines: one count line per kind, then what was never seen."""
    lines = [f"contract coverage of {target}"]
    for api, entry in summary.items():
        lines.append(f"{api} ({entry['requests']} requests):")
        for kind in ("statuses", "error_cases", "error_codes", "states", "fields"):
            part = entry[kind]
            label = kind.replace("_", " ")
            lines.append(f"  {label}: {len(part['observed'])}/{part['documented']} observed")
            for key in part["never"]:
                kit = " [KIT]" if key in entry["kit_decisions"] else ""
                note = entry["notes"].get(key, "")
                lines.append(f"    never: {key}{kit}" + (f" ({note})" if note else ""))
            for key in part.get("undocumented", ()):
                lines.append(f"    undocumented: {key}")
        unreachable = entry["error_codes"]["produced_by_no_documented_request"]
        if unreachable:
            lines.append(
                f"  in the error schema, produced by no documented request: {len(unreachable)}"
            )
        if entry["unclassified"]:
            shown = ", ".join(f"{k} x{v}" for k, v in entry["unclassified"].items())
            lines.append(f"  other requests: {shown}")
    return lines

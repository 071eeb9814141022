"""The comparison engine: a body against its strict schema, every difference classified.

The strict validator (the one the mock is held to) finds the differences; each of its
errors is mapped to a kind by the keyword that failed, located in the hand-written schema
by following ``$ref`` hops, and told documented or kit decision by the annotations found
on the way. Nothing here knows a field name: a schema change reaches drift detection
without an edit.

Enum values are tallied across every body compared, so that a value never seen over many
samples can be reported (``enum-value-removed``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from jsonschema import ValidationError

from statuskit.drift._walk import Hop, SchemaWalker, json_path
from statuskit.drift.describe import describe_schema, describe_value, json_type, secret_keys
from statuskit.drift.model import DriftFinding, Kind, merge
from statuskit.drift.rules import severity_of
from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["Comparison", "compare", "json_path"]

_KIND_OF_KEYWORD: Mapping[str, Kind] = {
    "required": "field-removed",
    "additionalProperties": "field-added",
    "enum": "enum-value-added",
    "const": "enum-value-added",
}
#: Enums of at least this many samples may report a value never seen.
DEFAULT_MIN_ENUM_SAMPLES = 100


@dataclass
class _Site:
    """Where one enum was seen: its node and what values it took."""

    hops: tuple[Hop, ...]
    operation: str
    probe: str
    schema: str
    seen: Counter[Any] = field(default_factory=Counter)


class Comparison:
    """Bodies compared one by one against their schemas, findings kept across all of them.

    ``add`` returns one body's findings; ``findings`` merges everything added so far (a
    difference seen in 27 bodies is one finding with ``samples`` 27) and adds the enum
    values never seen over at least ``min_enum_samples`` samples.
    """

    def __init__(
        self,
        api: str,
        *,
        registry: SchemaRegistry | None = None,
        min_enum_samples: int = DEFAULT_MIN_ENUM_SAMPLES,
    ) -> None:
        self.api = api
        self.registry = registry or default_registry()
        self.min_enum_samples = min_enum_samples
        self.walk = SchemaWalker(api, self.registry)
        self._found: list[DriftFinding] = []
        self._sites: dict[tuple[str, str, str], _Site] = {}

    # -- classification -----------------------------------------------------------------

    def _secret_key(self, parts: Sequence[Any]) -> bool:
        keys = secret_keys(self.registry)
        return any(isinstance(p, str) and p.lower() in keys for p in parts)

    def add(
        self, schema: str, instance: Any, *, operation: str | None = None, probe: str = "body"
    ) -> list[DriftFinding]:
        """Compare one body with schema ``schema`` of this API; return its findings (kept
        for :meth:`findings`, its enum values tallied)."""
        found = self.classify(schema, instance, operation=operation, probe=probe)
        self._found.extend(found)
        self.tally(schema, instance, operation=operation, probe=probe)
        return found

    def classify(
        self, schema: str, instance: Any, *, operation: str | None = None, probe: str = "body"
    ) -> list[DriftFinding]:
        """One body's findings, neither kept nor tallied: for an observer that keeps its
        own count of repeated bodies (``statuskit proxy``) and tallies them with
        :meth:`tally`."""
        root = self.walk.root(schema)
        op = operation or _default_operation(root.node, schema)
        validator = self.registry.validator(self.api, schema, strict=True)
        found: list[DriftFinding] = []
        for error in validator.iter_errors(instance):
            found.extend(self._classify(root, error, op, probe, schema))
        return _hint_renames(_unique(found))

    def tally(
        self,
        schema: str,
        instance: Any,
        *,
        operation: str | None = None,
        probe: str = "body",
        times: int = 1,
    ) -> None:
        """Count the enum values of one body, seen ``times`` times, towards
        ``enum-value-removed``."""
        root = self.walk.root(schema)
        op = operation or _default_operation(root.node, schema)
        self._tally(root, instance, (), op, probe, schema, times)

    def _finding(
        self,
        kind: Kind,
        segment: Sequence[Hop],
        *,
        path: str,
        expected: str,
        observed: str,
        documented: bool,
        keyword: str | None,
        context: tuple[str, str, str],
        evidence: Mapping[str, Any],
        rule: str | None = None,
    ) -> DriftFinding:
        operation, probe, schema = context
        source = next((h.node.get("x-source") for h in segment if "x-source" in h.node), None)
        return DriftFinding(
            severity=severity_of(kind, documented=documented, keyword=keyword),
            kind=kind,
            api=self.api,
            operation=operation,
            probe=probe,
            path=path,
            expected=expected,
            observed=observed,
            documented=documented,
            schema=f"{self.api}/{schema}",
            rule=rule or segment[-1].rule(keyword),
            source=source,
            evidence=evidence,
        )

    def _classify(
        self, root: Hop, error: ValidationError, operation: str, probe: str, schema: str
    ) -> list[DriftFinding]:
        keyword = str(error.validator)
        chain = self.walk.chain(root, list(error.absolute_schema_path)[:-1], keyword)
        parts = list(error.absolute_path)
        context = (operation, probe, schema)
        if keyword == "required":
            return self._missing(chain, error, parts, context)
        if keyword == "additionalProperties" and error.validator_value is False:
            return self._extra(chain, error, parts, context)
        segment = self.walk.segment(chain)
        secret = any(h.node.get("x-secret") for h in segment) or self._secret_key(parts)
        observed = describe_value(error.instance, secret=secret)
        kind = _KIND_OF_KEYWORD.get(keyword, "format-changed")
        if keyword == "type":
            kind = "nullability-changed" if error.instance is None else "type-changed"
        kit_segment = any(h.node.get("x-kit-decision") for h in segment)
        root_kit = self.walk.root_kit(segment[0])
        if kind == "type-changed":
            nullable_guess = any(
                h.node.get("x-kit-decision") and "null" in _types(h.node) for h in segment
            )
            documented = not (root_kit or nullable_guess)
        elif kind == "nullability-changed":
            documented = not root_kit
        else:
            documented = not (root_kit or kit_segment)
        evidence: dict[str, Any] = {"type": json_type(error.instance)}
        if kind == "enum-value-added" and not secret:
            evidence["value"] = error.instance
        return [
            self._finding(
                kind,
                segment,
                path=json_path(parts),
                expected=describe_schema(h.node for h in reversed(segment)),
                observed=observed,
                documented=documented,
                keyword=keyword,
                context=context,
                evidence=evidence,
            )
        ]

    def _missing(
        self,
        chain: list[Hop],
        error: ValidationError,
        parts: list[Any],
        context: tuple[str, str, str],
    ) -> list[DriftFinding]:
        obj = chain[-1]
        present = error.instance if isinstance(error.instance, Mapping) else {}
        out = []
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        for name in required:
            if name in present:
                continue
            prop = Hop(
                obj.node["properties"][name],
                obj.base,
                f"{obj.pointer}/properties/{name}",
                "property",
            )
            segment = [prop, *self.walk.follow(prop)]
            out.append(
                self._finding(
                    "field-removed",
                    segment,
                    path=json_path([*parts, name]),
                    expected="present (required): "
                    + describe_schema(h.node for h in reversed(segment)),
                    observed="absent",
                    documented=not self.walk.root_kit(obj),
                    keyword=None,
                    context=context,
                    evidence={"object": obj.rule(), "name": name},
                    rule=obj.rule("required"),
                )
            )
        return out

    def _extra(
        self,
        chain: list[Hop],
        error: ValidationError,
        parts: list[Any],
        context: tuple[str, str, str],
    ) -> list[DriftFinding]:
        obj = chain[-1]
        declared = obj.node.get("properties", {})
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        out = []
        for name in sorted(k for k in instance if k not in declared):
            value = instance[name]
            out.append(
                self._finding(
                    "field-added",
                    [obj],
                    path=json_path([*parts, name]),
                    expected="absent (not in the schema)",
                    observed=describe_value(value, secret=self._secret_key([name])),
                    documented=not self.walk.root_kit(obj),
                    keyword=None,
                    context=context,
                    evidence={"object": obj.rule(), "name": name, "type": json_type(value)},
                    rule=obj.rule("properties"),
                )
            )
        return out

    # -- enum tallies -------------------------------------------------------------------

    def _tally(
        self,
        hop: Hop,
        instance: Any,
        parts: tuple[Any, ...],
        operation: str,
        probe: str,
        schema: str,
        times: int = 1,
    ) -> None:
        hops = [hop, *self.walk.follow(hop)]
        node = hops[-1].node
        if "enum" in node:
            key = (operation, probe, json_path(parts))
            site = self._sites.get(key)
            if site is None:
                site = self._sites[key] = _Site(tuple(hops), operation, probe, schema)
            site.seen[_hashable(instance)] += times
        if isinstance(instance, dict) and isinstance(node.get("properties"), Mapping):
            for name, sub in node["properties"].items():
                if name in instance:
                    child = Hop(
                        sub, hops[-1].base, f"{hops[-1].pointer}/properties/{name}", "property"
                    )
                    self._tally(
                        child, instance[name], (*parts, name), operation, probe, schema, times
                    )
        elif isinstance(instance, list) and isinstance(node.get("items"), Mapping):
            child = Hop(node["items"], hops[-1].base, f"{hops[-1].pointer}/items", "items")
            for item in instance:
                self._tally(child, item, (*parts, 0), operation, probe, schema, times)

    def _unseen(self) -> Iterator[DriftFinding]:
        for (operation, probe, path), site in sorted(self._sites.items()):
            total = sum(site.seen.values())
            if total < self.min_enum_samples:
                continue
            node = site.hops[-1].node
            provenance: Mapping[str, str] = node.get("x-enum-provenance", {})
            for value in node["enum"]:
                if _hashable(value) in site.seen:
                    continue
                if provenance:
                    documented = provenance.get(str(value), "").startswith("documented")
                else:  # an enum without per-value provenance is as documented as its node
                    documented = not any(h.node.get("x-kit-decision") for h in site.hops)
                yield DriftFinding(
                    severity=severity_of("enum-value-removed", documented=documented),
                    kind="enum-value-removed",
                    api=self.api,
                    operation=operation,
                    probe=probe,
                    path=path,
                    expected=f"{value} (a value of the enum)",
                    observed=f"not seen in {total} samples",
                    documented=documented,
                    samples=total,
                    schema=f"{self.api}/{site.schema}",
                    rule=site.hops[-1].rule("enum"),
                    source=provenance.get(str(value)) or node.get("x-source"),
                    evidence={"value": value},
                )

    def findings(self) -> list[DriftFinding]:
        """Everything found so far, merged, worst first; with the enum values never seen."""
        return merge([*self._found, *self._unseen()])


def compare(
    api: str,
    schema: str,
    instance: Any,
    *,
    operation: str | None = None,
    probe: str = "body",
    registry: SchemaRegistry | None = None,
) -> list[DriftFinding]:
    """Every difference between ``instance`` and the strict schema ``api``/``schema``,
    classified; empty when it conforms. ``operation`` defaults to the schema's first
    ``x-operations`` entry."""
    comparison = Comparison(api, registry=registry)
    comparison.add(schema, instance, operation=operation, probe=probe)
    return comparison.findings()


def _types(node: Mapping[str, Any]) -> list[str]:
    types = node.get("type", [])
    return [types] if isinstance(types, str) else list(types)


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


def _default_operation(root: Mapping[str, Any], schema: str) -> str:
    operations = root.get("x-operations") or [schema]
    return str(operations[0])


def _unique(found: list[DriftFinding]) -> list[DriftFinding]:
    """One finding per key for one body: a missing key is reported by every ``required``
    error of its object, and a value may break two rules (a date's format and pattern);
    the other rules ride along for ``--propose-schema``."""
    first: dict[tuple[str, ...], DriftFinding] = {}
    for finding in found:
        seen = first.get(finding.key)
        if seen is None:
            first[finding.key] = finding
        elif finding.rule and finding.rule != seen.rule:
            also = sorted({*seen.evidence.get("also", ()), finding.rule})
            first[finding.key] = replace(seen, evidence={**seen.evidence, "also": also})
    return list(first.values())


def _hint_renames(found: list[DriftFinding]) -> list[DriftFinding]:
    """A field gone and one new in the same object, alone there: say it may be a rename."""

    def parent(path: str) -> str:
        return path.rsplit(".", 1)[0]

    removed = [f for f in found if f.kind == "field-removed"]
    added = [f for f in found if f.kind == "field-added"]
    out = []
    for finding in found:
        mates: list[DriftFinding] = []
        alone = False
        if finding.kind == "field-removed":
            mates = [f for f in added if parent(f.path) == parent(finding.path)]
            alone = sum(parent(f.path) == parent(finding.path) for f in removed) == 1
        elif finding.kind == "field-added":
            mates = [f for f in removed if parent(f.path) == parent(finding.path)]
            alone = sum(parent(f.path) == parent(finding.path) for f in added) == 1
        if mates and len(mates) == 1 and alone:
            verb = "renamed to" if finding.kind == "field-removed" else "renamed from"
            finding = replace(finding, hint=f"maybe {verb} {mates[0].path}")
        out.append(finding)
    return out

"""``--propose-schema DIR``: each drifted schema, widened to accept what was observed, as a
patch a maintainer can review (and ``git apply``).

Only widening is proposed, never narrowing: a type gains the observed type, a nullable
gains ``null``, an enum gains the new value (with its provenance), a broken ``format`` or
bound is dropped, a missing field stops being required, a new field is declared (with
``x-source`` and ``x-kit-decision``, so the schemas' own rules still hold). Differences in
status codes, headers and refusals are no schema's business and are listed as not proposed.
Each edit touches only its own member, so the hand-written layout survives.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from statuskit.drift._jsonspan import JsonText
from statuskit.drift.model import DriftFinding
from statuskit.errors import ConfigError
from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["Proposal", "propose"]

_PROPOSABLE = frozenset(
    {
        "type-changed",
        "nullability-changed",
        "enum-value-added",
        "format-changed",
        "field-removed",
        "field-added",
    }
)


@dataclass
class Proposal:
    """What ``propose`` made: the widened files' texts and the patch, and what it left."""

    files: dict[str, str] = field(default_factory=dict)  # "thalamus/common.json" -> text
    patch: str = ""
    not_proposed: list[DriftFinding] = field(default_factory=list)

    def write(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write ``drift.patch`` and ``schemas/<api>/<name>.json`` under ``directory``."""
        root = Path(directory)
        written = []
        try:
            for name, text in sorted(self.files.items()):
                path = root / "schemas" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written.append(path)
            root.mkdir(parents=True, exist_ok=True)
            (root / "drift.patch").write_text(self.patch, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write the proposal to {root}: {exc}") from None
        return [root / "drift.patch", *written]


def _split(rule: str) -> tuple[str, str, str]:
    """``thalamus/common.json#/$defs/count/type`` -> file, node pointer, keyword."""
    file, _, pointer = rule.partition("#")
    node, _, keyword = pointer.rpartition("/")
    return file, node, keyword


def _node(document: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        document = document[part.replace("~1", "/").replace("~0", "~")]
    return document


def _origin(finding: DriftFinding) -> str:
    return f"observed by statuskit drift: {finding.api} {finding.operation}, {finding.path}"


def _edit(text: JsonText, finding: DriftFinding, rule: str) -> None:
    _, pointer, keyword = _split(rule)
    node: Mapping[str, Any] = _node(text.value(), pointer)
    evidence = finding.evidence
    if finding.kind in ("type-changed", "nullability-changed"):
        added = "null" if finding.kind == "nullability-changed" else evidence.get("type")
        types = node.get("type", [])
        types = [types] if isinstance(types, str) else list(types)
        if added and added not in types and not (added == "integer" and "number" in types):
            text.replace(f"{pointer}/type", [*types, added])
    elif finding.kind == "enum-value-added" and "value" in evidence:
        value = evidence["value"]
        if value not in node["enum"]:
            text.replace(f"{pointer}/enum", [*node["enum"], value])
            if "x-enum-provenance" in node:
                provenance = dict(node["x-enum-provenance"]) | {str(value): _origin(finding)}
                text.replace(f"{pointer}/x-enum-provenance", provenance)
    elif finding.kind == "format-changed" and keyword in node:
        text.delete(f"{pointer}/{keyword}")
    elif finding.kind == "field-removed" and evidence.get("name") in node.get("required", []):
        text.delete(f"{pointer}/required/{node['required'].index(evidence['name'])}")
    elif finding.kind == "field-added" and evidence.get("name") not in node.get("properties", {}):
        declared = {
            "type": evidence.get("type", "string"),
            "x-source": _origin(finding),
            "x-kit-decision": True,
            "x-decision": "Added from a drift observation: review its type and whether "
            "it is required.",
        }
        text.add(f"{pointer}/properties", str(evidence["name"]), declared)


def propose(
    findings: Iterable[DriftFinding], *, registry: SchemaRegistry | None = None
) -> Proposal:
    """The schemas ``findings`` concern, widened to accept what was observed."""
    registry = registry or default_registry()
    proposal = Proposal()
    texts: dict[str, JsonText] = {}
    for finding in findings:
        if finding.kind not in _PROPOSABLE or not finding.rule:
            proposal.not_proposed.append(finding)
            continue
        for rule in [finding.rule, *finding.evidence.get("also", ())]:
            file = _split(rule)[0]
            api, name = file.removesuffix(".json").split("/", 1)
            if file not in texts:
                texts[file] = JsonText(registry.source_text(api, name))
            _edit(texts[file], finding, rule)
    diffs = []
    for file, text in sorted(texts.items()):
        api, name = file.removesuffix(".json").split("/", 1)
        original = registry.source_text(api, name)
        if text.text == original:
            continue
        Draft202012Validator.check_schema(text.value())
        proposal.files[file] = text.text
        lines = difflib.unified_diff(
            original.splitlines(keepends=True),
            text.text.splitlines(keepends=True),
            fromfile=f"a/schemas/{file}",
            tofile=f"b/schemas/{file}",
        )
        diffs.append(f"diff --git a/schemas/{file} b/schemas/{file}\n" + "".join(lines))
    header = ["statuskit drift: schemas widened to accept what the target answered.", ""]
    header += ["Review each change: widening accepts the drift; it does not explain it."]
    for finding in proposal.not_proposed:
        header.append(
            f"Not proposed (not a schema change): {finding.kind} {finding.operation} "
            f"{finding.probe} {finding.path}"
        )
    proposal.patch = "\n".join(header) + "\n\n" + "".join(diffs)
    return proposal

"""``--propose-schema``: a patch that ``git apply`` takes, touching only what drifted, after
which the observed bodies conform and the schemas still follow the kit's rules."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from statuskit.drift import DriftReport, propose
from statuskit.registry import SchemaRegistry
from tests.drift.conftest import run_against
from tests.drift.mutate import Mutating, Rule, json_edit
from tests.drift.test_mutations import FILE, RECORD, date_without_zone, drop, put, stringify
from tests.helpers import subschemas

THALAMUS_RULES = (
    Rule(RECORD, json_edit(stringify("fileSize"))),
    Rule(RECORD, json_edit(put("state", "ARCHIVED"))),
    Rule(RECORD, json_edit(put("retentionDays", 30))),
    Rule(RECORD, json_edit(put("fileName", None))),
    Rule(RECORD, json_edit(drop("rowsSkipped"))),
)
TEALIUM_RULES = (Rule(FILE, json_edit(date_without_zone)),)


def applied(patch: str, tmp_path: Path, registry: SchemaRegistry) -> SchemaRegistry:
    """The kit's schemas copied to ``tmp_path`` with ``patch`` applied by git."""
    shutil.copytree(registry.root, tmp_path / "schemas")
    (tmp_path / "drift.patch").write_text(patch)
    subprocess.run(
        ["git", "apply", "--verbose", "drift.patch"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    return SchemaRegistry(tmp_path / "schemas")


def bodies(app: Any, api: str, path: str) -> Any:
    """What a mutated app serves at ``path``, as a drift run sees it."""
    report: DriftReport = run_against(app, api)
    return report


@pytest.mark.parametrize(
    ("api", "rules", "files"),
    [
        ("thalamus", THALAMUS_RULES, {"thalamus/common.json", "thalamus/import-record.json"}),
        ("tealium", TEALIUM_RULES, {"tealium/common.json"}),
    ],
)
def test_the_patch_applies_and_widens_exactly_what_drifted(
    mutated: Callable[..., Mutating],
    registry: SchemaRegistry,
    tmp_path: Path,
    api: str,
    rules: tuple[Rule, ...],
    files: set[str],
) -> None:
    app = mutated(*rules)
    report = run_against(app, api)
    assert report.findings
    proposal = propose(report.findings)
    assert set(proposal.files) == files
    assert proposal.not_proposed == []
    widened = applied(proposal.patch, tmp_path, registry)
    # The widened files are what was written, and they pass the kit's schema rules.
    for file, text in proposal.files.items():
        assert (tmp_path / "schemas" / file).read_text() == text
        api_name, name = file.removesuffix(".json").split("/")
        source = widened.source(api_name, name)
        for where, sub in subschemas(source):
            for prop, spec in sub.get("properties", {}).items():
                assert spec.get("x-source"), f"{where}/properties/{prop}"
            if "x-enum-provenance" in sub:
                assert sorted(sub["x-enum-provenance"]) == sorted(str(v) for v in sub["enum"])
    # Small edits: the hand-written layout survives.
    changed = [
        line
        for line in proposal.patch.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) < 60
    # Measured against the widened schemas, the same target shows no drift.
    again = run_against(app, api, registry=widened)
    assert again.findings == []


def test_status_and_refusal_findings_are_listed_not_proposed(
    mutated: Callable[..., Mutating],
) -> None:
    from tests.drift.test_mutations import UNKNOWN_ID

    app = mutated(Rule(UNKNOWN_ID, lambda a: None))
    report = run_against(app, "thalamus")
    assert report.findings == []
    from tests.drift.mutate import set_status

    app = mutated(Rule(UNKNOWN_ID, set_status(400), (404,)))
    report = run_against(app, "thalamus")
    proposal = propose(report.findings)
    assert proposal.files == {}
    not_proposed = "Not proposed (not a schema change): status-code-changed get-status id:NotFound"
    assert not_proposed in proposal.patch

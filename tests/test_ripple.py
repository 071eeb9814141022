"""A change to ``schemas/`` ripples everywhere with no further edit.

Each test copies the kit (its packages, ``schemas/`` and ``fixtures/``) to a temporary
folder, makes one change to the copy's schemas, and asks every consumer there what it now
says (``tests/ripple_probe.py``): the catalogue, the contract suites and their kit marks,
the coverage summary, drift against a staging stand-in, the OpenAPI export,
``docs/wire.md``'s tables, the mock and the client. Nothing but the schemas is edited.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("statuskit", "mockserver", "contract_tests", "schemas", "fixtures")
PROBE = Path(__file__).with_name("ripple_probe.py")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "_data")

Facts = dict[str, Any]
Edit = Callable[[Path], None]


def _facts(root: Path) -> Facts:
    shutil.copy(PROBE, root / "probe.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATUSKIT_")}
    # -P is not used: the probe's own folder must come first on sys.path, ahead of the
    # installed kit, so the copy's packages are the ones imported.
    done = subprocess.run(
        [sys.executable, "probe.py"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts: Facts = json.loads(done.stdout)
    assert Path(facts["imported_from"]) == root, "the probe imported the installed kit"
    return facts


def _copy(tmp: Path) -> Path:
    root = tmp / "kit"
    for name in PACKAGES:
        shutil.copytree(REPO / name, root / name, ignore=IGNORED)
    return root


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    """What the consumers say about the kit's own schemas."""
    return _facts(_copy(tmp_path_factory.mktemp("baseline")))


def changed(tmp: Path, edit: Edit) -> Facts:
    """What the consumers say once ``edit`` has changed the copy's ``schemas/``."""
    root = _copy(tmp)
    edit(root / "schemas")
    return _facts(root)


def _edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _operation(catalogue: dict[str, Any], op_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in catalogue["operations"] if o["operationId"] == op_id)
    return found


NEW_CASE = {
    "status": 400,
    "code": "activity:InvalidCode",
    "request": {"query": {"activity": "statuskit-no-such-activity"}},
    "provenance": {"kit": "tests/test_ripple.py: a case added to a copy of the catalogue"},
}


def add_case(schemas: Path) -> None:
    """Thalamus get-status gains a 400 for an unknown activity (a kit decision)."""

    def change(catalogue: dict[str, Any]) -> None:
        _operation(catalogue, "get-status")["errors"].append(NEW_CASE)

    _edit_json(schemas / "thalamus" / "operations.json", change)


def flip_case(schemas: Path) -> None:
    """The documented missing-touchpoint case becomes a kit decision."""

    def change(catalogue: dict[str, Any]) -> None:
        case = catalogue["errorCases"]["touchpointMissing"]
        case["provenance"] = {"kit": "tests/test_ripple.py: flipped to a kit decision"}

    _edit_json(schemas / "thalamus" / "operations.json", change)


def rename_state(schemas: Path) -> None:
    """CONFIGURATION_PENDING is spelled CONFIG_PENDING on the wire.

    The seed data is written in the schemas' vocabulary and validated against them, so the
    value is renamed there too: data, not code.
    """
    common = schemas / "thalamus" / "common.json"
    seeds = sorted((schemas.parent / "fixtures").rglob("*.json"))
    for path in [common, *seeds]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("CONFIGURATION_PENDING", "CONFIG_PENDING"), encoding="utf-8")


def test_the_baseline_is_the_kits_own(baseline: Facts) -> None:
    cases = {tuple(c[:3]): c[4] for c in baseline["catalogue"]}
    assert cases["thalamus", "get-status", "touchpointMissing"] is False
    assert cases["thalamus", "get-status", "tokenMissing"] is True
    assert baseline["drift"]["touchpoint_documented"] == [True]
    assert baseline["mock"] == {
        "state": "CONFIGURATION_PENDING",
        "terminal": sorted(baseline["mock"]["terminal"]),
    }
    assert "CONFIGURATION_PENDING" in baseline["mock"]["terminal"]


def test_an_added_error_case_reaches_every_consumer(baseline: Facts, tmp_path: Path) -> None:
    after = changed(tmp_path, add_case)
    key = ["thalamus", "get-status", "400 activity:InvalidCode", "400 activity:InvalidCode", True]
    assert key not in baseline["catalogue"]
    assert key in after["catalogue"]
    new_ids = set(after["suites"]) - set(baseline["suites"])
    assert new_ids == {"thalamus-get-status-400-activity:InvalidCode"}
    assert new_ids <= set(after["suites_kit"])
    assert ["400 activity:InvalidCode", "kit"] in after["export"]["thalamus.get-status"]
    assert "activity:InvalidCode" in after["docs"]["thalamus"]
    assert "activity:InvalidCode" not in baseline["docs"]["thalamus"]
    case = "get-status 400 activity:InvalidCode"
    assert case in after["coverage"]["thalamus"]["error_cases"]
    assert case in after["coverage"]["thalamus"]["kit"]
    assert ["activity:InvalidCode", 400] in after["drift"]["probes"]


def test_a_case_flipped_to_a_kit_decision_reaches_every_consumer(
    baseline: Facts, tmp_path: Path
) -> None:
    after = changed(tmp_path, flip_case)
    flipped = [c for c in after["catalogue"] if c[1:3] == ["get-status", "touchpointMissing"]]
    assert [c[4] for c in flipped] == [True]
    kit_ids = {i for i in after["suites_kit"] if "touchpointMissing" in i}
    assert kit_ids
    assert not {i for i in baseline["suites_kit"] if "touchpointMissing" in i}
    assert ["touchpointMissing", "kit"] in after["export"]["thalamus.get-status"]
    assert ["touchpointMissing", "documented"] in baseline["export"]["thalamus.get-status"]
    assert after["docs"]["thalamus"] != baseline["docs"]["thalamus"]
    assert (
        "get-status 400 partnerDataSource:TouchpointCodeRequired"
        in after["coverage"]["thalamus"]["kit"]
    )
    # The stand-in answers the case with 401: a documented break before, a kit decision now.
    assert after["drift"]["touchpoint_documented"] == [False]


def test_a_renamed_state_reaches_the_mock_and_the_client(baseline: Facts, tmp_path: Path) -> None:
    after = changed(tmp_path, rename_state)
    assert after["mock"]["state"] == "CONFIG_PENDING"
    assert "CONFIG_PENDING" in after["mock"]["terminal"]
    assert "CONFIGURATION_PENDING" not in after["mock"]["terminal"]
    assert "CONFIG_PENDING" in after["coverage"]["thalamus"]["states"]
    assert "CONFIGURATION_PENDING" not in after["coverage"]["thalamus"]["states"]

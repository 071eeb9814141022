"""The README's drift section shows a real report: this test makes it, against the mock
with its answers mutated, and checks the README's copy. Run it with
``STATUSKIT_UPDATE_README=1`` to rewrite the copy after an intended change."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mockserver import create_app
from statuskit.drift import render
from tests.drift.conftest import run_against
from tests.drift.mutate import Mutating, Rule, json_edit
from tests.drift.test_mutations import RECORD, put, stringify

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"(<!-- drift-report:start -->\n)(.*?)(<!-- drift-report:end -->)", re.S)


def readme_report() -> str:
    """A markdown report of three drifts, one per severity."""

    probed: list[int] = []

    def archived(body: Any) -> None:
        # One record of the three probed, whichever the generated data puts first.
        probed.append(body["id"])
        if body["id"] == probed[0]:
            body["state"] = "ARCHIVED"

    app = Mutating(
        create_app(),
        Rule(RECORD, json_edit(stringify("rowsOk"))),
        Rule(RECORD, json_edit(archived)),
        Rule(RECORD, json_edit(put("retentionDays", 30))),
    )
    return render(run_against(app, "thalamus"), "markdown")


def test_the_readme_shows_a_real_report() -> None:
    text = README.read_text(encoding="utf-8")
    match = BLOCK.search(text)
    assert match, "the README has no drift report block"
    report = readme_report()
    if os.environ.get("STATUSKIT_UPDATE_README") == "1":
        README.write_text(BLOCK.sub(lambda m: m[1] + report + m[3], text), encoding="utf-8")
        return
    assert match[2] == report, "README drift report is stale: STATUSKIT_UPDATE_README=1 pytest"


def test_the_readme_stays_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150

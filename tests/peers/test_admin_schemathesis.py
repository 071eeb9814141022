"""Schemathesis against the admin API (``statuskit openapi --admin``), over HTTP, against a
``statuskit serve`` of its own: bad input is a 400 in the admin format, never a 500.

Every phase that applies runs (the schemas' examples, coverage, fuzzing, and stateful
sequences along the document's links: a fault added then removed, an import made then
restated), in positive and negative mode, with Schemathesis's default checks, among them
``not_a_server_error``, ``response_schema_conformance`` and ``negative_data_rejection``.
One default check is left out: ``positive_data_acceptance``. Some rules of the admin API
hold between fields or with the server's state, which JSON Schema cannot say, and each is a
documented 400 (docs/admin.md): a string moment that does not parse, a clock moved past its
range, error_rate + skip_rate above 1, a fault setting its kind does not take, a create
call over its snapshot or row budget.

Deterministic: Schemathesis's deterministic generation (no random seed, no example
database), one worker, and a fresh server. ``STATUSKIT_ADMIN_PEERS_EXAMPLES`` (25 per
operation) changes the run's size; about 25 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.process import serve_process
from statuskit.cli import main
from statuskit.registry import default_registry

EXAMPLES = os.environ.get("STATUSKIT_ADMIN_PEERS_EXAMPLES", "25")
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A ``statuskit serve`` of this module's own: Schemathesis moves its clock, adds faults
    and makes imports, which no other test should see."""
    with serve_process() as running:
        yield running.base_url


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found is not None, "pip install -e '.[test]' installs schemathesis"
    return found


def test_schemathesis_finds_nothing_on_the_admin_api(served: str, tmp_path: Path) -> None:
    document = tmp_path / "admin.json"
    assert main(["openapi", "--admin", "--output", str(document)]) == 0
    command = [
        _schemathesis(),
        "run",
        str(document),
        "--url",
        served,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--mode",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        EXAMPLES,
        "--generation-deterministic",  # the same cases every run, and no example database
        "--workers",
        "1",
        "--no-color",
    ]
    # Run from tmp_path, so Schemathesis's own files stay out of the checkout.
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    operations = len(default_registry().catalogue("admin")["operations"])
    assert f"Tested: {operations}" in summary, summary
    for phase in PHASES:
        assert f"✅ {phase}" in summary, summary

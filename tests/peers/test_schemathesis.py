"""Schemathesis, a peer property-based API tester, against ``statuskit serve`` over HTTP.

It reads the exported OpenAPI document and runs all its phases (the documented examples,
coverage, fuzzing and stateful sequences along the document's links) in both positive and
negative mode, with its default checks. ``tests/peers/schemathesis.toml`` holds the few
places where a generic tool's expectation and the documented API disagree, each with the
documentation it follows. Target: zero failures.

Bounded by default (``STATUSKIT_PEERS_EXAMPLES``, 20 per operation), so it belongs to the
default test run; ``nox -s peers -- 500`` runs more.
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

REPO = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = os.environ.get("STATUSKIT_PEERS_EXAMPLES", "20")
SEED = os.environ.get("STATUSKIT_PEERS_SEED", "20260101")


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A real ``statuskit serve`` on a free port, for this module alone: Schemathesis
    uploads imports and ends sessions, which no other test should see."""
    with serve_process() as running:
        yield running.base_url


def test_schemathesis_finds_nothing(served: str, tmp_path: Path) -> None:
    document = tmp_path / "openapi.json"
    assert main(["openapi", "--output", str(document)]) == 0
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert schemathesis is not None, "pip install -e '.[test]' installs schemathesis"
    command = [
        schemathesis,
        "--config-file",
        str(CONFIG),
        "run",
        str(document),
        "--url",
        served,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--mode",
        "all",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
    ]
    env = {
        **os.environ,
        "STATUSKIT_PEERS_BASE_URL": served,
        # The config names the hooks module by its dotted path from the repository's top.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "NO_COLOR": "1",
    }
    # Run from tmp_path, so Schemathesis's own cache and reports stay out of the checkout.
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Tested: 14" in summary
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in summary, summary

"""The soak harness (bench/soak.py, ``nox -s soak``) itself: a short soak of a healthy
server passes every criterion, and the soak fails when the server answers 5xx it did not
inject or lets a secret out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from bench._soak_server import canary_env
from mockserver.process import serve_process

REPO = Path(__file__).resolve().parents[1]
CRITERIA = ("zero 5xx", "every body valid", "zero lost or duplicated", "no canary secret")


def soak(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.soak", *args],
        cwd=REPO,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=900,
    )


def verdicts(output: str) -> dict[str, str]:
    """``{criterion: PASS or FAIL}`` from the summary."""
    found = {}
    for line in output.splitlines():
        for criterion in CRITERIA:
            if line[6:].startswith(criterion):
                found[criterion] = line[:4]
    return found


def test_a_short_soak_of_a_healthy_server_passes_every_criterion() -> None:
    result = soak("--requests", "2000")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert verdicts(out) == dict.fromkeys(CRITERIA, "PASS")
    assert re.search(r"^  thalamus: 2000 requests", out, re.M)
    assert re.search(r"^  tealium: 2000 requests", out, re.M)
    # Faults really were on: every kind fired (else the soak exits 2), and records were made.
    injected = re.search(r"injected (\d+):", out)
    assert injected is not None
    assert int(injected.group(1)) > 0
    records = re.search(r"records: (\d+) imports and (\d+) files", out)
    assert records is not None
    assert min(map(int, records.groups())) > 0


def test_the_soak_fails_on_server_errors_it_did_not_inject() -> None:
    env = canary_env(os.environ)
    admin = {"Authorization": f"Bearer {env['STATUSKIT_ADMIN_TOKEN']}"}
    with serve_process("--workers", "2", env=env) as running:
        # A server that fails one status read in five on its own, as a buggy one would.
        rogue = {"api": "thalamus", "kind": "status", "status": 500, "percent": 20}
        rogue["route"] = "GET /api/v4/import/status/{id}"
        added = httpx.post(f"{running.base_url}/__admin/v1/faults", json=rogue, headers=admin)
        assert added.status_code == 201
        result = soak("--requests", "400", "--base-url", running.base_url, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert verdicts(result.stdout)["zero 5xx"] == "FAIL"
    assert verdicts(result.stdout)["no canary secret"] == "PASS"
    assert "thalamus get-status" in result.stdout
    assert "fault=f" in result.stdout


def test_the_soak_fails_when_a_secret_comes_back() -> None:
    env = canary_env(os.environ)
    # The login answers with the principal; a password equal to it comes back in that body.
    env["STATUSKIT_THALAMUS_PASSWORD"] = env["STATUSKIT_THALAMUS_PRINCIPAL"]
    with serve_process("--workers", "2", env=env) as running:
        result = soak("--requests", "400", "--base-url", running.base_url, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert verdicts(result.stdout)["no canary secret"] == "FAIL"
    assert "STATUSKIT_THALAMUS_PASSWORD in thalamus login answer" in result.stdout
    assert env["STATUSKIT_THALAMUS_PASSWORD"] not in result.stdout + result.stderr

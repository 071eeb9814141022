"""``statuskit proxy --workers 2``: two worker processes, one report and one recording.

The workers share nothing in memory; what they saw is merged by the parent when it stops:
every exchange counted once in the report, the recording numbered and timed as one, with
one placeholder per real id across both workers, and nothing of the state left behind."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.process import ServerProcess, serve_process
from statuskit.client import ThalamusClient
from statuskit.proxy._record import EXCHANGES, LIFECYCLES
from tests.proxy.test_cli import running

POLLS = 40


@pytest.fixture(scope="module")
def upstream() -> Iterator[ServerProcess]:
    """A real ``statuskit serve``, Thalamus only."""
    with serve_process("--api", "thalamus") as running_upstream:
        yield running_upstream


def test_two_workers_give_one_report_and_one_recording(
    upstream: ServerProcess, tmp_path: Path
) -> None:
    report, folder = tmp_path / "report.json", tmp_path / "recorded"
    args = ["--upstream", upstream.base_url, "--api", "thalamus", "--workers", "2"]
    args += ["--report", str(report), "--format", "json", "--record", str(folder)]
    with running(*args) as proxy:
        with ThalamusClient.from_env(proxy.url, environ={}) as client:
            for _ in range(POLLS):
                assert client.get_status(274).id == 274
        code, out = proxy.stop(signal.SIGTERM)
    assert code == 0, out
    assert "Traceback" not in out
    written = json.loads(report.read_text(encoding="utf-8"))
    lines = [json.loads(x) for x in (folder / EXCHANGES).read_text().splitlines()]
    assert written["summary"]["requests"] == len(lines) >= POLLS
    assert [entry["n"] for entry in lines] == list(range(len(lines)))
    times = [entry["at_ms"] for entry in lines]
    assert times == sorted(times)
    assert all("started" not in entry for entry in lines)
    polls = [e["request"]["path"] for e in lines if e["operation"] == "get-status"]
    assert len(polls) == POLLS
    assert len(set(polls)) == 1  # one placeholder for 274, whichever worker saw it
    assert "274" not in polls[0]
    [resource] = json.loads((folder / LIFECYCLES).read_text())["resources"]
    assert polls[0].endswith(f"/{resource['key']}")
    assert sum(run["polls"] for run in resource["states"]) == POLLS
    assert sorted(p.name for p in folder.iterdir()) == [EXCHANGES, LIFECYCLES]

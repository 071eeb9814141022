"""``statuskit drift`` on the command line: against a real ``statuskit serve``, a closed port,
a TLS mismatch and refused credentials; formats, files and exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.process import serve_process
from statuskit.cli import main
from statuskit.registry import SchemaRegistry
from tests.drift.conftest import THALAMUS_PROBES

FAST = ["--pace", "0", "--quiet"]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A real ``statuskit serve`` on an ephemeral port."""
    with serve_process() as running:
        yield running.base_url


def closed_port() -> int:
    # Bind and close: nothing listens there afterwards (on loopback, nobody races us).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [
        ["--api", "thalamus"],
        ["--api", "tealium"],
        ["--api", "tealium", "--api-version", "2"],
        ["--api", "thalamus", "--id", "274", "275"],
        ["--api", "tealium", "--file", "sales-transaction_2016feb4v50.csv"],
    ],
    ids=["thalamus", "tealium-v1", "tealium-v2", "named-ids", "named-file"],
)
def test_statuskit_serve_itself_has_no_drift(
    served: str, args: list[str], capsys: pytest.CaptureFixture[str], registry: SchemaRegistry
) -> None:
    code = main(["drift", *args, "--base-url", served, "--format", "json", *FAST])
    report = json.loads(capsys.readouterr().out)
    assert registry.validate("drift", "report", report) == []
    assert report["findings"] == [], report["findings"]
    assert report["notes"] == []
    assert code == 0
    assert report["exit_code"] == 0
    assert {p["status"] for p in report["probes"]} <= {200, 400, 401, 404}
    assert all(p["method"] == "GET" or p["probe"] == "login" for p in report["probes"])


def test_a_closed_port_exits_2_with_one_line() -> None:
    # As a user runs it: a separate process, its whole stderr.
    url = f"http://127.0.0.1:{closed_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "statuskit", "drift", "--api", "thalamus", "--base-url", url],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "STATUSKIT_THALAMUS_TOKEN": "s3cret-token-value"},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("statuskit: error: unreachable: cannot connect to")
    assert url in line
    assert "s3cret" not in line


def test_tls_to_a_plain_http_server_exits_2_naming_tls(
    served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = served.replace("http://", "https://")
    code = main(["drift", "--api", "thalamus", "--base-url", url, *FAST])
    assert code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("statuskit: error: TLS error: ")


@pytest.mark.parametrize(
    ("api", "variable", "names"),
    [
        ("thalamus", "STATUSKIT_THALAMUS_PASSWORD", "STATUSKIT_THALAMUS_PRINCIPAL"),
        ("thalamus", "STATUSKIT_THALAMUS_TOKEN", "STATUSKIT_THALAMUS_TOKEN"),
        ("tealium", "STATUSKIT_TEALIUM_PASSWORD", "STATUSKIT_TEALIUM_PASSWORD"),
    ],
)
def test_refused_credentials_exit_2_naming_authentication(
    served: str,
    api: str,
    variable: str,
    names: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, "not-the-credential")
    code = main(["drift", "--api", api, "--base-url", served, *FAST])
    assert code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("statuskit: error: authentication failed: ")
    assert names in line
    assert "not-the-credential" not in line


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["drift", "--api", "thalamus", "--base-url", "http://x.invalid", "--file", "a.csv"])
    assert code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == "statuskit: error: --file does not apply to --api thalamus"
    with pytest.raises(SystemExit) as exited:
        main(["drift", "--api", "thalamus"])
    assert exited.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_broken_baseline_is_one_line(
    tmp_path: Path, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1, "accepted": [{"kind": "nope"}]}')
    code = main(["drift", "--api", "thalamus", "--base-url", served, "--baseline", str(baseline)])
    assert code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"statuskit: error: baseline {baseline} is not a drift baseline: $.")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit"])
def test_every_format_can_go_to_a_file(
    fmt: str, tmp_path: Path, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"report.{fmt}"
    args = ["--api", "tealium", "--base-url", served, "--format", fmt, "--output", str(out)]
    assert main(["drift", *args, "--pace", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    text = out.read_text()
    assert {
        "text": "passed",
        "json": '"exit_code": 0',
        "markdown": "No drift",
        "junit": "<testsuite",
    }[fmt] in text
    # Plain progress lines (stderr is no terminal here), then the one-line summary.
    lines = captured.err.splitlines()
    assert lines[0].startswith("statuskit drift: 1/")
    assert lines[-1].startswith("statuskit drift: tealium at ")


def test_baseline_proposal_and_recording_from_the_command_line(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline, proposed, recorded = tmp_path / "b.json", tmp_path / "p", tmp_path / "r"
    args = ["--api", "thalamus", "--base-url", served, "--pace", "0", "--fail-on", "info"]
    extra = ["--write-baseline", str(baseline), "--propose-schema", str(proposed)]
    code = main(["drift", *args, *extra, "--record", str(recorded), "--format", "junit"])
    assert code == 0
    captured = capsys.readouterr()
    suite = f'<testsuite name="statuskit drift thalamus" tests="{THALAMUS_PROBES}" failures="0"'
    assert suite in captured.out
    summary = captured.err.splitlines()[-1]
    assert summary.startswith("statuskit drift: thalamus at ")
    assert f"baseline of 0 findings in {baseline}" in summary
    assert f"0 widened schemas in {proposed}/drift.patch" in summary
    assert json.loads(baseline.read_text())["accepted"] == []
    assert (proposed / "drift.patch").read_text().startswith("statuskit drift: schemas widened")
    assert (recorded / "manifest.json").is_file()
    assert main(["drift", *args, "--baseline", str(baseline), "--quiet"]) == 0

"""``statuskit check``: exit 0 when the contracts hold, 1 on a contract failure, and 2 with
one readable line when the target cannot be reached or refuses the credentials."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.process import serve_process
from statuskit.cli import main
from tests.helpers import statuskit

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve_process(env=dict(os.environ)) as running:
        yield running.base_url


def test_an_unreachable_target_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--api", "thalamus", "--base-url", "http://127.0.0.1:9"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("statuskit: error: cannot reach the target: POST http://127.0.0.1:9/")


@pytest.mark.parametrize(
    ("api", "variable"),
    [("thalamus", "STATUSKIT_THALAMUS_PASSWORD"), ("tealium", "STATUSKIT_TEALIUM_PASSWORD")],
)
def test_refused_credentials_are_exit_2_with_one_line(
    served: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    api: str,
    variable: str,
) -> None:
    monkeypatch.setenv(variable, "wrong-SECRET-3e3e")
    assert main(["check", "--api", api, "--base-url", served]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("statuskit: error: authentication failed: POST ")
    assert "wrong-SECRET-3e3e" not in line


def test_passing_contracts_are_exit_0_with_a_junit_report(served: str, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    done = statuskit(
        tmp_path,
        "check",
        "--api",
        "tealium",
        "--base-url",
        served,
        "--junit",
        str(junit),
        "--",
        "-k",
        "test_tealium_v2 and not generated",
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "contract coverage of" in done.stdout
    assert 'testsuite name="pytest"' in junit.read_text()


def test_a_broken_contract_is_exit_1(tmp_path: Path) -> None:
    shutil.copy(HERE / "breaker.py", tmp_path / "breaker.py")
    done = statuskit(
        tmp_path,
        "check",
        "--api",
        "tealium",
        "--",
        "-p",
        "breaker",
        "-k",
        "151_characters",
        STATUSKIT_BREAK="no-150-check",
    )
    assert done.returncode == 1, done.stdout[-2000:]
    assert "FAILED" in done.stdout

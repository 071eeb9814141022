"""The command line: the schema self-check, and one-line errors."""

from __future__ import annotations

import pytest

from statuskit._resources import data_path
from statuskit.cli import main


def test_selfcheck_passes_on_the_bundled_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfcheck"]) == 0
    out = capsys.readouterr().out
    assert "17/17 fixture instances valid" in out


def test_selfcheck_can_be_limited_to_one_api(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfcheck", "--api", "tealium", "-v"]) == 0
    out = capsys.readouterr().out
    # The summary names the schemas folder, whose path may itself contain "thalamus".
    assert "thalamus" not in out.replace(str(data_path("schemas")), "").replace("statuskit", "")
    assert "ok   tealium/get-file-status.200.json ~ file-status" in out


def test_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["bogus"])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("statuskit: error: ")

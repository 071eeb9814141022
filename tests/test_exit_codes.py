"""Exit codes: 1 only for a real contract failure; a tool problem (a crash inside the kit, a
missing module, a run that never started) is 2 with one readable line, never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from statuskit.cli import main
from statuskit.commands._outcome import is_contract_failure
from statuskit.commands.check import verdict
from statuskit.errors import (
    ContractViolation,
    MalformedResponseError,
    NotFoundError,
    StatuskitError,
    TransportError,
)
from tests.helpers import statuskit

#: A kit bug planted inside the contract suites: the shared check helper crashes.
CRASHER = """
import contract_tests._support as support

def pytest_configure(config):
    def check(*args, **kwargs):
        raise KeyError("statuskit-planted-bug")
    support.check = check
"""


@pytest.mark.parametrize(
    ("error", "contract"),
    [
        (AssertionError("rowsOk"), True),
        (ContractViolation("rowsOk is a string"), True),
        (NotFoundError("404 where a record was due", status_code=404), True),
        (MalformedResponseError("not JSON"), True),
        (ExceptionGroup("two", [AssertionError("a"), ContractViolation("b")]), True),
        (ExceptionGroup("mixed", [AssertionError("a"), KeyError("b")]), False),
        (TransportError("connection refused"), False),
        (KeyError("bug"), False),
        (ModuleNotFoundError("No module named 'x'"), False),
    ],
)
def test_only_the_targets_failures_are_contract_failures(
    error: BaseException, contract: bool
) -> None:
    assert is_contract_failure(error) is contract


def test_the_verdict_of_a_run() -> None:
    assert verdict(0, {"contract_failures": 0, "tool_failures": []}) == 0
    assert verdict(1, {"contract_failures": 2, "tool_failures": []}) == 1
    with pytest.raises(StatuskitError, match="did not run"):
        verdict(1, None)  # e.g. python -m pytest: No module named pytest
    with pytest.raises(StatuskitError, match=r"could not run: t::x: KeyError \(and 1 more\)"):
        verdict(1, {"contract_failures": 3, "tool_failures": ["t::x: KeyError", "t::y: E"]})
    with pytest.raises(StatuskitError, match="no contract test was selected"):
        verdict(5, {"contract_failures": 0, "tool_failures": []})
    with pytest.raises(StatuskitError, match="interrupted"):
        verdict(2, {"contract_failures": 0, "tool_failures": []})


def test_a_crash_inside_the_suites_is_exit_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "crasher.py").write_text(CRASHER, encoding="utf-8")
    done = statuskit(
        tmp_path, "check", "--api", "tealium", "--", "-p", "crasher", "-k", "take_the_token"
    )
    assert done.returncode == 2, done.stdout[-2000:]
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("statuskit: error: the contract suites could not run: ")
    assert "KeyError: 'statuskit-planted-bug'" in line


def test_no_selected_test_is_exit_2(tmp_path: Path) -> None:
    done = statuskit(tmp_path, "check", "--api", "tealium", "--", "-k", "no_such_test_anywhere")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "statuskit: error: no contract test was selected: check --api and any -k"
    )


def test_a_missing_pytest_is_exit_2_with_one_line(tmp_path: Path) -> None:
    # What a broken install looks like from inside: importing pytest fails.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pytest.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pytest'\", name='pytest')\n"
    )
    done = statuskit(tmp_path, "check", "--api", "tealium", PYTHONPATH=str(shadow))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("statuskit: error: statuskit check needs pytest")
    assert "Traceback" not in done.stdout + done.stderr


def test_a_crash_in_any_command_is_exit_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(args: object) -> int:
        raise ZeroDivisionError("statuskit-planted-bug")

    monkeypatch.delenv("STATUSKIT_TRACEBACK", raising=False)
    monkeypatch.setattr("statuskit.commands.selfcheck.run", crash)
    assert main(["selfcheck"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "statuskit: error: internal error in statuskit selfcheck: ZeroDivisionError: "
        "statuskit-planted-bug (STATUSKIT_TRACEBACK=1 shows where)"
    )
    monkeypatch.setenv("STATUSKIT_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        main(["selfcheck"])


def test_a_missing_module_in_any_command_is_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing(args: object) -> int:
        raise ModuleNotFoundError("No module named 'granian'", name="granian")

    monkeypatch.setattr("statuskit.commands.selfcheck.run", missing)
    assert main(["selfcheck"]) == 2
    assert capsys.readouterr().err == (
        "statuskit: error: cannot import granian (No module named 'granian'); reinstall statuskit\n"
    )


def test_the_outcome_plugin_sorts_failures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mixed=textwrap.dedent(
            """
            import pytest

            def test_contract():
                assert 1 == 2

            def test_bug():
                {}["missing"]

            @pytest.fixture
            def broken():
                raise OSError("no route")

            def test_setup(broken):
                pass

            def test_passes():
                pass
            """
        ),
        test_uncollectable="import statuskit_no_such_module\n",
    )
    out = pytester.path / "outcome.json"
    result = pytester.runpytest_subprocess(
        "-p", "statuskit.commands._outcome", f"--statuskit-outcome={out}", "-p", "no:cacheprovider"
    )
    assert result.ret == 2  # the collection error interrupts the run
    from statuskit.commands._outcome import read

    assert read(out) == {
        "contract_failures": 0,
        "tool_failures": [
            "test_uncollectable.py: E   ModuleNotFoundError: No module named "
            "'statuskit_no_such_module'"
        ],
    }
    (pytester.path / "test_uncollectable.py").unlink()
    result = pytester.runpytest_subprocess(
        "-p", "statuskit.commands._outcome", f"--statuskit-outcome={out}", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1, failed=2, errors=1)
    assert read(out) == {
        "contract_failures": 1,
        "tool_failures": [
            "test_mixed.py::test_bug: KeyError: 'missing'",
            "test_mixed.py::test_setup: OSError: no route",
        ],
    }

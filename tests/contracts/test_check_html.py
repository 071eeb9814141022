"""``statuskit check --html FILE``: the contract run as one self-contained page, written
whatever the verdict once the suites ran: the summary, each test's outcome (kit decisions
labelled so), and the contract coverage as bars; no URL, no secret."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from statuskit.commands._check_report import KINDS, render
from statuskit.commands._outcome import read
from statuskit.commands._scrub import scrubber
from tests.helpers import statuskit
from tests.html_page import Report, offline, parse

HERE = Path(__file__).parent
V2 = ("-k", "test_tealium_v2 and not generated")


def check(tmp_path: Path, *args: str, **env: str) -> tuple[int, Report, str]:
    """``statuskit check --html`` in ``tmp_path`` (with the breaker plugin at hand): its
    exit code, the page parsed and the page's text."""
    shutil.copy(HERE / "breaker.py", tmp_path / "breaker.py")
    page = tmp_path / "check.html"
    done = statuskit(tmp_path, "check", "--html", str(page), *args, **env)
    assert page.exists(), done.stdout[-2000:] + done.stderr
    text = page.read_text(encoding="utf-8")
    return done.returncode, parse(text), text


def test_a_passing_run_writes_its_outcomes_and_coverage(tmp_path: Path) -> None:
    code, page, text = check(tmp_path, "--api", "tealium", "--", *V2)
    assert code == 0
    assert offline(page) == []
    rows = page.tables["outcomes"]
    assert len(rows) == 8
    assert {row[1] for row in rows} == {"passed"}
    assert {row[2] for row in rows} == {"documented", "kit decision"}
    assert "test_tealium_v2.py::test_a_token_expires_after_30_minutes" in {r[0] for r in rows}
    [chart] = page.charts["progress-bars"]
    labels = [s.text for s in chart if s.tag == "text" and "/" not in s.text]
    assert labels == [k.replace("_", " ") for k in KINDS]
    assert any(s.attrs.get("data-observed") for s in chart)
    # The same run, the same page: no timestamp, no temporary path.
    again = check(tmp_path, "--api", "tealium", "--", *V2)[2]
    assert again == text


def test_a_failing_run_writes_the_failure_and_the_coverage_it_measured(tmp_path: Path) -> None:
    coverage = tmp_path / "coverage.json"
    args = ["--api", "tealium", "--coverage-json", str(coverage)]
    extra = ["--", "-p", "breaker", "-k", "151_characters"]
    code, page, _ = check(tmp_path, *args, *extra, STATUSKIT_BREAK="no-150-check")
    assert code == 1
    [failed] = [row for row in page.tables["outcomes"] if row[1] == "failed"]
    assert failed[0] == "test_tealium_file.py::test_a_name_of_151_characters_is_400"
    assert failed[2] == "documented"
    assert "nameTooLong" in failed[3]
    assert "FAILED" in page.texts
    # The bars are the summary's numbers: observed out of documented, per kind.
    entry = json.loads(coverage.read_text())["apis"]["tealium"]
    [chart] = page.charts["progress-bars"]
    drawn = {
        (s.attrs["data-observed"], s.attrs["data-total"]) for s in chart if "data-total" in s.attrs
    }
    expected = {(str(len(entry[k]["observed"])), str(entry[k]["documented"])) for k in KINDS}
    assert drawn == {pair for pair in expected if pair[0] != "0"}
    for kind in KINDS:
        shown = f"{len(entry[kind]['observed'])}/{entry[kind]['documented']} ("
        assert any(t.startswith(shown) for t in page.texts), kind


def test_a_kit_decision_that_differs_is_labelled_and_does_not_fail(tmp_path: Path) -> None:
    extra = ["--", "-p", "breaker", "-k", "test_401_has_no_body_and_names_basic_auth"]
    code, page, text = check(tmp_path, "--api", "thalamus", *extra, STATUSKIT_BREAK="not-a-mock")
    assert code == 0
    [row] = page.tables["outcomes"]
    assert row[1:3] == ["xfailed", "kit decision"]
    assert row[3].startswith("undocumented behaviour differs: ")
    tile = '<dt>kit decisions differ</dt><dd><span>1 <span class="badge kit">not failures</span>'
    assert tile in text
    assert "<dt>failed</dt><dd>0</dd>" in text


def test_a_run_that_could_not_run_still_writes_the_page(tmp_path: Path) -> None:
    code, page, _ = check(tmp_path, "--api", "tealium", "--", "-k", "no_such_test_anywhere")
    assert code == 2
    assert "could not run: no contract test was selected: check --api and any -k" in page.texts
    assert "outcomes" not in page.tables
    assert "No test ran." in page.texts


SECRET = "tok-SECRET-5e5e5e"


def test_each_outcome_is_recorded_with_its_reason_and_no_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSKIT_THALAMUS_TOKEN", SECRET)
    pytester.makepyfile(
        test_mixed=textwrap.dedent(
            f"""
            import pytest
            from statuskit.errors import KitDecisionDiffers

            def test_passes():
                pass

            def test_leaks():
                assert "{SECRET}" == "?utk=utk-abcdef-123"

            def test_leaks_a_body():
                raise AssertionError('body {{"utk": "u-42-secret", "rows": 1}}')

            @pytest.fixture
            def broken():
                raise OSError("no route")

            def test_setup(broken):
                pass

            def test_skips():
                pytest.skip("needs a mock")

            @pytest.mark.xfail(reason="known", strict=True)
            def test_xfails():
                assert False

            @pytest.mark.kit_decision
            def test_kit_mark():
                pass

            def test_kit_raise():
                raise KitDecisionDiffers("the header differs")
            """
        )
    )
    outcome, tests = pytester.path / "outcome.json", pytester.path / "tests.json"
    plugin = ["-p", "statuskit.commands._outcome", f"--statuskit-outcome={outcome}"]
    result = pytester.runpytest_subprocess(*plugin, f"--statuskit-tests={tests}")
    result.assert_outcomes(passed=2, failed=3, errors=1, skipped=1, xfailed=1)
    results = read(tests)
    got = {r["nodeid"].split("::")[1]: (r["outcome"], r["kit"]) for r in results}
    assert got == {
        "test_passes": ("passed", False),
        "test_leaks": ("failed", False),
        "test_leaks_a_body": ("failed", False),
        "test_setup": ("error", False),
        "test_skips": ("skipped", False),
        "test_xfails": ("xfailed", False),
        "test_kit_mark": ("passed", True),
        "test_kit_raise": ("failed", True),
    }
    messages = {r["nodeid"].split("::")[1]: r["message"] for r in results}
    assert messages["test_setup"] == "OSError: no route"
    assert messages["test_skips"] == "needs a mock"
    assert messages["test_xfails"] == "known"
    assert messages["test_kit_raise"].endswith("KitDecisionDiffers: the header differs")
    assert messages["test_leaks"].endswith("assert '***' == '?utk=***'")
    assert messages["test_leaks_a_body"] == 'AssertionError: body {"utk": "***", "rows": 1}'
    text = json.dumps(results)
    for secret in (SECRET, "utk-abcdef-123", "u-42-secret"):
        assert secret not in text
    # The page masks again whatever reaches it, the target's URL included.
    page = render(
        target=f"https://ops:{SECRET}@staging.example",
        code=1,
        verdict=f"FAILED: {SECRET}",
        results=[{**r, "message": f"{r['message']} {SECRET}"} for r in results],
        coverage=None,
        scrub=scrubber(),
    )
    assert SECRET not in page
    assert offline(parse(page)) == []
    assert len(parse(page).tables["outcomes"]) == 8

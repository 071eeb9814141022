"""docs/ci.md's recipes, run as written: each job's shell steps with bash, in order, in a
copy of a consumer's project (tests/data/ci/consumer), by the stand-in for GitHub Actions
and GitLab CI in tests/ci_runner.py.

What differs from a hosted runner, and only this: the port the recipes name (8080) is
replaced by a free one; ``pip install statuskit`` is answered by this checkout's install,
with no index (``PIP_NO_INDEX``); "staging" is a server on this machine; the secrets and
variables are a user's own settings (tests/settings.py).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver import create_app
from mockserver.config import MockConfig
from mockserver.process import serve_process
from statuskit.credentials import ENV_PREFIX, settings
from tests.ci_runner import (
    Contexts,
    JobRun,
    Shell,
    gitlab_job_runs,
    recipes,
    run_github,
    run_gitlab,
    triggers,
)
from tests.drift.mutate import Mutating, Rule, json_edit
from tests.drift.test_mutations import RECORD, stringify
from tests.helpers import served
from tests.settings import CANARIES, USER_SETTINGS

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "ci.md"
CONSUMER = REPO / "tests" / "data" / "ci" / "consumer"
GITHUB_CONTRACT = ".github/workflows/statuskit.yml"
GITHUB_DRIFT = ".github/workflows/statuskit-drift.yml"
GITLAB = ".gitlab-ci.yml"
#: The port the recipes name; each run puts a free one in its place.
RECIPE_PORT = "8080"
APIS = ("thalamus", "tealium")


def recipe(name: str, port: int | None = None) -> Any:
    """A recipe of docs/ci.md, parsed; with ``port``, listening there instead of 8080."""
    text = recipes(DOC.read_text(encoding="utf-8"))[name]
    if port is not None:
        assert RECIPE_PORT in text
        text = text.replace(RECIPE_PORT, str(port))
    return yaml.safe_load(text)


def free_port() -> int:
    """A port nothing listens on now (the recipe's server takes it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def machine() -> dict[str, str]:
    """The environment of a fresh CI machine with statuskit's Python: none of this run's
    own statuskit, pytest, Python, pip or CI settings; this interpreter's scripts (python,
    pip, pytest, statuskit) first on the PATH; pip answering from what is installed."""
    drop = (ENV_PREFIX, "PYTEST_", "PYTHON", "VIRTUAL_ENV", "NOX_", "PIP_", "CI", "GITHUB_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    """A checkout of the consumer's project for a job to run in; whatever the job leaves
    running is ended afterwards (the tests assert that it left nothing)."""
    workdir = tmp_path / "checkout"
    shutil.copytree(CONSUMER, workdir)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    runner = Shell(workdir, scripts)
    try:
        yield runner
    finally:
        runner.end()


def test_the_doc_has_each_recipe_for_its_trigger() -> None:
    assert "push" in triggers(recipe(GITHUB_CONTRACT))
    assert "schedule" in triggers(recipe(GITHUB_DRIFT))
    gitlab = recipe(GITLAB)
    assert gitlab_job_runs(gitlab["statuskit"], "push")
    assert gitlab_job_runs(gitlab["statuskit-drift"], "schedule")
    assert not gitlab_job_runs(gitlab["statuskit-drift"], "push")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def assert_reports(workdir: Path) -> None:
    """report.xml is a JUnit report of passing tests; report.html a page with a table."""
    root = ET.parse(workdir / "report.xml").getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert suites, root.tag
    assert sum(int(suite.get("tests", "0")) for suite in suites) > 0
    assert all(suite.get("failures") == suite.get("errors") == "0" for suite in suites)
    page = (workdir / "report.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    parsed = _Tags()
    parsed.feed(page)
    assert {"html", "table", "td"} <= parsed.tags


def assert_server_stopped(shell: Shell, port: int) -> None:
    """The server the job started is gone, workers included, and its port is closed."""
    pid = int((shell.workdir / "statuskit-serve.pid").read_text())
    deadline = time.monotonic() + 30  # a deadline for a clean stop, not a speed check
    while shell.leftovers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert shell.leftovers() == []
    assert _gone(pid)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def _gone(pid: int) -> bool:
    """No such process, or one that has exited and waits to be reaped (a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


def assert_contract_job(run: JobRun, shell: Shell, port: int) -> None:
    """The job passed, with each of its parts seen doing its work."""
    assert run.returncode == 0, run.log[-4000:]
    assert "Requirement already satisfied: statuskit" in run.log
    assert re.search(r"=+ 3 passed in ", run.log)  # the consumer's tests, on the job's server
    assert "contract coverage of" in run.log
    assert_reports(shell.workdir)
    assert_server_stopped(shell, port)
    assert run.artifacts
    for artifact in run.artifacts:
        assert (shell.workdir / artifact).is_file(), artifact


def test_the_github_workflow_runs_the_tests_and_the_suites(shell: Shell, tmp_path: Path) -> None:
    port = free_port()
    workflow = recipe(GITHUB_CONTRACT, port)
    contexts = Contexts(secrets={}, vars={})
    summary = tmp_path / "summary.md"
    run = run_github(workflow, "contract", shell, contexts, machine(), summary)
    assert_contract_job(run, shell, port)
    assert {"report.html", "report.xml"} <= {str(path) for path in run.artifacts}


def test_the_gitlab_job_runs_them_with_the_projects_own_settings(shell: Shell) -> None:
    # The project's CI/CD variables reach every job: the server, the consumer's tests and
    # check all read the same non-default credentials and admin token.
    port = free_port()
    run = run_gitlab(recipe(GITLAB, port), "statuskit", shell, {**machine(), **USER_SETTINGS})
    assert_contract_job(run, shell, port)
    assert [str(path) for path in run.junit] == ["report.xml"]
    assert_no_canary(run, shell.workdir)


def assert_no_canary(run: JobRun, *folders: Path) -> None:
    """No secret shows in what the job printed or wrote."""
    files = [path for folder in folders for path in folder.iterdir() if path.is_file()]
    written = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    for canary in CANARIES:
        assert canary not in run.log
        assert all(canary not in text for text in written)


@contextmanager
def staging(kind: str) -> Iterator[str]:
    """ "Staging" at a URL: the kit's serve with the user's credentials; the same mock with
    one documented field's type changed (a breaking drift); or nothing listening."""
    if kind == "conforming":
        with serve_process(env={**machine(), **USER_SETTINGS}) as server:
            yield server.base_url
    elif kind == "breaking":
        mock = create_app(MockConfig.from_env(USER_SETTINGS))
        with served(Mutating(mock, Rule(RECORD, json_edit(stringify("rowsOk"))))) as url:
            yield url
    else:
        yield f"http://127.0.0.1:{free_port()}"


#: kind of staging -> the job's exit code, and each API's verdict in its report.
OUTCOMES = {
    "conforming": (0, {"thalamus": "· **passed**", "tealium": "· **passed**"}),
    "breaking": (1, {"thalamus": "· **FAILED**", "tealium": "· **passed**"}),
    "unreachable": (2, dict.fromkeys(APIS, "could not measure staging: statuskit: error: ")),
}


def assert_reported(text: str, kind: str, url: str, apis: tuple[str, ...] = APIS) -> None:
    """Each API's Markdown report (or the one line saying it could not measure) is there."""
    for api in apis:
        verdict = OUTCOMES[kind][1][api]
        [line] = [
            line for line in text.splitlines() if line.startswith(f"**statuskit drift** · {api}")
        ]
        assert verdict in line, line
        assert kind == "unreachable" or f"{api} at `{url}`" in line


def secrets_and_vars(url: str) -> Contexts:
    """The user's settings as a GitHub repository keeps them: secrets as secrets."""
    secret = settings()
    return Contexts(
        secrets={name: value for name, value in USER_SETTINGS.items() if secret[name]},
        vars={"STAGING_URL": url}
        | {name: value for name, value in USER_SETTINGS.items() if not secret[name]},
    )


@pytest.mark.parametrize("kind", OUTCOMES)
def test_the_scheduled_github_drift_job_summarises_staging(
    kind: str, shell: Shell, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    with staging(kind) as url:
        workflow = recipe(GITHUB_DRIFT)
        run = run_github(workflow, "drift", shell, secrets_and_vars(url), machine(), summary)
    assert run.returncode == OUTCOMES[kind][0], run.log[-4000:]
    assert_reported(summary.read_text(encoding="utf-8"), kind, url)
    assert_no_canary(run, shell.workdir, tmp_path)
    assert shell.leftovers() == []


@pytest.mark.parametrize("kind", OUTCOMES)
def test_the_scheduled_gitlab_drift_job_keeps_the_reports(kind: str, shell: Shell) -> None:
    with staging(kind) as url:
        variables = {**USER_SETTINGS, "STAGING_URL": url, "CI_PIPELINE_SOURCE": "schedule"}
        run = run_gitlab(recipe(GITLAB), "statuskit-drift", shell, {**machine(), **variables})
    assert run.returncode == OUTCOMES[kind][0], run.log[-4000:]
    assert {str(path) for path in run.artifacts} == {f"drift-{api}.md" for api in APIS}
    for api in APIS:
        report = (shell.workdir / f"drift-{api}.md").read_text(encoding="utf-8")
        assert_reported(report, kind, url, (api,))
    assert_reported(run.log, kind, url)
    assert_no_canary(run, shell.workdir)
    assert shell.leftovers() == []

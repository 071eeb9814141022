"""statuskit as a user meets it: the wheel installed with no extras into a fresh venv, used
from a folder outside this checkout, with every ``STATUSKIT_*`` setting changed from its
default. ``serve``, ``check``, ``drift`` and every fixture of the plugin must work there,
and no credential may show in anything they print."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from mockserver.process import ServerProcess, serve_process
from statuskit.credentials import ENV_PREFIX
from tests.settings import CANARIES, USER_SETTINGS
from tests.wheel import REPO, build_wheel, pip

DOWNSTREAM = REPO / "tests" / "data" / "downstream"


def user_environment(bin_dir: Path | None = None) -> dict[str, str]:
    """This process's environment without any statuskit or Python-path setting of its own,
    plus the user's settings (and, first on the PATH, a venv's scripts)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith((ENV_PREFIX, "PYTEST_", "VIRTUAL_ENV", "PYTHON", "NOX_"))
    }
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **USER_SETTINGS}


def run(args: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False, timeout=600
    )
    for canary in CANARIES:
        assert canary not in done.stdout + done.stderr, f"{args[:2]} printed a credential"
    return done


def run_downstream(python: str, tmp_path: Path, env: Mapping[str, str]) -> str:
    project = tmp_path / "acme-poller"
    shutil.copytree(DOWNSTREAM, project)
    done = run([python, "-m", "pytest", "-p", "no:cacheprovider"], project, env)
    assert done.returncode == 0, done.stdout[-3000:]
    return done.stdout


def test_a_consumer_project_passes_with_its_own_settings(tmp_path: Path) -> None:
    # The same project as below, on this checkout's install: quick feedback on the plugin.
    out = run_downstream(sys.executable, tmp_path, user_environment())
    assert " 10 passed" in out


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel and only its declared dependencies, no extras."""
    wheel = build_wheel(tmp_path_factory.mktemp("dist"))
    where = tmp_path_factory.mktemp("venv")
    venv.create(where, with_pip=True)
    subprocess.run([*pip(where / "bin" / "python"), "install", str(wheel)], check=True, timeout=600)
    return where


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with nothing of this checkout in it."""
    folder = tmp_path_factory.mktemp("outside")
    assert not folder.is_relative_to(REPO)
    return folder


@pytest.fixture(scope="module")
def installed_server(fresh_venv: Path, outside: Path) -> Iterator[ServerProcess]:
    env = user_environment(fresh_venv / "bin")
    python = str(fresh_venv / "bin" / "python")
    with serve_process("--workers", "2", env=env, python=(python,)) as server:
        yield server
    printed = "\n".join([*server.banner, *server.output])
    for canary in CANARIES:
        assert canary not in printed


def test_the_installed_kit_is_the_one_that_runs(fresh_venv: Path, outside: Path) -> None:
    python = str(fresh_venv / "bin" / "python")
    code = "import statuskit, mockserver, contract_tests, respx, pytest; print(statuskit.__file__)"
    done = run([python, "-c", code], outside, user_environment(fresh_venv / "bin"))
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(fresh_venv)


def test_check_passes_against_the_installed_serve(
    fresh_venv: Path, outside: Path, installed_server: ServerProcess
) -> None:
    env = user_environment(fresh_venv / "bin")
    junit = outside / "junit.xml"
    check = ["statuskit", "check", "--base-url", installed_server.base_url, "--junit", str(junit)]
    done = run(check, outside, env)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr)
    assert "contract coverage of" in done.stdout
    assert " passed" in done.stdout
    for canary in CANARIES:
        assert canary not in junit.read_text()


@pytest.mark.parametrize("api", ["thalamus", "tealium"])
def test_drift_finds_nothing_on_the_installed_serve(
    fresh_venv: Path, outside: Path, installed_server: ServerProcess, api: str
) -> None:
    env = user_environment(fresh_venv / "bin")
    drift = ["statuskit", "drift", "--api", api, "--base-url", installed_server.base_url]
    done = run([*drift, "--format", "json", "-q"], outside, env)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr)
    assert '"findings": []' in done.stdout


def test_every_fixture_works_in_a_consumer_project(fresh_venv: Path, tmp_path: Path) -> None:
    python = str(fresh_venv / "bin" / "python")
    out = run_downstream(python, tmp_path, user_environment(fresh_venv / "bin"))
    assert " 10 passed" in out


def test_a_tool_failure_is_exit_2_from_the_installed_kit(fresh_venv: Path, outside: Path) -> None:
    env = user_environment(fresh_venv / "bin")
    done = run(["statuskit", "check", "--base-url", "http://127.0.0.1:9"], outside, env)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("statuskit: error: cannot reach the target")

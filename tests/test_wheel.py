"""The built wheel carries the schemas and fixtures: installed into a bare target folder and
run from outside the repository, it finds and validates them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.wheel import PIP, build_wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's wheel, built from this checkout and installed into a temporary target."""
    wheel = build_wheel(tmp_path_factory.mktemp("dist"))
    target = tmp_path_factory.mktemp("target")
    names = zipfile.ZipFile(wheel).namelist()
    assert "statuskit/_data/schemas/thalamus/import-record.json" in names
    assert "statuskit/_data/fixtures/manifest.json" in names
    assert "statuskit/py.typed" in names
    assert "mockserver/admin/ui/static/index.html" in names
    subprocess.run([*PIP, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    return target


def run_outside(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The target folder goes first on the path, ahead of this checkout's editable install;
    # the dependencies come from the running interpreter's site-packages.
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_installed_wheel_serves_the_dashboard(installed: Path, tmp_path: Path) -> None:
    # Every file the page names, and every module its scripts import, is in the wheel.
    script = (
        "import re, httpx\n"
        "from mockserver import create_app\n"
        "app = create_app({'generated': 0})\n"
        "c = httpx.Client(transport=httpx.WSGITransport(app=app), base_url='http://m')\n"
        "page = c.get('/__admin/ui/')\n"
        "assert page.status_code == 200, page.status_code\n"
        'names = re.findall(r\'(?:src|href)="([^"]+)"\', page.text)\n'
        "assert names, page.text\n"
        "seen = set()\n"
        "while names:\n"
        "    name = names.pop()\n"
        "    if name in seen: continue\n"
        "    seen.add(name)\n"
        "    r = c.get(httpx.URL('http://m/__admin/ui/').join(name))\n"
        "    assert r.status_code == 200, (name, r.status_code)\n"
        "    if name.endswith('.js'):\n"
        "        names += re.findall(r'from [\"\\'](?:\\./)?([^\"\\']+)[\"\\']', r.text)\n"
        "print(len(seen), 'files')\n"
    )
    result = run_outside(installed, tmp_path, "-c", script)
    assert result.returncode == 0, result.stderr
    static = Path(__file__).parents[1] / "mockserver" / "admin" / "ui" / "static"
    shipped = len([p for p in static.iterdir() if p.name != "index.html"])
    assert result.stdout.split() == [str(shipped), "files"]


def test_installed_wheel_validates_the_documented_fixtures(installed: Path, tmp_path: Path) -> None:
    result = run_outside(installed, tmp_path, "-m", "statuskit", "selfcheck")
    assert result.returncode == 0, result.stderr
    assert f"under {installed / 'statuskit' / '_data' / 'schemas'}" in result.stdout
    assert "17/17 fixture instances valid" in result.stdout


def test_installed_wheel_is_the_code_that_runs(installed: Path, tmp_path: Path) -> None:
    code = (
        "import statuskit, statuskit.fixtures as f; "
        "print(statuskit.__file__); "
        "doc = f.documented('tealium', 'get-file-status', 200).load(); "
        "print(statuskit.validate('tealium', 'file-status', doc))"
    )
    result = run_outside(installed, tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    location, findings = result.stdout.splitlines()
    assert Path(location).is_relative_to(installed)
    assert findings == "[]"


def test_installed_wheel_runs_the_contract_suites(installed: Path, tmp_path: Path) -> None:
    # The suites, their conftest and the plugin's options all come from the installed kit.
    result = run_outside(
        installed,
        tmp_path,
        "-m",
        "pytest",
        "--pyargs",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        "--strict-markers",
        "-k",
        "test_tealium_v2 and not generated",
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "contract coverage of the in-process mock" in result.stdout
    where = run_outside(
        installed, tmp_path, "-c", "import contract_tests; print(contract_tests.__file__)"
    )
    assert Path(where.stdout.strip()).is_relative_to(installed)

"""Schemathesis, a peer property-based API tester, run exactly as the README shows.

The commands come from README.md itself ("OpenAPI, for other tools"): ``statuskit openapi``
writes the document and Schemathesis's configuration, then the ``schemathesis`` CLI runs
against a ``statuskit serve`` of this module's own on a free port, with its defaults (all
phases: examples, coverage, fuzzing, stateful along the document's links; positive and
negative data; every default check). Only ``--url`` changes, and the run is bounded
(``STATUSKIT_PEERS_EXAMPLES`` per operation, 20 by default) and seeded
(``STATUSKIT_PEERS_SEED``). Target: exit 0, zero failures. ``nox -s peers -- 500`` runs more.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.process import serve_process
from statuskit.openapi import DEFAULT_SERVER, build_document
from statuskit.openapi._logins import log_in

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = os.environ.get("STATUSKIT_PEERS_EXAMPLES", "20")
SEED = os.environ.get("STATUSKIT_PEERS_SEED", "20260101")
BIN = Path(sys.executable).parent


def readme_commands() -> list[list[str]]:
    """The README's ``statuskit openapi`` and ``schemathesis`` lines, as argument lists."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## OpenAPI, for other tools") :]
    block = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M)
    assert block is not None, "README.md: no sh block under 'OpenAPI, for other tools'"
    lines = [shlex.split(line, comments=True) for line in block[1].splitlines()]
    return [argv for argv in lines if argv and argv[0] in ("statuskit", "schemathesis")]


def test_the_readme_shows_the_commands_this_module_runs() -> None:
    """The README's lines are what the run below executes, so check their shape here: the
    document and the config the first writes are the files the second reads."""
    commands = readme_commands()
    assert [argv[0] for argv in commands] == ["statuskit", "schemathesis"]
    statuskit, schemathesis = commands
    assert statuskit[1] == "openapi"
    document = statuskit[statuskit.index("-o") + 1]
    config = statuskit[statuskit.index("--schemathesis-config") + 1]
    assert schemathesis[schemathesis.index("--config-file") + 1] == config
    run = schemathesis.index("run")
    assert schemathesis[run + 1] == document
    assert schemathesis[schemathesis.index("--url") + 1] == DEFAULT_SERVER


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A real ``statuskit serve`` on a free port, for this module alone: Schemathesis
    uploads imports and ends sessions, which no other test should see."""
    with serve_process() as running:
        yield running.base_url


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN))
    assert found is not None, f"{name} is not installed next to {sys.executable}"
    return found


def test_schemathesis_as_the_readme_shows_finds_nothing(served: str, tmp_path: Path) -> None:
    statuskit, schemathesis = readme_commands()
    # The README's lines, run from an empty directory (Schemathesis's cache and reports
    # stay out of the checkout), with this server's URL and a bounded, seeded run.
    env = {**os.environ, "NO_COLOR": "1"}
    written = subprocess.run(
        [_tool("statuskit"), *statuskit[1:]], cwd=tmp_path, env=env, capture_output=True
    )
    assert written.returncode == 0, written.stderr
    argv = [
        _tool("schemathesis"),
        *(served if a == DEFAULT_SERVER else a for a in schemathesis[1:]),
    ]
    argv += ["--max-examples", EXAMPLES, "--seed", SEED]
    result = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in summary, summary
    assert "Tested: 14" in summary
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in summary, summary


NON_DEFAULT = {
    "STATUSKIT_THALAMUS_TOUCHPOINT": "peer-touchpoint",
    "STATUSKIT_THALAMUS_TOKEN": "peer-token-3141",
    "STATUSKIT_THALAMUS_PRINCIPAL": "peer@example.org",
    "STATUSKIT_THALAMUS_PASSWORD": "peer-password-2718",
    "STATUSKIT_TEALIUM_USERNAME": "peer-user@example.org",
    "STATUSKIT_TEALIUM_PASSWORD": "peer-password-1618",
    "STATUSKIT_TEALIUM_API_KEY": "peer-api-key-1414",
}


def test_the_hooks_logins_satisfy_every_security_alternative() -> None:
    """The shipped hooks' login takes the server's own ``STATUSKIT_*`` credentials, and its
    values satisfy each alternative of each operation's security, in its documented place."""
    env = {**os.environ, **NON_DEFAULT}
    document = build_document("all")
    schemes = document["components"]["securitySchemes"]
    with serve_process(env=env) as running:
        logins = log_in(running.base_url, env)
        assert "peer" not in repr(logins)
        window = "?filePrefix=&startDate=2016-01-01T00:00Z&endDate=2016-01-02T00:00Z"
        probes = {
            "/api/v4/import/status/{id}": "/api/v4/import/status/274",
            **{
                f"/v{v}/omnichannel/accounts/{{account}}/profiles/{{profile}}/files/count": (
                    f"/v{v}/omnichannel/accounts/acme/profiles/main/files/count{window}"
                )
                for v in (1, 2)
            },
        }
        with httpx.Client(base_url=running.base_url) as client:
            for path, probe in probes.items():
                for alternative in document["paths"][path]["get"]["security"]:
                    request = client.build_request("GET", probe)
                    for name in alternative:
                        value = logins.value(name, schemes[name])
                        assert value is not None, name
                        _place(request, schemes[name], value.reveal())
                    assert client.send(request).status_code == 200, (path, alternative)


def _place(request: httpx.Request, scheme: dict[str, str], value: str) -> None:
    if scheme["type"] == "http":
        request.headers["Authorization"] = f"Bearer {value}"
    elif scheme["in"] == "query":
        request.url = request.url.copy_merge_params({scheme["name"]: value})
    elif scheme["in"] == "header":
        request.headers[scheme["name"]] = value
    else:
        cookie = f"{scheme['name']}={value}"
        old = request.headers.get("Cookie")
        request.headers["Cookie"] = f"{old}; {cookie}" if old else cookie


def test_a_one_api_document_runs_against_a_one_api_server(tmp_path: Path) -> None:
    """``--api thalamus`` on both sides: the hooks log in to that API alone (a Tealium
    login would find no route), and the documented examples pass."""
    env = {**os.environ, "NO_COLOR": "1"}
    document, config = tmp_path / "openapi.json", tmp_path / "schemathesis.toml"
    write = [_tool("statuskit"), "openapi", "--api", "thalamus", "-o", str(document)]
    written = subprocess.run([*write, "--schemathesis-config", str(config)], env=env)
    assert written.returncode == 0
    with serve_process("--api", "thalamus") as running:
        logins = log_in(running.base_url, apis={"thalamus"})
        assert logins.value("tealium.utk", {"type": "apiKey", "in": "query"}) is None
        argv = [_tool("schemathesis"), "--config-file", str(config), "run", str(document)]
        argv += ["--url", running.base_url, "--phases", "examples", "--seed", SEED]
        result = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout

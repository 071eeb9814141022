"""``statuskit serve`` as a user runs it: a real server in a subprocess, on an ephemeral
port, over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from mockserver.process import ServerProcess, serve_process
from statuskit.errors import StatuskitError
from statuskit.fixtures import documented

Q = "touchpoint=test&token=statuskit-token"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """Both fake upstreams, two workers, as the README starts them."""
    with serve_process("--workers", "2") as running:
        yield running


@contextmanager
def login(base_url: str) -> Iterator[httpx.Client]:
    """A client with a Thalamus consumer session."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        response = client.post(
            f"/api/v3/thalamus_security_check?{Q}", auth=("consumer@example.com", "statuskit")
        )
        assert response.status_code == 200
        yield client


def test_banner_names_url_credentials_and_a_curl_line(server: ServerProcess) -> None:
    text = "\n".join(server.banner)
    assert server.base_url.startswith("http://127.0.0.1:")
    assert "granian, 2 workers" in text
    assert "token statuskit-token" in text
    login_curl = "curl -s -c /tmp/statuskit-cookies -u consumer@example.com:statuskit -X POST"
    assert f"{login_curl} '{server.base_url}" in text


def test_the_curl_line_returns_the_documented_example(server: ServerProcess) -> None:
    line = next(line for line in server.banner if "curl -s -c" in line).strip()
    out = subprocess.run(line, shell=True, capture_output=True, text=True, check=True).stdout
    principal, record = out.split("}", 1)
    assert json.loads(principal + "}") == {"principal": "consumer@example.com"}
    assert json.loads(record) == documented("thalamus", "get-status", 200).load()


def test_documented_example_over_http(server: ServerProcess) -> None:
    with login(server.base_url) as client:
        response = client.get(f"/api/v4/import/status/274?{Q}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == documented("thalamus", "get-status", 200).load()


def test_documented_errors_over_http(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        missing = client.get("/api/v4/import/status/274")
        no_session = client.get(f"/api/v4/import/status/274?{Q}")
    assert (missing.status_code, missing.json()) == (
        400,
        {"errors": {"partnerDataSource": "TouchpointCodeRequired"}},
    )
    assert (no_session.status_code, no_session.content) == (401, b"")


def test_state_is_shared_by_both_workers(server: ServerProcess) -> None:
    with login(server.base_url) as client:
        created = [
            client.post(
                f"/api/v4/import/file?{Q}&name=w{n}&type=25011",
                files={"file": (f"w{n}.xlsx", b"x" * n)},
            ).json()["id"]
            for n in range(20)
        ]

    def fetch(record_id: int) -> int:
        # A new connection each time, so the requests spread over both workers.
        with login(server.base_url) as fresh:
            return fresh.get(f"/api/v4/import/status/{record_id}?{Q}").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(fetch, created * 5))
    assert statuses == [200] * len(statuses)


def test_port_in_use_is_one_line(server: ServerProcess) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "statuskit", "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"statuskit: error: port {port} on 127.0.0.1 is in use; choose another with --port"
    ]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_shuts_down_cleanly(sig: signal.Signals) -> None:
    with serve_process("--api", "thalamus") as running:
        code = running.stop(sig)
        output = "\n".join(running.output)
    assert code == 0, output
    assert "Traceback" not in output
    assert "statuskit: stopped" in output


def test_gunicorn_fallback_serves_the_same() -> None:
    env = {**os.environ, "STATUSKIT_THALAMUS_TOKEN": "from-env-token"}
    with serve_process("--server", "gunicorn", "--api", "thalamus", env=env) as running:
        banner = "\n".join(running.banner)
        response = httpx.get(f"{running.base_url}/api/v4/import/status/274?touchpoint=test&token=x")
    assert "(gunicorn, 1 worker)" in banner
    assert "from-env-token" not in banner
    assert "token (from $STATUSKIT_THALAMUS_TOKEN)" in banner
    assert response.json() == {"errors": {"token": "InvalidToken"}}


def test_a_server_that_prints_nothing_fails_within_the_timeout() -> None:
    # A child that never prints its banner (here: one that only sleeps) must not hang the
    # caller: serve_process gives up at its timeout, says so, and kills the child.
    silent = (sys.executable, "-c", "import time; time.sleep(60)")
    with (
        pytest.raises(StatuskitError, match="nothing printed within 1 s"),
        serve_process(timeout=1, python=silent),
    ):
        pass


def test_the_idna_codec_is_loaded_before_any_worker_forks() -> None:
    # The banner thread's first connection imports encodings.idna while granian forks its
    # workers; a fork in the middle of that import left a worker deadlocked on the module's
    # lock. serving imports it up front, in the main thread.
    code = "import sys, mockserver.serving; print('encodings.idna' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr

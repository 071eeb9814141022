"""``statuskit proxy`` as a user runs it: a subprocess on an ephemeral port, stopped by a
signal, its exit code and report read back."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mockserver.process import ServerProcess, serve_process
from statuskit.client import TealiumClient, ThalamusClient
from statuskit.registry import SchemaRegistry

DOC_FILE = "sales-transaction_2016feb4v50.csv"
#: Secrets in the proxy's environment, which nothing it prints may show.
SECRETS = {
    "STATUSKIT_ADMIN_TOKEN": "s3cret-admin-token",
    "STATUSKIT_THALAMUS_PASSWORD": "pw-S3cret",
}
_LISTENING = re.compile(r"proxy on (http://\S+) for (\S+)")


@dataclass
class Proxy:
    """A running ``statuskit proxy``: its process, its URL and what it printed."""

    process: subprocess.Popen[str]
    url: str
    banner: list[str] = field(default_factory=list)

    def stop(self, sig: int) -> tuple[int, str]:
        """Signal it; its exit code and everything it printed after the banner."""
        self.process.send_signal(sig)
        out, _ = self.process.communicate(timeout=60)
        return self.process.returncode, out


def _proxy_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "statuskit", "proxy", "--port", "0", *args]


@contextmanager
def running(*args: str, env: dict[str, str] | None = None) -> Iterator[Proxy]:
    """``statuskit proxy ARGS`` until the block ends (killed if the test left it running)."""
    process = subprocess.Popen(
        _proxy_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        banner: list[str] = []
        for line in process.stdout:
            banner.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl+C"):
                break
        found = next((m for m in map(_LISTENING.search, banner) if m), None)
        assert found is not None, banner
        yield Proxy(process, found.group(1), banner)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def upstream() -> Iterator[ServerProcess]:
    """A real ``statuskit serve``, both APIs."""
    with serve_process() as running_upstream:
        yield running_upstream


def _cannot_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_proxy_command(*args), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("upstream_url", "says"),
    [
        ("ftp://staging.example", "http:// or https://"),
        ("https://ops:hunter2@staging.example/urest_service", "credentials"),
        ("http://", "no host"),
    ],
)
def test_an_invalid_upstream_is_exit_2_in_one_line(upstream_url: str, says: str) -> None:
    done = _cannot_run("--upstream", upstream_url)
    assert done.returncode == 2
    assert done.stdout == ""  # it failed before it bound or printed a banner
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("statuskit: error: ")
    assert says in lines[0]
    assert "hunter2" not in done.stderr


def test_a_busy_port_is_exit_2_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            # The last --port wins over the helper's --port 0.
            _proxy_command("--upstream", "http://127.0.0.1:9", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"statuskit: error: port {port} on 127.0.0.1 is in use; choose another with --port"
    ]


def test_clean_traffic_then_sigterm_exits_0_with_drifts_report(
    upstream: ServerProcess, tmp_path: Path, registry: SchemaRegistry
) -> None:
    report = tmp_path / "findings.json"
    args = ("--upstream", f"{upstream.base_url}/", "--report", str(report), "--format", "json")
    with running(*args, env=SECRETS) as proxy:
        banner = "\n".join(proxy.banner)
        assert f"for {upstream.base_url} (api all)" in banner
        with ThalamusClient.from_env(proxy.url) as thalamus:
            assert thalamus.get_status(274).id == 274
        with TealiumClient.from_env(proxy.url, api_version=1) as tealium:
            assert tealium.get_file_status(DOC_FILE).file.name == DOC_FILE
        code, out = proxy.stop(signal.SIGTERM)
    assert code == 0, out
    written = json.loads(report.read_text(encoding="utf-8"))
    assert registry.validate("drift", "report", written) == []
    assert written["tool"] == "statuskit proxy"
    assert written["failed"] is False
    assert written["summary"]["requests"] >= 4  # two logins, two status reads
    for secret in SECRETS.values():
        assert secret not in banner
        assert secret not in out
        assert secret not in report.read_text(encoding="utf-8")


def test_a_breaking_finding_then_sigint_exits_1_and_the_report_names_it(
    upstream: ServerProcess, tmp_path: Path
) -> None:
    report = tmp_path / "findings.txt"
    with running("--upstream", upstream.base_url, "--report", str(report)) as proxy:
        # No touchpoint, token or session: what the application got wrong.
        answer = httpx.get(f"{proxy.url}/api/v4/import/status/274", timeout=30)
        assert answer.status_code == 400  # the upstream's answer, passed on
        assert "request-credential-missing" in answer.headers["x-statuskit-violations"]
        code, out = proxy.stop(signal.SIGINT)
    assert code == 1, out
    assert "request-credential-missing" in report.read_text(encoding="utf-8")
    assert "Traceback" not in out

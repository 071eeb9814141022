"""Starting and stopping servers for the benchmarks, and measuring them with wrk."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mockserver.process import serve_process

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Server:
    """A running server process and its base URL."""

    process: subprocess.Popen[str]
    base_url: str
    started: float

    def rss_mib(self) -> float:
        """Resident memory of the server and all its worker processes, in MiB."""
        return sum(_rss_kib(pid) for pid in _tree(self.process.pid)) / 1024


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def statuskit_serve(*args: str) -> Iterator[Server]:
    """``statuskit serve --port 0 ARGS``, stopped with SIGTERM afterwards."""
    with serve_process(*args, timeout=900) as running:
        yield Server(running.process, running.base_url, running.started)


@contextmanager
def granian_bare(port: int) -> Iterator[Server]:
    """The bare WSGI baseline under granian, configured as statuskit serve configures it."""
    from mockserver.serving import BLOCKING_THREADS

    started = time.perf_counter()
    process = subprocess.Popen(
        [
            shutil.which("granian") or "granian",
            "--interface",
            "wsgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--blocking-threads",
            str(BLOCKING_THREADS),
            "--log-level",
            "warning",
            "bench.bare_app:create_app",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(base).status_code == 200)
        yield Server(process, base, started)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(ready: object, timeout: float = 60) -> float:
    """Poll ``ready()`` until it is true; return when that happened (perf_counter)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():  # type: ignore[operator]
                return time.perf_counter()
        except httpx.TransportError:
            pass
        time.sleep(0.01)
    raise RuntimeError("server did not become ready")


@dataclass(frozen=True)
class Load:
    """What wrk measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    command: str


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    headers: Sequence[str] = (),
    *,
    seconds: int = 10,
    threads: int = 2,
    connections: int = 32,
) -> Load:
    """``wrk -t2 -c32`` (by default) against ``url`` on loopback."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    shown = " ".join(command)
    for secret in re.findall(r"(?:JSESSIONID=|utk=|token=)([^;&\s']+)", shown):
        shown = shown.replace(secret, "…")
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        # Anchored: a Req/Sec line ending in "57.50%" must not pass for the 50th percentile.
        p50_ms=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        command=shown,
    )


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of a fresh database on a PostgreSQL server started for the run (the kit's
    own ``tests/postgres.py``: initdb into a temporary folder), stopped afterwards."""
    from tests.postgres import running

    with running("statuskit-bench-pg-") as server:
        yield server.url(server.new_database())


def require(tool: str) -> None:
    """Exit with one line if a benchmark tool is missing."""
    if shutil.which(tool) is None:
        sys.exit(f"bench: {tool} is not installed (apt-get install {tool})")


__all__ = [
    "Load",
    "Server",
    "granian_bare",
    "require",
    "statuskit_serve",
    "throwaway_postgres",
    "wait_for",
    "wrk",
]
os.environ.setdefault("PYTHONUNBUFFERED", "1")

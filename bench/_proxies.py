"""The two validating proxies of the proxy benchmark, and wrk at low load.

``statuskit proxy`` and ``prism proxy`` are started in front of one upstream on loopback,
each on its own port, and stopped after. Neither is ever started by the tests.
"""

from __future__ import annotations

import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO

from bench._servers import Load, Server, _ms, _stop, _tree

__all__ = ["cpu_seconds", "others_cores", "prism_proxy", "statuskit_proxy", "wrk_load"]


def cpu_seconds(server: Server) -> float:
    """CPU time (user and system) the server's process and its children have used so far."""
    total = 0
    for pid in _tree(server.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (all cores, /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _ours_seconds() -> float:
    """CPU time of this process and of every child it has reaped (servers, wrk)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def others_cores() -> Iterator[list[float]]:
    """Measure, over the block, the cores that processes other than the benchmark's kept
    busy (the machine is shared); the figure is in the list once the block ends.

    Every process the benchmark starts must be stopped and reaped inside the block, so
    that its CPU time is counted as the benchmark's.
    """
    result: list[float] = []
    began, busy, ours = time.monotonic(), _busy_seconds(), _ours_seconds()
    yield result
    wall = time.monotonic() - began
    result.append(max(0.0, (_busy_seconds() - busy) - (_ours_seconds() - ours)) / wall)


def _listening(process: subprocess.Popen[str], port: int, log: IO[str], what: str) -> None:
    """Wait until ``port`` accepts a connection; exit with the log's tail if the process died."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = " | ".join(log.read().splitlines()[-5:])
            sys.exit(f"bench: {what} exited with {process.returncode}: {tail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.02)
    _stop(process)
    sys.exit(f"bench: {what} did not listen on port {port} within 60 s")


@contextmanager
def _running(command: Sequence[str], port: int, what: str) -> Iterator[Server]:
    """Run ``command`` (a server on 127.0.0.1:``port``) until the block ends.

    Its output goes to a temporary file, never a pipe: a proxy that logs every request
    must not stall on a full pipe in the middle of a load.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            _listening(process, port, log, what)
            yield Server(process, f"http://127.0.0.1:{port}", started)
        finally:
            _stop(process)


def statuskit_proxy(upstream: str, port: int, *args: str) -> AbstractContextManager[Server]:
    """``statuskit proxy --upstream UPSTREAM`` on 127.0.0.1:``port``, validation on."""
    command = [sys.executable, "-m", "statuskit", "proxy", "--upstream", upstream]
    command += ["--host", "127.0.0.1", "--port", str(port), *args]
    return _running(command, port, "statuskit proxy")


def prism_proxy(
    binary: Path, document: Path, upstream: str, port: int
) -> AbstractContextManager[Server]:
    """``prism proxy DOCUMENT UPSTREAM`` on loopback, logging off (its fastest).

    Prism validates every request and response against the document in this mode and
    reports violations in an ``sl-violations`` header; ``--errors`` stays off, as
    statuskit's ``--errors`` does.
    """
    command = [str(binary), "proxy", str(document), upstream, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--verboseLevel", "silent"]
    return _running(command, port, "prism proxy")


# The same pattern as bench._servers.wrk, so the commands print alike.
_SECRETS = re.compile(r"(?:JSESSIONID=|utk=|token=)([^;&\s']+)")


def wrk_load(
    url: str, headers: Sequence[str], *, threads: int, connections: int, seconds: int
) -> Load:
    """``wrk -tT -cC`` against ``url``: the low-load run (``-t1 -c1``) and the main one."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    shown = " ".join(command)
    for secret in _SECRETS.findall(shown):
        shown = shown.replace(secret, "…")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(
        rps=float(_found(r"Requests/sec:\s+([\d.]+)", out)),
        # Anchored: a Req/Sec line ending in "57.50%" must not pass for the 50th percentile.
        p50_ms=_ms(_found(r"^\s+50%\s+(\S+)", out)),
        p99_ms=_ms(_found(r"^\s+99%\s+(\S+)", out)),
        requests=int(_found(r"(\d+) requests in", out)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        command=shown,
    )


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.M)
    if match is None:
        sys.exit(f"bench: wrk printed no {pattern!r}: {text[-300:]}")
    return match.group(1)

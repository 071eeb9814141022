"""``statuskit serve`` as a child process: started on an ephemeral port, stopped cleanly.

Used by the kit's tests, the benchmarks and the pytest plugin, wherever a real server on a
real socket is wanted.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from statuskit.errors import StatuskitError

__all__ = ["ServerProcess", "serve_process"]

_BANNER = re.compile(r"fake upstreams on (http://\S+)")


@dataclass
class ServerProcess:
    """A running ``statuskit serve``: its process, base URL and what it printed."""

    process: subprocess.Popen[str]
    base_url: str
    started: float
    banner: list[str] = field(default_factory=list)
    #: What the server printed after its banner (the last 1,000 lines).
    output: deque[str] = field(default_factory=lambda: deque(maxlen=1000))
    drain: threading.Thread | None = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Signal the server, wait for it, and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.drain is not None:
            self.drain.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def _drain(stream: IO[str], into: deque[str]) -> None:
    for line in stream:
        into.append(line.rstrip("\n"))


@contextmanager
def serve_process(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    python: Sequence[str] = (sys.executable,),
) -> Iterator[ServerProcess]:
    """Run ``statuskit serve --port 0 ARGS`` until the block ends.

    The server prints its banner once its socket listens, so the URL is usable at once.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [*python, "-m", "statuskit", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=None if env is None else dict(env),
    )
    server: ServerProcess | None = None
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            found = _BANNER.search(line)
            if found:
                server = ServerProcess(process, found.group(1), started, lines)
                break
            if time.monotonic() > deadline:
                break
        if server is None:
            output = " | ".join(lines[-5:])
            raise StatuskitError(f"statuskit serve did not start: {output}")
        # The banner's remaining lines, up to the last one, belong to it too.
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl+C"):
                break
        # Keep reading what the server prints, so a full pipe never blocks it.
        server.drain = threading.Thread(
            target=_drain, args=(process.stdout, server.output), daemon=True
        )
        server.drain.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        else:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

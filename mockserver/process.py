"""``statuskit serve`` as a child process: started on an ephemeral port, stopped cleanly.

Used by the kit's tests, the benchmarks and the pytest plugin, wherever a real server on a
real socket is wanted.
"""

from __future__ import annotations

import queue
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
    follower: threading.Thread | None = None

    def follow(self, printed: queue.Queue[str | None]) -> None:
        """Keep what the server prints from now on in :attr:`output`."""

        def keep() -> None:
            while (line := printed.get()) is not None:
                self.output.append(line)

        self.follower = threading.Thread(target=keep, daemon=True)
        self.follower.start()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Signal the server, wait for it, and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for thread in (self.drain, self.follower):
            if thread is not None:
                thread.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def _drain(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Every line the server prints, then ``None`` when its output ends."""
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _next_line(lines: queue.Queue[str | None], deadline: float) -> str | None:
    """The next line, or ``None`` once the output ended or the deadline passed: a server
    that hangs before printing anything must not hang its caller too."""
    try:
        return lines.get(timeout=max(deadline - time.monotonic(), 0))
    except queue.Empty:
        return None


@contextmanager
def serve_process(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    python: Sequence[str] = (sys.executable,),
) -> Iterator[ServerProcess]:
    """Run ``statuskit serve --port 0 ARGS`` until the block ends.

    The server prints its banner once a worker answers, so the URL is usable at once. No
    banner within ``timeout`` seconds is a :class:`~statuskit.errors.StatuskitError`.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [*python, "-m", "statuskit", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=None if env is None else dict(env),
    )
    assert process.stdout is not None
    # One thread reads everything the server prints, from the start, so a full pipe never
    # blocks it and a silent server never blocks this one.
    printed: queue.Queue[str | None] = queue.Queue()
    drain = threading.Thread(target=_drain, args=(process.stdout, printed), daemon=True)
    drain.start()
    server: ServerProcess | None = None
    try:
        deadline = time.monotonic() + timeout
        lines: list[str] = []
        while (line := _next_line(printed, deadline)) is not None:
            lines.append(line)
            found = _BANNER.search(line)
            if found:
                server = ServerProcess(process, found.group(1), started, lines, drain=drain)
                break
        if server is None:
            output = " | ".join(lines[-5:]) or f"nothing printed within {timeout:.0f} s"
            raise StatuskitError(f"statuskit serve did not start: {output}")
        # The banner's remaining lines, up to the last one, belong to it too.
        while (line := _next_line(printed, deadline)) is not None:
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        server.follow(printed)
        yield server
    finally:
        if server is not None:
            server.stop()
        else:
            if process.poll() is None:
                process.kill()
                process.wait()
            drain.join(timeout=5)
            process.stdout.close()

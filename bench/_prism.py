"""Stoplight Prism for the peer benchmarks: installed from the npm registry into a cache
folder on first use (never in the tests' path), started on a document, stopped after."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench._servers import Server, _stop

__all__ = ["PRISM_PACKAGE", "install_prism", "prism_mock", "prism_version"]

#: The npm package and major version the comparison was written against.
PRISM_PACKAGE = "@stoplight/prism-cli@5"
CACHE = Path(os.environ.get("STATUSKIT_BENCH_CACHE", Path.home() / ".cache" / "statuskit-bench"))


def install_prism() -> Path:
    """The ``prism`` executable, ``npm install``-ed into the cache folder if not there yet."""
    prefix = CACHE / "prism"
    binary = prefix / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("bench: npm is not installed (apt-get install npm); Prism comes from npm")
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"bench: installing {PRISM_PACKAGE} into {prefix}", file=sys.stderr, flush=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), PRISM_PACKAGE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return binary


def prism_version(binary: Path) -> str:
    """What ``prism --version`` says."""
    return subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()


@contextmanager
def prism_mock(binary: Path, document: Path, port: int) -> Iterator[Server]:
    """``prism mock DOCUMENT`` on loopback, static examples, logging off (its fastest)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            str(binary),
            "mock",
            str(document),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--verboseLevel",
            "silent",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", started)
    finally:
        _stop(process)

"""How long the full contract suite takes with the ``ci`` profile: in process, then over
HTTP against a ``statuskit serve`` the suite starts itself, and the ratio of the two.

Each run is one ``python -m pytest --pyargs contract_tests --contract-profile=ci`` child
process, timed from start to exit (interpreter start and, over HTTP, the server's start
included). Hypothesis's statistics give the examples of the ``@given`` tests (the state
machines' steps are not among them); the coverage report gives the requests sent. Both runs
are derandomized, but the state machines' examples are not the same in the two modes (their
rule choices diverge after a few examples), so the two runs send different numbers of
requests: compare the time per request as well as the wall time. Run from the repository
root::

    python -m bench.contract_suite            # prints a markdown table
    python -m bench.contract_suite --check    # exit 1 when in-process is over 60 s
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_SECONDS = 60.0
_EXAMPLES = re.compile(
    r"(\d+) passing(?: examples?)?, (\d+) failing(?: examples?)?,(?: and)? (\d+) invalid"
)
_OUTCOME = re.compile(r"(\d+ (?:passed|failed)[^\n]*?) in ([\d.]+)s")


@dataclass(frozen=True)
class Run:
    """One timed run of the suite."""

    mode: str
    wall: float
    session: float
    examples: int
    requests: int
    outcome: str
    command: str

    @property
    def examples_per_second(self) -> float:
        return self.examples / self.wall

    @property
    def ms_per_request(self) -> float:
        # The pytest session's time: the requests, their checks and the generation.
        return 1000 * self.session / self.requests


def measure(mode: str, extra: tuple[str, ...]) -> Run:
    """Run the suite once and read what it printed."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        args = [
            "--pyargs",
            "contract_tests",
            "--contract-profile=ci",
            "-q",
            "-p",
            "no:cacheprovider",
            "--hypothesis-show-statistics",
            *extra,
        ]
        command = [sys.executable, "-m", "pytest", *args, f"--contract-coverage-json={report}"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"bench: the {mode} run failed:\n{done.stdout[-3000:]}")
        requests = json.loads(report.read_text())["requests"]
    examples = sum(sum(map(int, found)) for found in _EXAMPLES.findall(done.stdout))
    outcome = _OUTCOME.findall(done.stdout)[-1]
    shown = " ".join(["python -m pytest", *args])
    return Run(mode, wall, float(outcome[1]), examples, requests, outcome[0], shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 over {TARGET_SECONDS:g} s")
    args = parser.parse_args(argv)
    runs = [measure("in-process", ()), measure("HTTP (statuskit serve)", ("--contract-serve",))]
    print("| contract suite, ci | wall | pytest | examples | examples/s | requests | ms/request |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        print(
            f"| {run.mode} | {run.wall:.1f} s | {run.session:.1f} s | {run.examples} "
            f"| {run.examples_per_second:.0f} | {run.requests} | {run.ms_per_request:.2f} |"
        )
    in_process, http = runs
    print(f"\noutcomes: {in_process.outcome} / {http.outcome}")
    print(
        f"HTTP / in-process: wall {http.wall / in_process.wall:.2f}x, per request "
        f"{http.ms_per_request / in_process.ms_per_request:.2f}x"
    )
    for run in runs:
        print(f"{run.mode}: {run.command}")
    return 1 if args.check and in_process.wall >= TARGET_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())

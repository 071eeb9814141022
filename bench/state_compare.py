"""GET status on shared PostgreSQL state against the embedded SQLite state, side by side.

One run, on loopback, on this machine:
  * SQLite: one ``statuskit serve --workers 2``, loaded by ``wrk -t2 -c32``;
  * PostgreSQL: two ``statuskit serve --state postgresql://… --workers 2`` on one database
    (a throwaway server from Debian's package, started here), each loaded by its own
    ``wrk -t1 -c16`` at the same time, so the load is the same 32 connections. The session
    is made through the first instance and used on both: they share it.

Each configuration runs ``--rounds`` times, alternating, so a noisy moment hits both. A
sample answer of each is validated against the strict schema.

Run: nox -s bench -- state   (or: python -m bench.state_compare [--seconds N] [--rounds N])
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

from bench._servers import Load, require, statuskit_serve, throwaway_postgres, wrk
from bench.mock_throughput import thalamus_target, validated


@dataclass(frozen=True)
class Measured:
    """One configuration's load: req/s summed over its instances, the worst p50/p99."""

    rps: float
    p50_ms: float
    p99_ms: float
    commands: tuple[str, ...]


def _combined(loads: list[Load]) -> Measured:
    for load in loads:
        if load.non_2xx:
            sys.exit(f"bench: {load.non_2xx} non-2xx answers: {load.command}")
    return Measured(
        rps=sum(load.rps for load in loads),
        p50_ms=max(load.p50_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        commands=tuple(load.command for load in loads),
    )


def _load(targets: list[tuple[str, list[str]]], seconds: int) -> Measured:
    threads, connections = (2, 32) if len(targets) == 1 else (1, 32 // len(targets))
    for url, headers in targets:
        validated("thalamus", "import-record", url, headers)
    with ThreadPoolExecutor(len(targets)) as pool:
        runs = [
            pool.submit(
                wrk, url, headers, seconds=seconds, threads=threads, connections=connections
            )
            for url, headers in targets
        ]
        return _combined([run.result() for run in runs])


def _sqlite_targets(stack: ExitStack) -> list[tuple[str, list[str]]]:
    server = stack.enter_context(statuskit_serve("--workers", "2"))
    return [thalamus_target(server.base_url)]


def _postgres_targets(stack: ExitStack, url: str) -> list[tuple[str, list[str]]]:
    servers = [
        stack.enter_context(statuskit_serve("--workers", "2", "--state", url)) for _ in range(2)
    ]
    first_url, headers = thalamus_target(servers[0].base_url)
    # The same session cookie on the second instance: sessions live in the shared store.
    second_url = first_url.replace(servers[0].base_url, servers[1].base_url, 1)
    return [(first_url, headers), (second_url, headers)]


def _row(name: str, runs: list[Measured], base: float) -> str:
    rps = statistics.median(r.rps for r in runs)
    p50 = statistics.median(r.p50_ms for r in runs)
    p99 = statistics.median(r.p99_ms for r in runs)
    return f"| {name} | {rps:,.0f} | {rps / base:.2f}x | {p50:.2f} | {p99:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require("wrk")
    runs: dict[str, list[Measured]] = {"sqlite": [], "postgresql": []}
    with throwaway_postgres() as url, ExitStack() as stack:
        setups: dict[str, Callable[[], list[tuple[str, list[str]]]]] = {
            "sqlite": lambda: _sqlite_targets(stack),
            "postgresql": lambda: _postgres_targets(stack, url),
        }
        targets = {name: setup() for name, setup in setups.items()}
        for _ in range(args.rounds):
            for name, target in targets.items():
                runs[name].append(_load(target, args.seconds))
    sqlite = statistics.median(r.rps for r in runs["sqlite"])
    print("\n### GET status, shared state\n")
    print("| state | req/s (median of rounds) | ratio | p50 ms | p99 ms |\n|---|---|---|---|---|")
    print(_row("SQLite, 1 instance x 2 workers", runs["sqlite"], sqlite))
    print(_row("PostgreSQL, 2 instances x 2 workers", runs["postgresql"], sqlite))
    ratio = statistics.median(r.rps for r in runs["postgresql"]) / sqlite
    print(f"\nPostgreSQL ÷ SQLite: {ratio:.2f} (target ≥ 0.50)")
    print("\nwrk commands (last round):")
    for name, measured in runs.items():
        for command in measured[-1].commands:
            print(f"- {name}: `{command}`")


if __name__ == "__main__":
    main()

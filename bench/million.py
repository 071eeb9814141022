"""A million generated records: startup, memory, queries and lookups, on SQLite and PostgreSQL.

For each state (the embedded SQLite file; a throwaway PostgreSQL from Debian's package,
started here), one ``statuskit serve --workers 2`` with ``generated = COUNT`` in its config
file (a million imports and a million files by default):

  * startup: process start to the first 200 (a status lookup of the last generated import);
  * RSS of the whole server (the process and every worker), after startup and at the end;
  * p50/p99 of list, count and search, each a sequence of single requests on one kept-alive
    connection, with parameters varied so no two in a row are the same;
  * GET status of the last generated import against id 274, each under ``wrk -t2 -c32``.

Sample answers are validated against the strict schemas in the run.

Run: nox -s bench -- million   (or: python -m bench.million [--count N] [--state sqlite])
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench._servers import Server, require, statuskit_serve, throwaway_postgres, wait_for, wrk
from bench.mock_throughput import THALAMUS_Q, tealium_target, thalamus_target, validated
from mockserver.thalamus import FIRST_GENERATED_ID
from statuskit.registry import default_registry

LIST = "/api/v4/import/status"
FILES = "/v1/omnichannel/accounts/acme/profiles/main/files"
#: Generated records are created over 600 days from 2025-01-01 (mockserver's factories).
DAYS = [f"2025-{month:02d}-{day:02d}" for month in range(1, 13) for day in (1, 9, 17, 25)]


@dataclass(frozen=True)
class Latency:
    """Single-request latencies of one kind of query."""

    name: str
    p50_ms: float
    p99_ms: float
    requests: int


@dataclass(frozen=True)
class Result:
    """One state's figures."""

    state: str
    startup_s: float
    rss_start_mib: float
    rss_end_mib: float
    latencies: list[Latency]
    lookup_274: tuple[float, float]
    lookup_last: tuple[float, float]
    commands: list[str]


def _queries(count: int) -> dict[str, Callable[[int], tuple[str, dict[str, str]]]]:
    """Each kind of query: request ``i``'s path and parameters."""
    states = ["1", "2", "3", "4", "5", "6"]
    names = ["sales", "Stock", "COMPANIES", f"{count // 3:05d}", "prices1", "catalog99"]
    return {
        "thalamus list, default page": lambda i: (LIST, {"page": str(1 + i % 50)}),
        "thalamus list, 1000 newest": lambda i: (
            LIST,
            {"pageSize": "1000", "orderBy": "creationDate", "ascending": "false"},
        ),
        "thalamus list by state and errors": lambda i: (
            LIST,
            {"state": states[i % 6], "withErrors": "true" if i % 2 else "false"},
        ),
        "thalamus list by type and dates": lambda i: (
            LIST,
            {
                "type": ("25006", "25004", "25011", "25012")[i % 4],
                "beginDate": DAYS[i % 40],
                "endDate": DAYS[i % 40 + 3],
            },
        ),
        "thalamus search by name": lambda i: (LIST, {"name": names[i % len(names)]}),
        "tealium count": lambda i: (
            f"{FILES}/count",
            {
                "filePrefix": ("", "orders", "sales-transaction_2025")[i % 3],
                "startDate": f"{DAYS[i % 40]}T00:00Z",
                "endDate": f"{DAYS[i % 40 + 5]}T23:59Z",
            },
        ),
        "tealium search (10 minutes)": lambda i: (
            f"{FILES}/search",
            {
                "filePrefix": ("", "orders_", "returns_2025")[i % 3],
                "startDate": f"{DAYS[i % len(DAYS)]}T{i % 24:02d}:00Z",
                "endDate": f"{DAYS[i % len(DAYS)]}T{i % 24:02d}:10Z",
            },
        ),
    }


def _latency(
    http: httpx.Client, name: str, query: Callable[[int], tuple[str, dict[str, str]]], n: int
) -> Latency:
    times = []
    for i in range(n):
        path, params = query(i)
        began = time.perf_counter()
        response = http.get(path, params=params)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"bench: {name}: {response.status_code} {response.text[:200]}")
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return Latency(name, cuts[49], cuts[98], n)


def _clients(base: str) -> tuple[httpx.Client, httpx.Client]:
    _, headers = thalamus_target(base)
    thalamus = httpx.Client(
        base_url=base,
        params=dict(p.split("=", 1) for p in THALAMUS_Q.split("&")),
        headers=dict(h.split(": ", 1) for h in headers),
        timeout=60,
    )
    target = tealium_target(base)
    assert target is not None
    file_url, file_headers = target
    utk = file_url.rsplit("utk=", 1)[1]
    tealium = httpx.Client(
        base_url=base,
        params={"utk": utk},
        headers=dict(h.split(": ", 1) for h in file_headers),
        timeout=60,
    )
    return thalamus, tealium


def _validate_samples(thalamus: httpx.Client, tealium: httpx.Client, last: int) -> None:
    registry = default_registry()
    registry.check("thalamus", "import-record", thalamus.get(f"{LIST}/{last}").json())
    page = thalamus.get(LIST, params={"pageSize": "1000", "orderBy": "creationDate"}).json()
    registry.check("thalamus", "import-page", page)
    found = tealium.get(
        f"{FILES}/search",
        params={"filePrefix": "", "startDate": "2025-06-01T00:00Z", "endDate": "2025-06-01T00:20Z"},
    ).json()
    for status in found:
        registry.check("tealium", "file-status", status)


def _first_answer(server: Server, last: int) -> float:
    """Seconds from the process start to a 200 for the last generated import."""

    def ready() -> bool:
        url, headers = thalamus_target(server.base_url, last)
        sent = dict(h.split(": ", 1) for h in headers)
        return httpx.get(url, headers=sent).status_code == 200

    return wait_for(ready, timeout=600) - server.started


def measure(state: str, config: Path, count: int, requests: int, seconds: int) -> Result:
    """Start one server on ``config`` and measure it."""
    last = FIRST_GENERATED_ID + count - 1
    with statuskit_serve("--workers", "2", "--config", str(config)) as server:
        startup = _first_answer(server, last)
        rss_start = server.rss_mib()
        thalamus, tealium = _clients(server.base_url)
        with thalamus, tealium:
            _validate_samples(thalamus, tealium, last)
            latencies = [
                _latency(tealium if name.startswith("tealium") else thalamus, name, query, requests)
                for name, query in _queries(count).items()
            ]
        lookups = []
        for record_id in (274, last):
            url, headers = thalamus_target(server.base_url, record_id)
            validated("thalamus", "import-record", url, headers)
            lookups.append(wrk(url, headers, seconds=seconds))
        return Result(
            state=state,
            startup_s=startup,
            rss_start_mib=rss_start,
            rss_end_mib=server.rss_mib(),
            latencies=latencies,
            lookup_274=(lookups[0].rps, lookups[0].p99_ms),
            lookup_last=(lookups[1].rps, lookups[1].p99_ms),
            commands=[load.command for load in lookups],
        )


def _run(state: str, count: int, args: Any) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "million.toml"
        if state == "sqlite":
            config.write_text(f"generated = {count}\n")
            return measure(state, config, count, args.requests, args.seconds)
        with throwaway_postgres() as url:
            # In the config file, not on the command line: the URL holds a password.
            config.write_text(f'generated = {count}\nstate_url = "{url}"\n')
            return measure(state, config, count, args.requests, args.seconds)


def report(results: list[Result], count: int) -> None:
    """Print the figures as markdown tables."""
    print(f"\n### {count:,} generated imports and {count:,} generated files\n")
    print("| state | startup to first 200 | RSS after start | RSS at end |\n|---|---|---|---|")
    for r in results:
        print(
            f"| {r.state} | {r.startup_s:.1f} s | {r.rss_start_mib:.0f} MiB "
            f"| {r.rss_end_mib:.0f} MiB |"
        )
    print("\n| state | query | p50 ms | p99 ms | requests |\n|---|---|---|---|---|")
    for r in results:
        for q in r.latencies:
            print(f"| {r.state} | {q.name} | {q.p50_ms:.2f} | {q.p99_ms:.2f} | {q.requests} |")
    print("\n| state | GET status | req/s | p99 ms |\n|---|---|---|---|")
    for r in results:
        last = FIRST_GENERATED_ID + count - 1
        ratio = r.lookup_last[0] / r.lookup_274[0]
        print(f"| {r.state} | id 274 | {r.lookup_274[0]:,.0f} | {r.lookup_274[1]:.2f} |")
        print(
            f"| {r.state} | id {last} (last generated) | {r.lookup_last[0]:,.0f} "
            f"({ratio:.2f}x of id 274) | {r.lookup_last[1]:.2f} |"
        )
    print("\nwrk commands:")
    for r in results:
        for command in r.commands:
            print(f"- {r.state}: `{command}`")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="generated records per API")
    parser.add_argument("--state", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=200, help="requests per query kind")
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per lookup")
    args = parser.parse_args()
    require("wrk")
    states = ["sqlite", "postgresql"] if args.state == "both" else [args.state]
    results = [_run(state, args.count, args) for state in states]
    report(results, args.count)


if __name__ == "__main__":
    main()

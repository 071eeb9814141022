"""Throughput of the fake upstreams' GET status, side by side in one run, on loopback.

Servers, each with 2 workers, loaded by ``wrk -t2 -c32``:
  * statuskit serve (granian, the default);
  * (a) the same mock under gunicorn sync (statuskit serve --server gunicorn);
  * (b) a bare WSGI app returning the same bytes under statuskit's own server (granian).

Also: cold start to the first 200, and RSS and lookup speed with 100,000 seeded imports.
A sample of each server's responses is validated against the strict schema in the run.

Run: nox -s bench -- mock   (or: python -m bench.mock_throughput [--seconds N])
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench._servers import Load, Server, granian_bare, require, statuskit_serve, wait_for, wrk
from statuskit.catalogue import login_path
from statuskit.registry import default_registry
from statuskit.wire import cookie_header, tealium, thalamus

THALAMUS_Q = "touchpoint=test&token=statuskit-token"
TEALIUM_FILE = "/v1/omnichannel/accounts/acme/profiles/main/files/sales-transaction_2016feb4v50.csv"


def thalamus_target(base: str, record_id: int = 274) -> tuple[str, list[str]]:
    """Log in; return the status URL and the session header."""
    login = httpx.post(
        f"{base}{login_path()}?{THALAMUS_Q}",
        auth=("consumer@example.com", "statuskit"),
    )
    login.raise_for_status()
    url = f"{base}/api/v4/import/status/{record_id}?{THALAMUS_Q}"
    cookie = thalamus.session_cookie()
    return url, [f"Cookie: {cookie}={login.cookies[cookie]}"]


def tealium_target(base: str) -> tuple[str, list[str]] | None:
    """Log in to v1; return the file URL and the session header (None without Tealium)."""
    v1 = tealium.login(1)
    login = httpx.post(base + v1.path, data=v1.form("user@example.com", "statuskit"))
    if login.status_code == 404:
        return None
    login.raise_for_status()
    session = cookie_header(login.headers.get_list("set-cookie"))
    return f"{base}{TEALIUM_FILE}?utk={login.json()[v1.secret]}", [f"Cookie: {session}"]


def validated(api: str, schema: str, url: str, headers: list[str]) -> None:
    """Fetch one response and check it strictly; the benchmark fails on a violation."""
    sent = dict(h.split(": ", 1) for h in headers)
    response = httpx.get(url, headers=sent)
    assert response.status_code == 200, response.status_code
    default_registry().check(api, schema, response.json())


def load(api: str, schema: str, target: tuple[str, list[str]], seconds: int) -> Load:
    url, headers = target
    validated(api, schema, url, headers)
    result = wrk(url, headers, seconds=seconds)
    if result.non_2xx:
        raise SystemExit(f"bench: {result.non_2xx} non-2xx responses from {api}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def row(name: str, result: Load, base: Load | None = None) -> str:
    ratio = f"{result.rps / base.rps:.2f}x" if base else "1.00x"
    return (
        f"| {name} | {result.rps:,.0f} | {ratio} | {result.p50_ms:.2f} | "
        f"{result.p99_ms:.2f} | {result.requests:,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--big", type=int, default=100_000, help="imports for the RSS run")
    args = parser.parse_args()
    require("wrk")
    results: dict[str, dict[str, Load]] = {"thalamus": {}, "tealium": {}}
    extra: list[str] = []

    servers: dict[str, Any] = {
        "statuskit serve (granian x2)": lambda: statuskit_serve("--workers", "2"),
        "(a) gunicorn sync x2": lambda: statuskit_serve("--workers", "2", "--server", "gunicorn"),
    }
    for name, start in servers.items():
        with start() as server:
            server_: Server = server
            results["thalamus"][name] = load(
                "thalamus", "import-record", thalamus_target(server_.base_url), args.seconds
            )
            tealium = tealium_target(server_.base_url)
            if tealium is not None:
                results["tealium"][name] = load("tealium", "file-status", tealium, args.seconds)
    with granian_bare(free_port()) as bare:
        url = f"{bare.base_url}/api/v4/import/status/274"
        results["thalamus"]["(b) bare WSGI, same bytes, granian x2"] = load(
            "thalamus", "import-record", (url, []), args.seconds
        )

    # Cold start: process start to the first 200 (the login).
    with statuskit_serve("--workers", "2") as server:
        first = wait_for(
            lambda: (
                httpx.post(
                    f"{server.base_url}{login_path()}?{THALAMUS_Q}",
                    auth=("consumer@example.com", "statuskit"),
                ).status_code
                == 200
            )
        )
        extra.append(
            f"| cold start, process start to first 200 (2 workers) | "
            f"{(first - server.started) * 1000:.0f} ms |"
        )

    # 100,000 seeded imports: memory, and lookups that do not slow down.
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "big.toml"
        config.write_text(f"generated = {args.big}\n")
        began = time.perf_counter()
        with statuskit_serve("--workers", "2", "--config", str(config)) as server:
            seeded = time.perf_counter() - began
            small = load(
                "thalamus", "import-record", thalamus_target(server.base_url), args.seconds
            )
            last = load(
                "thalamus",
                "import-record",
                thalamus_target(server.base_url, 1000 + args.big - 1),
                args.seconds,
            )
            extra += [
                f"| start with {args.big:,} generated imports (seeded, validated) "
                f"| {seeded:.1f} s |",
                f"| RSS of server and 2 workers with {args.big:,} imports "
                f"| {server.rss_mib():.0f} MiB |",
                f"| GET status id 274 with {args.big:,} imports | {small.rps:,.0f} req/s |",
                f"| GET status of the last import ({1000 + args.big - 1}) | {last.rps:,.0f} req/s "
                f"({last.rps / small.rps:.2f}x of id 274) |",
            ]

    header = "| server | req/s | ratio | p50 ms | p99 ms | requests |\n|---|---|---|---|---|---|"
    for api, by_server in results.items():
        if not by_server:
            continue
        base = next(iter(by_server.values()))
        print(f"\n### {api}: GET status\n\n{header}")
        for name, result in by_server.items():
            print(row(name, result, base))
    ours = results["thalamus"]["statuskit serve (granian x2)"]
    gunicorn = results["thalamus"]["(a) gunicorn sync x2"]
    bare_wsgi = results["thalamus"]["(b) bare WSGI, same bytes, granian x2"]
    print(f"\nstatuskit ÷ (a) gunicorn: {ours.rps / gunicorn.rps:.2f}x (target ≥ 2.5x)")
    print(f"statuskit ÷ (b) bare WSGI: {ours.rps / bare_wsgi.rps:.2f} (target ≥ 0.35)")
    print("\n| other measure | value |\n|---|---|")
    print("\n".join(extra))
    print("\nwrk commands:")
    for by_server in results.values():
        for name, result in by_server.items():
            print(f"- {name}: `{result.command}`")


if __name__ == "__main__":
    main()

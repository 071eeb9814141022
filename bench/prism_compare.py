"""Stoplight Prism against statuskit serve on the same GET status requests, in one run.

Both serve the exported OpenAPI document's API on loopback: ``prism mock`` on the document
(static examples, logging off) and ``statuskit serve``. Each is sent the very same requests
(the same path, query and headers, with credentials from a real statuskit login; Prism
checks only that they are present) and loaded by ``wrk -t2 -c32``. Reported: requests per
second, p50 and p99 latency, and cold start (process start to the first 200 of a GET
status). A sample of each server's responses is validated strictly against the schemas in
the same run. Target: statuskit serves at least 5x Prism's requests per second.

Run: nox -s bench -- prism   (or: python -m bench.prism_compare [--seconds N])
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import httpx

from bench._prism import PRISM_PACKAGE, install_prism, prism_mock, prism_version
from bench._servers import Load, Server, require, statuskit_serve, wait_for, wrk
from bench.mock_throughput import free_port, tealium_target, thalamus_target
from statuskit.openapi import build_document, dumps
from statuskit.registry import default_registry

#: (API, schema of the 200) per loaded request.
ROUTES = {"thalamus": "import-record", "tealium": "file-status"}
TARGET = 5.0


def same_request(url: str, base: str) -> str:
    """``url`` with its scheme, host and port swapped for ``base``'s."""
    return base + url[url.index("/", len("http://")) :]


def sample(api: str, url: str, headers: list[str], count: int) -> bytes:
    """``count`` GETs, each answered 200 and valid at the strict level; the last body."""
    sent = dict(h.split(": ", 1) for h in headers)
    body = b""
    with httpx.Client(headers=sent, timeout=30) as client:
        for _ in range(count):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"bench: {url} answered {response.status_code}")
            default_registry().check(api, ROUTES[api], response.json())
            body = response.content
    return body


def cold_start(server: Server, url: str, headers: list[str]) -> float:
    """Milliseconds from the server's process start to the first 200 of ``url``."""
    sent = dict(h.split(": ", 1) for h in headers)
    first = wait_for(lambda: httpx.get(url, headers=sent).status_code == 200)
    return (first - server.started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per load")
    parser.add_argument("--sample", type=int, default=25, help="responses validated per load")
    args = parser.parse_args()
    require("wrk")
    prism = install_prism()
    loads: dict[str, dict[str, Load]] = {"thalamus": {}, "tealium": {}}
    colds: dict[str, float] = {}
    bodies: dict[str, dict[str, bytes]] = {"thalamus": {}, "tealium": {}}
    requests: dict[str, tuple[str, list[str]]] = {}

    for workers in ("2", "1"):
        name = f"statuskit serve (granian x{workers})"
        with statuskit_serve("--workers", workers) as server:
            thalamus = thalamus_target(server.base_url)
            colds[name] = cold_start(server, *thalamus)
            tealium = tealium_target(server.base_url)
            assert tealium is not None
            for api, (url, headers) in (("thalamus", thalamus), ("tealium", tealium)):
                requests.setdefault(api, (url, headers))
                bodies[api][name] = sample(api, url, headers, args.sample)
                loads[api][name] = wrk(url, headers, seconds=args.seconds)

    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "openapi.json"
        document.write_text(dumps(build_document("all")), encoding="utf-8")
        name = f"Prism {prism_version(prism)} (prism mock, static examples)"
        with prism_mock(prism, document, free_port()) as server:
            url, headers = requests["thalamus"]
            colds[name] = cold_start(server, same_request(url, server.base_url), headers)
            for api, (url, headers) in requests.items():
                url = same_request(url, server.base_url)
                bodies[api][name] = sample(api, url, headers, args.sample)
                loads[api][name] = wrk(url, headers, seconds=args.seconds)

    for api, by_server in loads.items():
        print(f"\n### {api}: GET status, wrk -t2 -c32 -d{args.seconds}s on loopback\n")
        print("| server | req/s | p50 ms | p99 ms | requests | non-2xx |")
        print("|---|---|---|---|---|---|")
        for server_name, result in by_server.items():
            print(
                f"| {server_name} | {result.rps:,.0f} | {result.p50_ms:.2f} | "
                f"{result.p99_ms:.2f} | {result.requests:,} | {result.non_2xx} |"
            )
        ours, theirs = next(iter(by_server.values())), list(by_server.values())[-1]
        verdict = "met" if ours.rps >= TARGET * theirs.rps else "MISSED"
        ratio = ours.rps / theirs.rps
        print(f"\nstatuskit (x2) / Prism: {ratio:.1f}x (target >= {TARGET}x: {verdict})")
        unique = {json.dumps(json.loads(b), sort_keys=True) for b in bodies[api].values()}
        print(
            f"{args.sample} responses per server validated strictly ({api}/{ROUTES[api]}); "
            f"bodies identical across servers: {'yes' if len(unique) == 1 else 'no'}"
        )
    print("\n| cold start: process start to first 200 of GET status | ms |\n|---|---|")
    for server_name, ms in colds.items():
        print(f"| {server_name} | {ms:,.0f} |")
    print(f"\nPrism: npm {PRISM_PACKAGE}. wrk commands (credentials elided):")
    for by_server in loads.values():
        for server_name, result in by_server.items():
            print(f"- {server_name}: `{result.command}`")


if __name__ == "__main__":
    main()

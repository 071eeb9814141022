"""What the reference client costs per ``get_status`` call, next to a bare httpx call.

Both sides send the same request (same URL, touchpoint query, ``Thalamus-Token`` header)
through the same in-process ``httpx.MockTransport``, which answers with the documented
import record's bytes. The bare side is ``httpx.Client.get(...).json()``; the client side
is ``ThalamusClient.get_status(274)``, which also builds its request, checks the status,
parses the body and reads it into the typed, tolerant ``ImportRecord``. Rounds of the two
alternate, so drift in the machine's speed hits both alike; each side's figure is the
median of its rounds. Run from the repository root::

    python bench/client_overhead.py            # prints one markdown table row
    python bench/client_overhead.py --header   # with the table's header
    python bench/client_overhead.py --check    # exit 1 when the ratio is over the target
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import httpx

from statuskit.client import RetryPolicy, ThalamusClient
from statuskit.fixtures import documented

BASE = "http://bench.invalid"
TOKEN = "bench-token"
TARGET = 1.5


def _transport() -> httpx.MockTransport:
    body = documented("thalamus", "get-status", 200).text().encode()
    headers = {"Content-Type": "application/json"}
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers=headers))


def _per_call(call: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def measure(calls: int, rounds: int, *, strict: bool = False) -> tuple[float, float]:
    """Median seconds per call: (bare httpx, client)."""
    transport = _transport()
    bare = httpx.Client(transport=transport)
    client = ThalamusClient(
        BASE,
        touchpoint="test",
        token=TOKEN,
        transport=transport,
        strict=strict,
        retry=RetryPolicy(max_attempts=1),
    )
    url = f"{BASE}/api/v4/import/status/274"

    def bare_call() -> object:
        return bare.get(
            url, params={"touchpoint": "test"}, headers={"Thalamus-Token": TOKEN}
        ).json()

    def client_call() -> object:
        return client.get_status(274)

    client_call(), bare_call()  # warm up both
    bare_times, client_times = [], []
    for _ in range(rounds):
        bare_times.append(_per_call(bare_call, calls))
        client_times.append(_per_call(client_call, calls))
    bare.close()
    client.close()
    return statistics.median(bare_times), statistics.median(client_times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (2000)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per side (7)")
    parser.add_argument("--strict", action="store_true", help="read in strict mode")
    parser.add_argument("--header", action="store_true", help="print the table header")
    parser.add_argument("--check", action="store_true", help=f"exit 1 over {TARGET}x")
    args = parser.parse_args(argv)
    bare, client = measure(args.calls, args.rounds, strict=args.strict)
    ratio = client / bare
    mode = "strict" if args.strict else "tolerant"
    # The target is for the default, tolerant read; strict mode runs the full validator.
    target = "n/a" if args.strict else f"< {TARGET}x"
    if args.header:
        print("| benchmark | bare httpx get + json | client get_status | ratio | target |")
        print("|---|---:|---:|---:|---:|")
    print(
        f"| client_overhead ({mode}, {args.rounds}x{args.calls} calls) "
        f"| {bare * 1e6:.1f} µs | {client * 1e6:.1f} µs | {ratio:.2f}x | {target} |"
    )
    return 1 if args.check and not args.strict and ratio >= TARGET else 0


if __name__ == "__main__":
    sys.exit(main())

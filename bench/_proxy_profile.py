"""Where statuskit proxy's time goes: its WSGI app called in this process, one request at
a time, in front of a real ``statuskit serve`` upstream.

Three ways to the same GET status, alternating in timed batches (medians of the batches):
the upstream directly with ``http.client`` on one kept-alive connection (the upstream's own
share), the proxy's app with no observer (forwarding and the mock's bookkeeping), and the
proxy's app as ``statuskit proxy`` builds it (validation on). Then one cProfile of the
validating app: the functions that cost the most, by their own time and with callees.

No HTTP server of the proxy's runs here, so granian's share (a few µs, in Rust, outside
the interpreter lock) is not in these figures; the interpreter's is, and under load that
is the share every request queues for, since the proxy is one Python process.

Run: python -m bench._proxy_profile [--requests N] [--top N]
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import pstats
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import EnvironBuilder

from bench._servers import statuskit_serve
from bench.mock_throughput import tealium_target, thalamus_target
from statuskit.proxy import ProxyApp, ProxyOptions, create_proxy_app

Call = Callable[[], None]


def wsgi_call(app: Any, url: str, headers: list[str]) -> Call:
    """One GET of ``url`` through ``app``, as granian would hand it over; body consumed."""
    parts = urlsplit(url)
    sent = [(name, value) for name, value in (line.split(": ", 1) for line in headers)]
    template = EnvironBuilder(
        path=parts.path, query_string=parts.query, headers=sent, base_url="http://127.0.0.1:8081"
    ).get_environ()

    def call() -> None:
        environ = dict(template, **{"wsgi.input": io.BytesIO(b"")})
        seen: list[str] = []
        body: Iterable[bytes] = app(environ, lambda status, h, exc=None: seen.append(status))
        b"".join(body)
        getattr(body, "close", lambda: None)()
        if not seen or not seen[0].startswith("200"):
            raise SystemExit(f"bench: the proxy answered {seen}")

    return call


def direct_call(url: str, headers: list[str]) -> Call:
    """One GET of ``url`` on one kept-alive ``http.client`` connection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    sent = dict(line.split(": ", 1) for line in headers)

    def call() -> None:
        connection.request("GET", f"{parts.path}?{parts.query}", headers=sent)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"bench: the upstream answered {response.status}")

    return call


def timed(calls: dict[str, Call], requests: int, batches: int = 10) -> dict[str, float]:
    """µs per call of each, batches alternating; the median batch."""
    per: dict[str, list[float]] = {name: [] for name in calls}
    size = max(1, requests // batches)
    for call in calls.values():  # Warm-up: connection pools, caches, first imports.
        for _ in range(50):
            call()
    for _ in range(batches):
        for name, call in calls.items():
            began = time.perf_counter()
            for _ in range(size):
                call()
            per[name].append((time.perf_counter() - began) / size * 1e6)
    return {name: statistics.median(values) for name, values in per.items()}


def _area(filename: str, function: str) -> str:
    """The module a profiled function belongs to, as a short name."""
    if "_socket.socket" in function:
        return "socket send and receive (the upstream's time, mostly)"
    for marker in ("/statuskit/", "/mockserver/", "/werkzeug/", "/flask/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    if filename.startswith(("~", "<")):
        return "other built-ins (sqlite, hashing, str and dict methods)"
    return "stdlib " + filename.rsplit("/", 1)[-1]


def profile(call: Call, requests: int, top: int) -> None:
    """cProfile ``requests`` calls; print own time by module, then the top functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_area: dict[str, float] = {}
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        area = _area(filename, function)
        by_area[area] = by_area.get(area, 0.0) + row[2]
    total = sum(by_area.values())
    print(f"\n--- own time by module, {requests} requests through the validating proxy")
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])[:top]:
        print(f"  {seconds / requests * 1e6:7.1f} µs  {seconds / total:6.1%}  {area}")
    for order in ("tottime", "cumulative"):
        print(f"\n--- cProfile, {requests} requests through the validating proxy, by {order}")
        pstats.Stats(profiler).sort_stats(order).print_stats(top)


def main() -> None:
    """Time the three ways per API, then profile the validating proxy on Thalamus."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="timed calls per way")
    parser.add_argument("--top", type=int, default=30, help="functions listed per order")
    args = parser.parse_args()
    with statuskit_serve("--workers", "2") as upstream:
        targets = {"thalamus": thalamus_target(upstream.base_url)}
        tealium = tealium_target(upstream.base_url)
        if tealium is not None:
            targets["tealium"] = tealium
        options = ProxyOptions(upstream=upstream.base_url)
        bare, validating = ProxyApp(options), create_proxy_app(options)
        for api, (url, headers) in targets.items():
            path = url[url.index("/", len("http://")) :]
            proxied = "http://127.0.0.1:8081" + path
            micros = timed(
                {
                    "upstream directly (http.client)": direct_call(url, headers),
                    "proxy forwarding alone (no journal, faults)": wsgi_call(
                        bare.forwarding, proxied, headers
                    ),
                    "proxy app, no observer": wsgi_call(bare, proxied, headers),
                    "proxy app, validation on": wsgi_call(validating, proxied, headers),
                },
                args.requests,
            )
            print(f"\n{api}: µs per request, one at a time (median of 10 batches)")
            for name, us in micros.items():
                print(f"  {name:44} {us:8.1f}")
        url, headers = targets["thalamus"]
        path = url[url.index("/", len("http://")) :]
        profile(wsgi_call(validating, "http://127.0.0.1:8081" + path, headers), 3000, args.top)


if __name__ == "__main__":
    main()

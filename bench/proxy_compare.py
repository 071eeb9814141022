"""statuskit proxy against Stoplight Prism's proxy, in front of one statuskit serve, in one run.

One ``statuskit serve --workers 2`` is the upstream. In front of it, on loopback:
``statuskit proxy --upstream URL`` (validation on, as users run it) and ``prism proxy`` on
the exported OpenAPI document (``statuskit openapi``; Prism validates requests and responses
in this mode). The same GET status requests (credentials from a real login) go to the
upstream directly (the baseline) and through each proxy:

  * ``wrk -t2 -c32``: requests per second, p50 and p99;
  * ``wrk -t1 -c1`` (low load): the median latency each proxy adds to the direct one.

Legs alternate within each round and each figure is the median over the rounds. Before
the loads, a sample through each proxy is checked: answered 200, valid at the strict level,
byte for byte the upstream's body, and no violation flagged; one request without its
touchpoint must be flagged by both (proof that validation is on).

Targets: statuskit proxy at least 3x Prism's requests per second with a p99 no worse than
Prism's, and at most 1 ms of added median latency at low load.

Run: nox -s bench -- proxy   (or: python -m bench.proxy_compare [--seconds N] [--rounds N])
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from bench._prism import PRISM_PACKAGE, install_prism, prism_version
from bench._proxies import cpu_seconds, others_cores, prism_proxy, statuskit_proxy, wrk_load
from bench._servers import Load, Server, require, statuskit_serve, wait_for
from bench.mock_throughput import THALAMUS_Q, free_port, tealium_target, thalamus_target
from bench.prism_compare import ROUTES, same_request
from statuskit.openapi import build_document, dumps
from statuskit.registry import default_registry

DIRECT, OURS, PRISM = "direct (statuskit serve x2)", "statuskit proxy", "prism proxy"
#: The header each proxy reports an exchange's violations in.
VIOLATIONS = {OURS: "x-statuskit-violations", PRISM: "sl-violations"}
RPS_TARGET, ADDED_MS_TARGET = 3.0, 1.0


@dataclass(frozen=True)
class Leg:
    """One way to the upstream: directly, or through a proxy."""

    name: str
    server: Server

    def url(self, direct_url: str) -> str:
        """The direct request's URL, sent to this leg instead."""
        return same_request(direct_url, self.server.base_url)


@dataclass(frozen=True)
class Checked:
    """What the pre-load sample showed for one leg and API."""

    identical: bool
    flagged_clean: int
    flagged_bad: str | None


def _headers(lines: list[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in lines)


def check(leg: Leg, api: str, target: tuple[str, list[str]], count: int) -> Checked:
    """``count`` GETs through ``leg``: 200, strictly valid, the upstream's bytes, unflagged."""
    url, lines = target
    header = next((h for kind, h in VIOLATIONS.items() if _is(leg.name, kind)), None)
    flagged, identical = 0, True
    with httpx.Client(headers=_headers(lines), timeout=30) as client:
        direct = client.get(url).content
        for _ in range(count):
            response = client.get(leg.url(url))
            if response.status_code != 200:
                raise SystemExit(f"bench: {leg.name} answered {response.status_code} ({api})")
            default_registry().check(api, ROUTES[api], response.json())
            identical &= response.content == direct
            flagged += bool(header and response.headers.get(header))
        bad = None
        if header and api == "thalamus":
            # The touchpoint is required (the catalogue); both proxies must say so.
            stripped = leg.url(url).replace(THALAMUS_Q.split("&")[0] + "&", "")
            bad = client.get(stripped).headers.get(header)
    return Checked(identical, flagged, bad)


def median_load(loads: list[Load]) -> Load:
    """Each figure's median over the rounds (requests and non-2xx summed)."""
    return replace(
        loads[0],
        rps=statistics.median(load.rps for load in loads),
        p50_ms=statistics.median(load.p50_ms for load in loads),
        p99_ms=statistics.median(load.p99_ms for load in loads),
        requests=sum(load.requests for load in loads),
        non_2xx=sum(load.non_2xx for load in loads),
    )


@dataclass
class Measured:
    """One API's medians per leg: the main load, the low load, and each leg's own CPU time
    per request under the main load (µs; the proxy's alone, the upstream's not in it)."""

    high: dict[str, Load]
    low: dict[str, Load]
    cpu_us: dict[str, float]


def measure(legs: list[Leg], target: tuple[str, list[str]], args: argparse.Namespace) -> Measured:
    """High and low load on every leg, legs alternating in each round; medians per leg."""
    url, lines = target
    cpu: dict[str, list[float]] = {}

    def high(leg: Leg, seconds: int) -> Load:
        before = cpu_seconds(leg.server)
        load = wrk_load(leg.url(url), lines, threads=2, connections=32, seconds=seconds)
        used = (cpu_seconds(leg.server) - before) / max(load.requests, 1) * 1e6
        cpu.setdefault(leg.name, []).append(used)
        return load

    def low(leg: Leg) -> Load:
        return wrk_load(leg.url(url), lines, threads=1, connections=1, seconds=args.low_seconds)

    for leg in legs:  # Warm-up (Node's JIT, connection pools); not counted.
        high(leg, args.warmup)
    cpu.clear()
    runs: dict[str, dict[str, list[Load]]] = {"high": {}, "low": {}}
    for _ in range(args.rounds):
        for kind, run in (("high", lambda leg: high(leg, args.seconds)), ("low", low)):
            for leg in legs:
                runs[kind].setdefault(leg.name, []).append(run(leg))
    return Measured(
        {name: median_load(loads) for name, loads in runs["high"].items()},
        {name: median_load(loads) for name, loads in runs["low"].items()},
        {name: statistics.median(values) for name, values in cpu.items()},
    )


def started_legs(
    stack: ExitStack, upstream: Server, names: list[str], workers: int = 1
) -> list[Leg]:
    """The upstream, and each proxy in ``names`` started in front of it (statuskit proxy
    with ``workers`` worker processes)."""
    legs = [Leg(DIRECT, upstream)]
    if OURS in names:
        ours = statuskit_proxy(upstream.base_url, free_port(), "--workers", str(workers))
        legs.append(Leg(OURS, stack.enter_context(ours)))
    if PRISM in names:
        prism = install_prism()
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        document = folder / "openapi.json"
        document.write_text(dumps(build_document("all")), encoding="utf-8")
        server = stack.enter_context(prism_proxy(prism, document, upstream.base_url, free_port()))
        legs.append(Leg(f"{PRISM} ({prism_version(prism)})", server))
    return legs


def _is(leg_name: str, kind: str) -> bool:
    return leg_name.startswith(kind)


def _find(by_leg: dict[str, Load], kind: str) -> Load | None:
    return next((load for name, load in by_leg.items() if _is(name, kind)), None)


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def verdicts(high: dict[str, Load], low: dict[str, Load]) -> list[str]:
    """The targets, met or missed, from the medians."""
    ours, prism, direct = _find(high, OURS), _find(high, PRISM), _find(high, DIRECT)
    out: list[str] = []
    if ours and direct:
        out.append(f"statuskit proxy ÷ direct: {ours.rps / direct.rps:.2f}x the upstream's req/s")
    if ours and prism:
        ratio = ours.rps / prism.rps
        out.append(
            f"statuskit proxy ÷ Prism proxy: {ratio:.1f}x req/s "
            f"(target ≥ {RPS_TARGET:.0f}x: {_met(ratio >= RPS_TARGET)})"
        )
        out.append(
            f"p99: statuskit proxy {ours.p99_ms:.2f} ms, Prism proxy {prism.p99_ms:.2f} ms "
            f"(target: no worse than Prism's: {_met(ours.p99_ms <= prism.p99_ms)})"
        )
    quiet = _find(low, DIRECT)
    for name, load in low.items():
        if quiet is None or _is(name, DIRECT):
            continue
        added = load.p50_ms - quiet.p50_ms
        line = f"added median latency at low load, {name}: {added:.3f} ms"
        if _is(name, OURS):
            line += f" (target ≤ {ADDED_MS_TARGET:.0f} ms: {_met(added <= ADDED_MS_TARGET)})"
        out.append(line)
    if any(load.non_2xx for by in (high, low) for load in by.values()):
        out.append(
            "INVALID: some loads had non-2xx answers (see the tables); the ratios do not hold"
        )
    return out


def table(title: str, by_leg: dict[str, Load], cpu_us: dict[str, float] | None = None) -> str:
    """One markdown table of medians, with each leg's req/s as a ratio of the direct one,
    and with ``cpu_us`` each leg's own CPU time per request."""
    cpu = "| own CPU µs/req " if cpu_us else ""
    rows = [
        f"\n### {title}\n",
        f"| leg | req/s | ÷ direct | p50 ms | p99 ms | requests | non-2xx {cpu}|",
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if cpu_us else ""),
    ]
    base = by_leg[DIRECT]
    for name, load in by_leg.items():
        used = f" {cpu_us[name]:,.0f} |" if cpu_us else ""
        rows.append(
            f"| {name} | {load.rps:,.0f} | {load.rps / base.rps:.2f}x | {load.p50_ms:.3f} | "
            f"{load.p99_ms:.3f} | {load.requests:,} | {load.non_2xx} |{used}"
        )
    return "\n".join(rows)


def checks_table(checks: dict[str, dict[str, Checked]], sample: int) -> str:
    """What the pre-load sample showed, per API and leg."""
    rows = [
        f"\n| leg ({sample} GETs each, before the loads) | API | 200, strictly valid, "
        "the upstream's bytes | clean answers flagged | a GET without touchpoint flagged |",
        "|---|---|---|---:|---|",
    ]
    for api, by_leg in checks.items():
        for name, seen in by_leg.items():
            bad = f"yes: `{seen.flagged_bad[:90]}`" if seen.flagged_bad else "NO"
            rows.append(
                f"| {name} | {api} | {'yes' if seen.identical else 'NO (bodies differ)'} | "
                f"{seen.flagged_clean} | {bad if api == 'thalamus' and name != DIRECT else 'n/a'} |"
            )
    return "\n".join(rows)


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add = parser.add_argument
    add("--seconds", type=int, default=10, help="wrk -t2 -c32 duration per round")
    add("--low-seconds", type=int, default=5, help="wrk -t1 -c1 duration per round")
    add("--rounds", type=int, default=3, help="rounds; each figure is the median")
    add("--warmup", type=int, default=2, help="seconds of load per leg, not counted")
    add("--sample", type=int, default=25, help="responses checked per leg and API")
    add("--legs", default="statuskit,prism", help="proxies beside the direct baseline")
    add("--proxy-workers", type=int, default=2, help="statuskit proxy --workers (2: both cores)")
    return parser.parse_args()


@dataclass
class Results:
    """Everything one run measured."""

    measured: dict[str, Measured]
    checks: dict[str, dict[str, Checked]]
    rss: dict[str, float]
    #: Cores that processes other than the benchmark's kept busy during the run.
    others: float = 0.0


def _ready(leg: Leg, target: tuple[str, list[str]]) -> None:
    """Wait for the first 200 through ``leg`` (a proxy may still be starting up)."""
    url, lines = leg.url(target[0]), _headers(target[1])
    wait_for(lambda: httpx.get(url, headers=lines).status_code == 200)


def run(args: argparse.Namespace, names: list[str]) -> Results:
    """Start the upstream and the proxies, check a sample, load every leg."""
    results = Results({}, {}, {})
    with others_cores() as others, ExitStack() as stack:
        upstream = stack.enter_context(statuskit_serve("--workers", "2"))
        legs = started_legs(stack, upstream, names, args.proxy_workers)
        targets = {"thalamus": thalamus_target(upstream.base_url)}
        tealium = tealium_target(upstream.base_url)
        if tealium is not None:
            targets["tealium"] = tealium
        for api, target in targets.items():
            for leg in legs:
                _ready(leg, target)
                results.checks.setdefault(api, {})[leg.name] = check(leg, api, target, args.sample)
        for api, target in targets.items():
            results.measured[api] = measure(legs, target, args)
        results.rss = {leg.name: leg.server.rss_mib() for leg in legs}
        stack.close()  # Stopped and reaped inside the block: their CPU time is ours.
    results.others = others[0]
    return results


def main() -> None:
    """Run the comparison and print the tables docs/benchmarks.md quotes."""
    args = arguments()
    require("wrk")
    names = [{"statuskit": OURS, "prism": PRISM}[leg] for leg in args.legs.split(",") if leg]
    before = os.getloadavg()
    results = run(args, names)
    print(
        f"\nmachine: {os.cpu_count()} cores; load average before the run (1, 5, 15 min): "
        f"{', '.join(f'{x:.2f}' for x in before)}; other processes kept "
        f"{results.others:.2f} cores busy on average during the run"
    )
    rounds = f"median of {args.rounds} rounds"
    for api, seen in results.measured.items():
        title = f"{api}: GET status, wrk -t2 -c32 -d{args.seconds}s, {rounds}"
        print(table(title, seen.high, seen.cpu_us))
        print(table(f"{api}: low load, wrk -t1 -c1 -d{args.low_seconds}s, {rounds}", seen.low))
        print("\n" + "\n".join(f"- {line}" for line in verdicts(seen.high, seen.low)))
    print(checks_table(results.checks, args.sample))
    print("\n| process tree after the loads | RSS MiB |\n|---|---:|")
    for name, mib in results.rss.items():
        print(f"| {name} | {mib:.0f} |")
    print(f"\nPrism: npm {PRISM_PACKAGE}. wrk commands (credentials elided; ports vary by run):")
    for seen in results.measured.values():
        for by_leg in (seen.high, seen.low):
            for name, load in by_leg.items():
                print(f"- {name}: `{load.command}`")


if __name__ == "__main__":
    main()

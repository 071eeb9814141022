"""The soak run: ``statuskit serve --workers 2`` under generated load, admin writes and
faults, for a fixed number of requests per API.

Client threads send each API's requests, generated from its catalogue and schemas (valid,
and with one defect each), while one admin thread makes imports and files, sets states and
moves the clock, and another switches faults on and off. Every STATUSKIT_* credential is a
canary. The run passes when:

* no answer is a 5xx (or a dropped connection) that the journal does not show the soak
  itself injected;
* every other answer has a documented status and a body valid against its strict schema;
* every acknowledged upload, import and file reads back, no id acknowledged twice;
* no canary secret appears in any answer's headers or body, the journal, or the server's
  output.

Exit 0 when all hold, 1 when one does not, 2 when the soak could not do its job.

Run: nox -s soak   (or: python -m bench.soak --requests 100000)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

from bench._soak_admin import Admin, AdminWriter, FaultCycle
from bench._soak_requests import Pools
from bench._soak_server import (
    Served,
    canary_env,
    credential_variables,
    secret_values,
    secret_variables,
    served,
)
from bench._soak_state import Context, Tally
from bench._soak_traffic import Worker
from bench._soak_verdict import (
    Figures,
    attribute,
    by_operation,
    read_back,
    scan_log,
    summary,
)
from bench._soak_wire import Checker, load_ops
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.registry import SchemaRegistry, default_registry

APIS = ("thalamus", "tealium")


def _options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--requests", type=int, default=100_000, help="requests per API")
    parser.add_argument("--threads", type=int, default=2, help="client threads per API")
    parser.add_argument("--workers", type=int, default=2, help="statuskit serve --workers")
    parser.add_argument("--server", choices=("granian", "gunicorn"), default="granian")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds, then stop")
    parser.add_argument(
        "--base-url",
        help="soak a server already running (its STATUSKIT_* secrets must be set here too); "
        "its output is then not read",
    )
    parser.add_argument("--by-operation", action="store_true", help="statuses per operation")
    parser.add_argument("--server-log", type=Path, help="save all the server printed here")
    options = parser.parse_args(argv)
    if options.requests < 1 or options.threads < 1 or options.workers < 1:
        parser.error("--requests, --threads and --workers must be at least 1")
    return options


@contextlib.contextmanager
def _target(options: argparse.Namespace, env: Mapping[str, str]) -> Iterator[Served]:
    if options.base_url:
        yield Served(options.base_url.rstrip("/"))
        return
    args = ["--workers", str(options.workers), "--server", options.server]
    # Every request must stay in the journal until the end: it explains injected faults.
    config = {"journal_limit": max(100_000, 4 * options.requests)}
    with served(env, args, config) as running:
        yield running


def _environment(options: argparse.Namespace) -> dict[str, str]:
    if not options.base_url:
        return canary_env(os.environ)
    env = dict(os.environ)
    # A default credential ("statuskit") is no canary; the admin token may stay unset.
    needed = secret_variables() & credential_variables()
    unset = sorted(v for v in needed if not env.get(v))
    if unset:
        raise RuntimeError(f"--base-url needs the server's secrets set here: {', '.join(unset)}")
    return env


def _run(ctx: Context, registry: SchemaRegistry, options: argparse.Namespace) -> Figures:
    figures = Figures(budget=options.requests)
    pools = {api: Pools(registry, api, ctx.ops[api], options.seed) for api in ctx.ops}
    writer = AdminWriter(ctx, registry, every=25)
    writer.prepare()
    window = min(400, max(20, 2 * options.requests // 60))
    faults = FaultCycle(ctx, window)
    workers = [Worker(ctx, api, i, pools[api]) for api in ctx.ops for i in range(options.threads)]
    started = time.monotonic()
    for thread in (writer, faults, *workers):
        thread.start()
    for worker in workers:
        worker.join()
    figures.seconds = time.monotonic() - started
    ctx.finished.set()
    writer.join()
    faults.join()
    for part in (writer.tally, faults.tally, *(w.tally for w in workers)):
        figures.tally.merge(part)
    figures.timed_out = ctx.timed_out.is_set()
    threads: list[Worker | AdminWriter | FaultCycle] = [writer, faults, *workers]
    figures.errors = [f"{t.name}: {t.error}" for t in threads if t.error]
    read_back(ctx, pools, figures)
    final = Tally()
    admin = Admin(ctx, final)
    attribute(admin, faults.injected, figures)
    admin.close()
    figures.tally.merge(final)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak; 0 passed, 1 a criterion failed, 2 the soak could not run."""
    options = _options(argv)
    try:
        env = _environment(options)
        secrets = secret_values(env)
        registry = default_registry()
        with _target(options, env) as running:
            token = env.get("STATUSKIT_ADMIN_TOKEN")
            ctx = Context(
                base_url=running.base_url,
                ops={api: load_ops(registry, api) for api in APIS},
                thalamus=ThalamusCredentials.from_env(env),
                tealium=TealiumCredentials.from_env(env),
                checker=Checker(registry),
                secrets={name: value.encode() for name, value in secrets.items()},
                admin_headers={"Authorization": f"Bearer {token}"} if token else {},
                budget=options.requests,
                deadline=time.monotonic() + options.time_limit,
                seed=options.seed,
                admin_ops=load_ops(registry, "admin"),
            )
            figures = _run(ctx, registry, options)
        figures.secrets = sorted(secrets)
        if running.output is not None:
            scan_log(running.output, ctx.secrets, figures)
            if options.server_log is not None:
                options.server_log.write_bytes(running.output)
    except (RuntimeError, OSError) as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:  # the message may hold a URL with a credential
        print(f"soak: the server stopped answering ({type(exc).__name__})", file=sys.stderr)
        return 2
    where = (
        running.base_url
        if options.base_url
        else f"statuskit serve --workers {options.workers} ({options.server})"
    )
    return _verdict(figures, options, where)


def _verdict(figures: Figures, options: argparse.Namespace, where: str) -> int:
    lines, passed = summary(figures, where)
    if options.by_operation:
        lines[2:2] = by_operation(figures)
    print("\n".join(lines))
    if not passed:
        print("soak FAILED")
        return 1
    if figures.errors:
        print(f"soak: a thread of the soak failed: {'; '.join(figures.errors)}")
        return 2
    if figures.timed_out:
        print(f"soak: the time limit ({options.time_limit:.0f} s) came before the last request")
        return 2
    if figures.never_fired:
        untested = ", ".join(figures.never_fired)
        print(f"soak: these faults never fired, so surviving them was not tested: {untested}")
        return 2
    print("soak PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())

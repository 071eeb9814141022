"""``statuskit proxy``: a validating, recording proxy in front of a live or staging API.

Exit codes, once stopped by SIGINT or SIGTERM: 0 when no finding reaches ``--fail-on``
(baseline-accepted ones aside), 1 when one does, 2 when the proxy could not run (an
invalid upstream URL, a port in use, an unreadable baseline), with one readable line.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TYPE_CHECKING

from statuskit import __version__
from statuskit.commands._options import add_fail_on, add_format, add_listen

if TYPE_CHECKING:
    from statuskit.proxy import ProxyOptions

__all__ = ["banner", "register"]


def banner(options: ProxyOptions, upstream: str) -> str:
    """What ``proxy`` prints once a worker serves: where, in front of what; never a
    credential (the ``upstream`` URL, as shown, cannot hold one)."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    base = f"http://{host}:{options.port}"
    lines = [
        f"statuskit {__version__}: proxy on {base} for {upstream} (api {options.api})",
        f"  findings     GET {base}/__admin/v1/findings",
    ]
    if options.report:
        lines.append(
            f"  report       {options.report} ({options.format}) at shutdown, or "
            f"POST {base}/__admin/v1/report"
        )
    if options.record:
        lines.append(f"  recording    {options.record}")
    if options.errors:
        lines.append(f"  --errors     a finding at or above {options.fail_on} is answered with 502")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Check the options, serve until interrupted, then merge, report and exit by
    ``--fail-on`` (``statuskit.proxy._serving``)."""
    from dataclasses import replace

    from mockserver.serving import check_port
    from statuskit.errors import ConfigError
    from statuskit.proxy import ProxyOptions, Upstream
    from statuskit.proxy._app import write_report
    from statuskit.proxy._parts import merge
    from statuskit.proxy._record import Recorder
    from statuskit.proxy._serving import prepared, serve, wait_serving
    from statuskit.proxy._validate import validating

    options = ProxyOptions(
        upstream=args.upstream,
        api=args.api,
        host=args.host,
        port=args.port,
        record=args.record,
        report=args.report,
        format=args.format,
        baseline=args.baseline,
        fail_on=args.fail_on,
        errors=args.errors,
        timeout=args.timeout,
    )
    upstream = Upstream.parse(options.upstream)  # before anything binds: exit 2 at once
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    options = replace(options, port=check_port(options.host, options.port))
    if options.record is not None:
        Recorder(options.record).close()  # a directory it cannot write is exit 2 now
    with prepared(options) as state:
        # The parent's aggregator sees no traffic: it reads the workers' files.
        findings = validating(options, upstream.url, directory=state.findings).findings

        def announce() -> None:
            print(banner(options, upstream.url), flush=True)

        watcher = threading.Thread(
            target=wait_serving, args=(options.host, options.port, announce), daemon=True
        )
        watcher.start()
        serve(options, args.workers)
        recorded = ""
        if options.record is not None:
            try:
                count = merge(state.parts, options.record)
            except OSError as exc:
                raise ConfigError(f"cannot write the recording: {exc.strerror or exc}") from None
            recorded = f"; {count} recorded in {options.record}"
        if options.report:
            report = write_report(findings, options.report, options.format)
        else:
            report = findings.report()
    where = f"; report in {options.report}" if options.report else ""
    print(
        f"statuskit: stopped after {report.requests} exchanges: "
        f"{len(report.findings)} findings, {len(report.breaks)} at or above {options.fail_on}"
        f"{where}{recorded}",
        file=sys.stderr,
    )
    return report.exit_code


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("give a number of seconds above 0, at most 3600")
    return value


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``proxy`` parser."""
    parser = commands.add_parser(
        "proxy",
        help="a validating, recording proxy in front of a live or staging API",
        description="Forward the application's traffic to the upstream, byte for byte, and "
        "report its drift from the contract. Exit codes once stopped (Ctrl+C, SIGTERM): "
        "0 nothing at or above --fail-on; 1 drift; 2 the proxy could not run.",
    )
    parser.add_argument(
        "--upstream", required=True, metavar="URL", help="http(s)://host[:port][/base/path]"
    )
    add_listen(parser, port=8081)
    parser.add_argument("--record", metavar="DIR", help="save every exchange, scrubbed, here")
    parser.add_argument("--report", metavar="FILE", help="write the findings here at shutdown")
    add_format(parser)
    parser.add_argument(
        "--baseline", metavar="FILE", help="accepted findings (drift's baseline): suppressed"
    )
    add_fail_on(parser)
    parser.add_argument(
        "--errors",
        action="store_true",
        help="answer an exchange with a finding at or above --fail-on with a 502",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="the upstream's time to answer, 502 or 504 after it (10)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (1, as statuskit serve); findings and the recording are "
        "merged from all of them",
    )
    parser.set_defaults(run=run)

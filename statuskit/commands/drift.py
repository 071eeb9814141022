"""``statuskit drift``: measure a live or staging API against the contract.

Exit codes: 0 when no documented finding reaches ``--fail-on``, 1 when one does, 2 when the
target could not be measured (unreachable, authentication failed, TLS error), with one line
that names which. A kit decision the target answers otherwise (``documented: false``) is
reported apart and counts only with ``--fail-on-kit-decisions``.
"""

from __future__ import annotations

import argparse
import sys

from statuskit.commands._options import add_fail_on, add_format

__all__ = ["register"]

_THALAMUS_ONLY = ("ids", "login_path")
_TEALIUM_ONLY = ("files", "account", "profile", "api_version")


def _check(args: argparse.Namespace) -> None:
    from statuskit.errors import ConfigError

    wrong = _TEALIUM_ONLY if args.api == "thalamus" else _THALAMUS_ONLY
    for name in wrong:
        if getattr(args, name) not in (None, []):
            option = "--" + name.removesuffix("s").replace("_", "-")
            raise ConfigError(f"{option} does not apply to --api {args.api}")


def run(args: argparse.Namespace) -> int:
    """Probe the target, print or write the report, and exit by ``--fail-on``."""
    from statuskit import drift

    _check(args)
    options = drift.DriftOptions(
        pace=args.pace,
        budget=args.budget,
        timeout=args.timeout,
        discover=args.discover,
        login_path=args.login_path,
        api_version=args.api_version or 1,
    )
    report = drift.run(
        args.api,
        args.base_url,
        ids=args.ids or (),
        files=args.files or (),
        account=args.account,
        profile=args.profile,
        options=options,
        baseline=args.baseline,
        fail_on=args.fail_on,
        fail_on_kit_decisions=args.fail_on_kit_decisions,
        progress=drift.Progress(sys.stderr, enabled=not args.quiet),
        record=args.record,
    )
    if args.output:
        drift.write(report, args.output, args.format)
    else:
        sys.stdout.write(drift.render(report, args.format))
    notes = []
    if args.write_baseline:
        # Reasons written into the baseline read (if any) carry over to the new one.
        previous = drift.Baseline.load(args.baseline) if args.baseline else drift.Baseline()
        accepted = previous.accepting([*report.findings, *report.suppressed])
        accepted.write(args.write_baseline)
        notes.append(f"baseline of {len(accepted.entries)} findings in {args.write_baseline}")
    if args.propose_schema:
        proposal = drift.propose(report.findings)
        proposal.write(args.propose_schema)
        notes.append(f"{len(proposal.files)} widened schemas in {args.propose_schema}/drift.patch")
    if args.record:
        notes.append(f"answers recorded as fixtures in {args.record}")
    if not args.quiet and (args.output or notes):
        summary = drift.render(report, "text").splitlines()[0]
        print("; ".join([summary, *notes]), file=sys.stderr)
    return report.exit_code


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``drift`` parser."""
    parser = commands.add_parser(
        "drift",
        help="compare a live or staging API with the contract",
        description="Probe a live or staging API read-only (GETs and a login), compare every "
        "answer with the contract and report each difference, classified. Credentials come "
        "from the STATUSKIT_* variables. Exit 0: no documented finding at or above "
        "--fail-on; 1: drift; 2: the target could not be measured. Kit decisions the target "
        "answers otherwise are reported apart, not failures.",
    )
    parser.add_argument("--api", choices=("thalamus", "tealium"), required=True)
    parser.add_argument("--base-url", required=True, metavar="URL", help="the target's base URL")
    parser.add_argument(
        "--id", dest="ids", action="extend", nargs="+", metavar="N", help="Thalamus import ids"
    )
    parser.add_argument(
        "--file",
        dest="files",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="Tealium file names",
    )
    parser.add_argument(
        "--account", metavar="A", help="Tealium account (STATUSKIT_TEALIUM_ACCOUNT)"
    )
    parser.add_argument(
        "--profile", metavar="P", help="Tealium profile (STATUSKIT_TEALIUM_PROFILE)"
    )
    parser.add_argument(
        "--api-version", type=int, choices=(1, 2), help="Tealium API version (default 1)"
    )
    parser.add_argument("--login-path", metavar="PATH", help="Thalamus login path")
    parser.add_argument(
        "--baseline", metavar="FILE", help="accepted findings: report as suppressed"
    )
    parser.add_argument("--write-baseline", metavar="FILE", help="accept every finding of this run")
    add_format(parser)
    parser.add_argument("--output", metavar="FILE", help="write the report here (default stdout)")
    add_fail_on(parser)
    parser.add_argument(
        "--fail-on-kit-decisions",
        action="store_true",
        help="count kit decisions the target answers otherwise (documented: false) "
        "toward --fail-on, for teams that rely on the kit's guesses",
    )
    parser.add_argument("--propose-schema", metavar="DIR", help="write widened schemas as a patch")
    parser.add_argument("--record", metavar="DIR", help="save the answers as scrubbed fixtures")
    parser.add_argument(
        "--pace", type=float, default=0.25, metavar="SECONDS", help="between requests (0.25)"
    )
    parser.add_argument(
        "--budget", type=int, default=60, metavar="N", help="most requests to send (60)"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="wait for an answer (10)"
    )
    parser.add_argument(
        "--discover", type=int, default=3, metavar="N", help="resources to find when none named"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(run=run)

"""The ``statuskit`` command line.

Every failure a user can cause ends in one readable line on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from statuskit import __version__
from statuskit.errors import StatuskitError

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def _selfcheck(args: argparse.Namespace) -> int:
    """Validate every fixture against its strict schema and report."""
    from statuskit.fixtures import fixtures
    from statuskit.registry import default_registry

    registry = default_registry()
    failures = 0
    for fixture in fixtures(api=args.api):
        for index, instance in enumerate(fixture.instances()):
            findings = registry.validate(fixture.api, fixture.schema, instance)
            label = f"{fixture.api}/{fixture.path.name}" + (
                f"[{index}]" if fixture.kind == "seed" else ""
            )
            for finding in findings:
                print(f"FAIL {label}: {finding}")
            failures += bool(findings)
            if not findings and args.verbose:
                print(f"ok   {label} ~ {fixture.schema}")
    total = sum(len(f.instances()) for f in fixtures(api=args.api))
    schemas = sum(len(registry.names(api)) for api in registry.apis() if args.api in (None, api))
    print(
        f"statuskit {__version__}: {schemas} schemas under {registry.root}; "
        f"{total - failures}/{total} fixture instances valid"
    )
    return 1 if failures else 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: what was wrong and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"statuskit: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="statuskit",
        description=(
            "Contract tests, fake upstreams and drift detection for file-import status APIs."
        ),
    )
    parser.add_argument("--version", action="version", version=f"statuskit {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    selfcheck = commands.add_parser(
        "selfcheck", help="validate the bundled fixtures against the schemas"
    )
    selfcheck.add_argument("--api", choices=("thalamus", "tealium"), default=None)
    selfcheck.add_argument(
        "-v", "--verbose", action="store_true", help="list every valid fixture too"
    )
    selfcheck.set_defaults(run=_selfcheck)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except StatuskitError as exc:
        print(f"statuskit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover - exercised through python -m statuskit
    raise SystemExit(main())

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
from statuskit.commands import check, drift, openapi, selfcheck, serve
from statuskit.errors import StatuskitError

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


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

    for command in (check, drift, openapi, selfcheck, serve):
        command.register(commands)
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

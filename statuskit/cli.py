"""The ``statuskit`` command line.

Exit codes: 0 passed, 1 a real contract or drift failure, 2 the tool could not do its job
(bad arguments, an unreachable target, a missing module, a crash inside the kit). Every
failure of the tool ends in one readable line on stderr, never a traceback; set
``STATUSKIT_TRACEBACK=1`` to see the traceback of a crash when reporting it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from statuskit import __version__
from statuskit.commands import check, drift, openapi, proxy, selfcheck, serve
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

    for command in (check, drift, openapi, proxy, selfcheck, serve):
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except StatuskitError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except ImportError as exc:
        # A dependency that is missing or broken: the install, not the target, is at fault.
        return _fail(f"cannot import {exc.name or 'a module'} ({exc}); reinstall statuskit")
    except Exception as exc:
        # A bug in the kit must never read as a contract failure (exit 1) or a traceback.
        if os.environ.get("STATUSKIT_TRACEBACK"):
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        return _fail(
            f"internal error in statuskit {args.command}: {type(exc).__name__}"
            f"{': ' + first if first else ''} (STATUSKIT_TRACEBACK=1 shows where)"
        )


def _fail(line: str) -> int:
    print(f"statuskit: error: {line}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover - exercised through python -m statuskit
    raise SystemExit(main())

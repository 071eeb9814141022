"""``statuskit openapi``: the OpenAPI 3.1 document of the fake upstreams, from ``schemas/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from statuskit.errors import StatuskitError

__all__ = ["register"]


def _write(where: str, text: str) -> None:
    path = Path(where)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise StatuskitError(f"cannot write {path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Build the document and print it, or write it to ``--output``; with
    ``--schemathesis-config``, write Schemathesis's configuration for it too."""
    from statuskit.openapi import build_document, dumps
    from statuskit.openapi.schemathesis_config import render

    if args.admin and args.api is not None:
        raise StatuskitError("--admin makes the admin API's own document; drop --api")
    document = build_document(args.api or "all", admin=args.admin)
    if args.output is None:
        sys.stdout.write(dumps(document))
    else:
        _write(args.output, dumps(document))
    if args.schemathesis_config is not None:
        _write(args.schemathesis_config, render(document))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``openapi`` parser."""
    parser = commands.add_parser(
        "openapi", help="print the OpenAPI 3.1 document of the fake upstreams (from schemas/)"
    )
    parser.add_argument(
        "--api",
        choices=("thalamus", "tealium", "all"),
        default=None,
        help="which API's operations (default all)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--admin",
        action="store_true",
        help="the admin API under /__admin/v1/ instead (its own document)",
    )
    parser.add_argument(
        "--schemathesis-config",
        metavar="FILE",
        help="also write Schemathesis's config for the document here (schemathesis.toml: "
        "logins, and what OpenAPI cannot say; docs/openapi.md)",
    )
    parser.set_defaults(run=run)

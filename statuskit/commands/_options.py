"""Command-line options that several commands share, each written once.

``serve`` and ``proxy`` listen alike (``--api``, ``--host``, ``--port``); ``drift`` and
``proxy`` report alike (``--format``, ``--fail-on``). The choices are spelled out rather
than read from ``statuskit.drift``, whose import would load the whole engine for every
command line; mypy checks each against drift's ``Format`` and ``Severity``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from statuskit.drift.formats import Format
    from statuskit.drift.model import Severity

__all__ = ["add_fail_on", "add_format", "add_listen"]

_FORMATS: tuple[Format, ...] = ("text", "json", "markdown", "junit", "html")
#: Gravest first, as ``--help`` lists them.
_SEVERITIES: tuple[Severity, ...] = ("breaking", "warning", "info")


def add_listen(parser: argparse.ArgumentParser, *, port: int) -> None:
    """``--api`` (default all), ``--host`` (default loopback) and ``--port`` (``port``)."""
    parser.add_argument("--api", choices=("thalamus", "tealium", "all"), default="all")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=port, help=f"port, 0 for any free one ({port})")


def add_format(parser: argparse.ArgumentParser) -> None:
    """``--format``: the report's format (default text)."""
    parser.add_argument("--format", choices=_FORMATS, default="text")


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """``--fail-on``: the least severity that exits 1 (default breaking)."""
    parser.add_argument(
        "--fail-on",
        choices=_SEVERITIES,
        default="breaking",
        help="exit 1 on findings at or above this severity (default breaking)",
    )

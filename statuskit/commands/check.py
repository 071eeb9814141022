"""``statuskit check``: the contract suites against a target, as one command.

A thin shell over ``pytest --pyargs contract_tests``: the options become ``--contract-*``
options, and anything after ``--`` goes to pytest as it is. Before the suites run, a target
named by ``--base-url`` gets one login per API under test (and a logout): a target that
cannot be reached, or that refuses the credentials, ends the command with one readable line
and exit code 2, instead of a screen of failed tests. Exit codes: 0 when every contract
holds, 1 on a contract failure, 2 when the suites could not run.
"""

from __future__ import annotations

import argparse

from statuskit.errors import StatuskitError

__all__ = ["preflight", "pytest_args", "register"]


def _line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def preflight(api: str, base_url: str) -> None:
    """Log in (and out) to each API under test; raise :class:`StatuskitError` with one line
    when the target cannot be reached or refuses the ``STATUSKIT_*`` credentials."""
    import os

    from statuskit.client import RetryPolicy, TealiumClient, ThalamusClient
    from statuskit.contracts.target import DEFAULT_LOGIN_PATH, RESOURCE_ENV
    from statuskit.errors import (
        AuthenticationError,
        ClientError,
        TouchpointError,
        TransportError,
    )

    once = RetryPolicy(max_attempts=1)
    login_path = os.environ.get(RESOURCE_ENV["login_path"]) or DEFAULT_LOGIN_PATH
    clients: list[ThalamusClient | TealiumClient] = []
    if api in ("thalamus", "all"):
        clients.append(
            ThalamusClient.from_env(base_url, login_path=login_path, retry=once, timeout=10)
        )
    if api in ("tealium", "all"):
        clients.append(TealiumClient.from_env(base_url, retry=once, timeout=10))
    for client in clients:
        with client:
            try:
                client.login()
                client.logout()
            except TransportError as exc:
                raise StatuskitError(f"cannot reach the target: {_line(exc)}") from None
            except (AuthenticationError, TouchpointError) as exc:
                raise StatuskitError(f"authentication failed: {_line(exc)}") from None
            except ClientError as exc:
                raise StatuskitError(f"the target did not answer a login: {_line(exc)}") from None


def pytest_args(args: argparse.Namespace) -> list[str]:
    """The pytest command line the options stand for."""
    out = ["--pyargs", "contract_tests", "-p", "no:cacheprovider", f"--contract-api={args.api}"]
    if args.base_url:
        out.append(f"--contract-base-url={args.base_url}")
    if args.junit:
        out.append(f"--junitxml={args.junit}")
    for name in ("profile", "budget", "rate", "coverage_json"):
        value = getattr(args, name)
        if value is not None:
            out.append(f"--contract-{name.replace('_', '-')}={value}")
    if args.allow_writes:
        out.append("--contract-allow-writes")
    if args.dry_run:
        out.append("--contract-dry-run")
    extra = list(args.pytest_args)
    return out + (extra[1:] if extra[:1] == ["--"] else extra)


def run(args: argparse.Namespace) -> int:
    """Check the target, run the suites, and map pytest's exit code to 0, 1 or 2."""
    import subprocess
    import sys

    if args.base_url and not args.dry_run:
        preflight(args.api, args.base_url)
    # A child process: pytest cannot rewrite the asserts of modules this one has imported
    # (it warns, an error under -W error), and hypothesis's profile is process-wide.
    code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args(args)])
    return {0: 0, 1: 1}.get(code, 2)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` parser."""
    parser = commands.add_parser(
        "check",
        help="run the contract suites against the in-process mock or a server",
        description="Run the contract suites against the in-process mock or a server.",
    )
    parser.add_argument("--api", choices=("thalamus", "tealium", "all"), default="all")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="the server to test (a statuskit serve, staging...); absent: the in-process mock",
    )
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report here")
    parser.add_argument("--profile", choices=("dev", "ci", "live"), help="hypothesis profile")
    parser.add_argument("--budget", type=int, metavar="N", help="most requests off loopback")
    parser.add_argument("--rate", type=float, metavar="R", help="most requests a second")
    parser.add_argument("--allow-writes", action="store_true", help="allow uploads off loopback")
    parser.add_argument("--dry-run", action="store_true", help="list the requests, send none")
    parser.add_argument("--coverage-json", metavar="FILE", help="write the coverage summary")
    parser.add_argument(
        "pytest_args", nargs=argparse.REMAINDER, help="after --: more arguments for pytest"
    )
    parser.set_defaults(run=run)

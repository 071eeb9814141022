"""``statuskit check``: the contract suites against a target, as one command.

A thin shell over ``pytest --pyargs contract_tests``: the options become ``--contract-*``
options, and anything after ``--`` goes to pytest as it is. Before the suites run, a target
named by ``--base-url`` gets one login per API under test (and a logout): a target that
cannot be reached, or that refuses the credentials, ends the command with one readable line
and exit code 2, instead of a screen of failed tests. Exit codes: 0 when every contract
holds, 1 on a contract failure, 2 when the suites could not run: a failure that is not an
:class:`AssertionError` (a crash inside the kit, a connection lost mid-run), a module that
could not be collected, or no test selected (``_outcome.py`` sorts them). Against a live
target, a kit decision that differs (a catalogue case whose provenance is ``kit``, a
``kit_decision`` test, a :class:`~statuskit.errors.KitDecisionDiffers`) is listed in its own
section and does not fail; a documented case that differs does.

``--html FILE`` writes the run as one self-contained page (``_check_report.py``): the
summary, each test's outcome and the contract coverage as bars. The pytest child writes
each test's result (``--statuskit-tests``) and the coverage summary (to a temporary file
when ``--coverage-json`` is not given); the page is written whatever the verdict, once the
suites have run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from statuskit.errors import StatuskitError

__all__ = ["preflight", "pytest_args", "register", "verdict"]


def _line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def preflight(api: str, base_url: str) -> None:
    """Log in (and out) to each API under test; raise :class:`StatuskitError` with one line
    when the target cannot be reached or refuses the ``STATUSKIT_*`` credentials."""
    from statuskit.client import RetryPolicy, TealiumClient, ThalamusClient
    from statuskit.errors import (
        AuthenticationError,
        ClientError,
        TouchpointError,
        TransportError,
    )

    once = RetryPolicy(max_attempts=1)
    clients: list[ThalamusClient | TealiumClient] = []
    if api in ("thalamus", "all"):
        clients.append(ThalamusClient.from_env(base_url, retry=once, timeout=10))
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
    # Schemathesis's plugin, where installed, would blank hypothesis's falsifying examples.
    out = ["--pyargs", "contract_tests", "-p", "no:cacheprovider", "-p", "no:schemathesis"]
    out.append(f"--contract-api={args.api}")
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


def _needs_pytest() -> None:
    try:
        import pytest  # noqa: F401  # the suites run on it
    except ImportError as exc:
        raise StatuskitError(
            f"statuskit check needs pytest, which cannot be imported ({exc}); "
            "reinstall statuskit: pip install statuskit"
        ) from None


def verdict(code: int, outcome: dict[str, Any] | None) -> int:
    """The exit code of a run: 1 only when every failure was the target's (a contract
    failure); a tool failure, or a run that never reported, raises :class:`StatuskitError`."""
    if outcome is None:
        raise StatuskitError(f"the contract suites did not run (pytest exited {code})")
    tool = outcome["tool_failures"]
    if tool:
        more = f" (and {len(tool) - 1} more)" if len(tool) > 1 else ""
        raise StatuskitError(f"the contract suites could not run: {tool[0]}{more}")
    if code == 5:
        raise StatuskitError("no contract test was selected: check --api and any -k")
    if code not in (0, 1):
        raise StatuskitError(f"the contract suites were interrupted (pytest exited {code})")
    return code


def _write_html(
    path: str, folder: Path, args: argparse.Namespace, code: int, verdict_line: str
) -> None:
    """Render the page from what the child wrote into ``folder`` (and ``--coverage-json``)
    and write it; :class:`~statuskit.errors.ConfigError` if it cannot be written."""
    from statuskit.commands import _outcome
    from statuskit.commands._check_report import render
    from statuskit.commands._scrub import scrubber
    from statuskit.errors import ConfigError

    coverage = _outcome.read(Path(args.coverage_json or folder / "coverage.json"))
    text = render(
        target=args.base_url or "the in-process mock",
        code=code,
        verdict=verdict_line,
        results=_outcome.read(folder / "tests.json") or [],
        coverage=coverage if isinstance(coverage, dict) else None,
        scrub=scrubber(),
    )
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None


def _child(args: argparse.Namespace, folder: Path) -> list[str]:
    """The pytest child's command line: the outcome plugin, and what ``--html`` needs."""
    import sys

    from statuskit.commands import _outcome

    plugin = ["-p", _outcome.__name__, f"--statuskit-outcome={folder / 'outcome.json'}"]
    if args.html:
        plugin.append(f"--statuskit-tests={folder / 'tests.json'}")
        if args.coverage_json is None:
            args = argparse.Namespace(**{**vars(args), "coverage_json": folder / "coverage.json"})
    return [sys.executable, "-m", "pytest", *plugin, *pytest_args(args)]


def run(args: argparse.Namespace) -> int:
    """Check the target, run the suites, and map their outcome to 0, 1 or 2."""
    import subprocess
    import tempfile

    _needs_pytest()
    from statuskit.commands import _outcome

    if args.base_url and not args.dry_run:
        preflight(args.api, args.base_url)
    with tempfile.TemporaryDirectory(prefix="statuskit-check-") as name:
        folder = Path(name)
        # A child process: pytest cannot rewrite the asserts of modules this one has
        # imported (it warns, an error under -W error), and hypothesis's profile is
        # process-wide.
        code = subprocess.call(_child(args, folder))
        outcome = _outcome.read(folder / "outcome.json")
        try:
            result = verdict(code, outcome)
        except StatuskitError as exc:
            if args.html and outcome is not None:
                _write_html(args.html, folder, args, 2, f"could not run: {exc}")
            raise
        if args.html:
            line = "passed" if result == 0 else "FAILED: a contract does not hold"
            _write_html(args.html, folder, args, result, line)
        return result


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
    parser.add_argument(
        "--html", metavar="FILE", help="write an HTML report here: outcomes and coverage"
    )
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

"""Developer and CI sessions. ``nox`` runs the default ones: lint, typing, tests, contracts."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typing", "tests", "contracts"]
nox.options.error_on_missing_interpreters = True


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common bugs with ruff."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """Type-check every package, the tests and this file with mypy --strict."""
    session.install("-e", ".[typing]")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the kit's own test suite."""
    session.install("-e", ".[test]")
    # pytest exits 5 when it collects no tests; nox treats every non-zero exit as a
    # failure, so an empty run can never pass as green.
    session.run("pytest", *session.posargs)


@nox.session
def peers(session: nox.Session) -> None:
    """Run Schemathesis against statuskit serve from the exported OpenAPI document."""
    session.install("-e", ".[test]")
    # Part of the default run (tests/peers, 20 examples per operation); more on demand:
    # nox -s peers -- 500 [SEED]
    env = {"STATUSKIT_PEERS_EXAMPLES": session.posargs[0] if session.posargs else "20"}
    if len(session.posargs) > 1:
        env["STATUSKIT_PEERS_SEED"] = session.posargs[1]
    session.run("pytest", "tests/peers", env=env)


@nox.session
def contracts(session: nox.Session) -> None:
    """Run the contract suites in process, then over HTTP against a statuskit serve."""
    session.install("-e", ".[test]")
    suites = ("--pyargs", "contract_tests", "--contract-profile=ci", "-p", "no:cacheprovider")
    session.run("pytest", *suites, *session.posargs)
    # The session starts statuskit serve on an ephemeral port and stops it at the end.
    session.run("pytest", *suites, "--contract-serve", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (needs wrk, and npm for Prism); not part of the default run."""
    session.install("-e", ".[test]")
    which = session.posargs[0] if session.posargs else "all"
    if which in ("all", "client"):
        session.run("python", "bench/client_overhead.py", "--header")
    if which in ("all", "mock"):
        session.run("python", "-m", "bench.mock_throughput", *session.posargs[1:])
    # Prism comes from npm into a cache folder (bench/_prism.py), only here, never in tests.
    if which in ("all", "prism"):
        session.run("python", "-m", "bench.prism_compare", *session.posargs[1:])
    if which in ("all", "prism", "interop"):
        session.run("python", "-m", "bench.prism_interop")
    if which in ("all", "proxy"):
        session.run("python", "-m", "bench.proxy_compare", *session.posargs[1:])
    if which in ("all", "state"):
        session.run("python", "-m", "bench.state_compare", *session.posargs[1:])
    if which in ("all", "million"):
        session.run("python", "-m", "bench.million", *session.posargs[1:])
    if which in ("all", "contracts"):
        session.run("python", "-m", "bench.contract_suite", *session.posargs[1:])


@nox.session
def soak(session: nox.Session) -> None:
    """Soak statuskit serve --workers 2: 100,000 requests per API, faults on (not default)."""
    session.install("-e", ".")
    # Options go to bench/soak.py: nox -s soak -- --requests 20000 --seed 3
    session.run("python", "-m", "bench.soak", *session.posargs)

"""The target of a contract run: where requests go, through what, and what is known there.

:func:`open_target` builds it from :class:`~statuskit.contracts.options.ContractOptions`:

* no base URL: the in-process mock (``mockserver.create_app()`` behind
  ``httpx.WSGITransport``), with no socket;
* ``serve``: a ``statuskit serve`` the run starts on an ephemeral port, over HTTP;
* a base URL: that server. A loopback one is probed once for the mock's admin API
  (``GET /__admin/v1/``); a remote one only when ``STATUSKIT_ADMIN_TOKEN`` is set.

A target with the admin API is a *mock*: tests that need its clock, data or faults run,
and kit decisions are held to. Any other target is *live*. Mocks the run starts itself are
configured with one readable account (the ``STATUSKIT_TEALIUM_ACCOUNT``), so an account
the user may not read exists for the documented 1469.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import httpx

from statuskit.catalogue import Operation, classify, operations
from statuskit.contracts.coverage import Coverage
from statuskit.contracts.options import ContractOptions
from statuskit.contracts.transport import Budget, ContractTransport, Guard, Pacer
from statuskit.credentials import TealiumCredentials
from statuskit.errors import ConfigError, StatuskitError

if TYPE_CHECKING:
    from statuskit.mock import MockServer

__all__ = [
    "FORBIDDEN_ACCOUNT",
    "IN_PROCESS_URL",
    "RESOURCE_ENV",
    "ContractTarget",
    "Resources",
    "open_target",
]

#: The base URL of the in-process mock: a reserved name that never resolves.
IN_PROCESS_URL = "http://mock.statuskit.invalid"
#: The variables naming what exists on a live target (comma-separated lists).
RESOURCE_ENV = {
    "import_ids": "STATUSKIT_THALAMUS_IMPORT_IDS",
    "files": "STATUSKIT_TEALIUM_FILES",
    "forbidden_account": "STATUSKIT_TEALIUM_FORBIDDEN_ACCOUNT",
}
#: The account a mock started by the run refuses (401 1469).
FORBIDDEN_ACCOUNT = "statuskit-forbidden-account"


def _split(raw: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


@dataclass(frozen=True)
class Resources:
    """What the suites may rely on finding at the target."""

    import_ids: tuple[int, ...]
    files: tuple[str, ...]
    account: str
    profile: str
    forbidden_account: str | None
    login_path: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, mock: bool, started: bool) -> Resources:
        """The ``STATUSKIT_*`` resources; on a mock, its documented and seeded data by
        default, and on a mock the run started, the account it refuses."""
        from statuskit.client._thalamus import env_login_path
        from statuskit.fixtures import documented, seed, tealium_seed

        tealium = TealiumCredentials.from_env(environ)
        raw_ids = _split(environ.get(RESOURCE_ENV["import_ids"]))
        if not all(part.isdigit() for part in raw_ids):
            raise ConfigError(f"${RESOURCE_ENV['import_ids']} must be comma-separated ids")
        ids = tuple(int(part) for part in raw_ids)
        files = _split(environ.get(RESOURCE_ENV["files"]))
        if mock and not ids:
            records = [documented("thalamus", "get-status", 200).load(), *seed("thalamus")]
            ids = tuple(record["id"] for record in records)
        if mock and not files:
            example = documented("tealium", "get-file-status", 200).load()
            statuses = [example, *tealium_seed(tealium.account, tealium.profile)]
            files = tuple(
                s["file"]["name"]
                for s in statuses
                if (s["account"], s["profile"]) == (tealium.account, tealium.profile)
            )
        forbidden = environ.get(RESOURCE_ENV["forbidden_account"]) or (
            FORBIDDEN_ACCOUNT if started else None
        )
        return cls(
            import_ids=ids,
            files=files,
            account=tealium.account,
            profile=tealium.profile,
            forbidden_account=forbidden,
            login_path=env_login_path(None, environ),
        )


@dataclass
class ContractTarget:
    """One run's target; ``generation`` counts the mock's resets, so a cached session
    knows when it is gone."""

    options: ContractOptions
    base_url: str
    transport: ContractTransport
    coverage: Coverage
    ops: tuple[Operation, ...]
    resources: Resources
    mock: MockServer | None
    description: str
    generation: int = 0
    stack: ExitStack = field(default_factory=ExitStack)

    def __repr__(self) -> str:
        return f"ContractTarget({self.description!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis (and IPython) print a dataclass field by field; a falsifying example
        # shows its fixtures too, so keep this one to a line.
        printer.text(repr(self))

    @property
    def live(self) -> bool:
        """Whether the target is not a statuskit mock: kit decisions may differ there."""
        return self.mock is None

    def op(self, api: str, name: str) -> Operation:
        """The operation ``api``/``name`` of the wire table."""
        return next(op for op in self.ops if (op.api, op.name) == (api, name))

    def classify(self, request: httpx.Request) -> Operation | None:
        """The operation ``request`` is."""
        return classify(self.ops, request.method, self.relative(request.url.path))

    def relative(self, path: str) -> str:
        """``path`` without the base URL's own path."""
        return _relative(self.base_url, path)

    def reset(self) -> MockServer:
        """Reset the mock to its seed (sessions included); return it."""
        if self.mock is None:
            raise ConfigError(f"{self.description} is not a statuskit mock: it cannot be reset")
        self.mock.reset()
        self.generation += 1
        return self.mock

    def close(self) -> None:
        """Stop what the run started and close the transports."""
        self.stack.close()


def _relative(base_url: str, path: str) -> str:
    base = urlsplit(base_url).path.rstrip("/")
    return (path[len(base) :] or "/") if base and path.startswith(base) else path


def _mock_config(account: str) -> dict[str, Any]:
    # One readable account, so that FORBIDDEN_ACCOUNT answers the documented 1469.
    return {"tealium_accounts": [account]}


def _admin(server: MockServer) -> MockServer | None:
    """``server`` if it answers the admin API's index as a mock, else ``None`` (closed):
    a ``statuskit proxy`` answers the index too, but holds no data to reset."""
    try:
        index = server.call("GET", "/")
        is_mock = index.get("version") == 1 and index.get("kind", "mock") == "mock"
    except (StatuskitError, ValueError, AttributeError):
        is_mock = False
    if not is_mock:
        server.close()
    return server if is_mock else None


def open_target(
    options: ContractOptions,
    *,
    refuse: Callable[[str], NoReturn],
    label: Callable[[], str] = lambda: "",
    environ: Mapping[str, str] | None = None,
) -> ContractTarget:
    """Build the run's target: start what it needs, wrap its transport, probe for a mock."""
    env = os.environ if environ is None else environ
    stack = ExitStack()
    try:
        return _open(options, stack, env, refuse, label)
    except BaseException:
        stack.close()
        raise


def _open(
    options: ContractOptions,
    stack: ExitStack,
    env: Mapping[str, str],
    refuse: Callable[[str], NoReturn],
    label: Callable[[], str],
) -> ContractTarget:
    import mockserver
    from statuskit.mock import MockServer

    account = TealiumCredentials.from_env(env).account
    admin_token = env.get("STATUSKIT_ADMIN_TOKEN") or None
    mock: MockServer | None = None
    inner: httpx.BaseTransport
    started = options.base_url is None
    if options.serve:
        from mockserver.process import serve_process

        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="statuskit-")))
        config = folder / "contract-mock.json"
        config.write_text(json.dumps(_mock_config(account)), encoding="utf-8")
        running = stack.enter_context(serve_process("--config", str(config)))
        base_url, inner = running.base_url, httpx.HTTPTransport()
        description = f"{base_url} (statuskit serve started by this run)"
        if not options.dry_run:
            mock = _admin(MockServer(base_url, admin_token=admin_token))
    elif options.base_url is None:
        app = mockserver.create_app(_mock_config(account))
        base_url, inner = IN_PROCESS_URL, httpx.WSGITransport(app=app)
        description = "the in-process mock"
        if not options.dry_run:
            mock = _admin(MockServer(base_url, admin_token=admin_token, transport=inner))
    else:
        base_url, inner = options.base_url, httpx.HTTPTransport()
        description = base_url
        if not options.dry_run and (options.kind == "loopback" or admin_token):
            mock = _admin(MockServer(base_url, admin_token=admin_token, timeout=5))
    if mock is not None:
        stack.callback(mock.close)
    resources = Resources.from_env(env, mock=mock is not None, started=started or options.serve)
    ops = operations(login_path=resources.login_path)
    coverage = Coverage(ops, options.apis(), base_path=urlsplit(base_url).path)

    def is_session(method: str, path: str) -> bool:
        op = classify(ops, method, _relative(base_url, path))
        return op is not None and op.session

    guard = None
    if options.guarded:
        pacer = None if options.dry_run else Pacer(options.rate)
        guard = Guard(Budget(options.budget), pacer, options.allow_writes, is_session)
    stand_in = None
    if options.dry_run:
        stand_in = httpx.WSGITransport(app=mockserver.create_app(_mock_config(account)))
    transport = ContractTransport(
        inner,
        guard=guard,
        observers=[] if options.dry_run else [coverage.observe],
        dry_run=options.dry_run,
        stand_in=stand_in,
        refuse=refuse,
        label=label,
    )
    stack.callback(transport.close)
    return ContractTarget(
        options=options,
        base_url=base_url,
        transport=transport,
        coverage=coverage,
        ops=ops,
        resources=resources,
        mock=mock,
        description=description,
        stack=stack,
    )

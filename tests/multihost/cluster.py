"""Two ``statuskit serve`` instances on two "hosts", one PostgreSQL, nginx in front.

:func:`cluster` makes the whole setup inside the test and removes all of it when its block
ends, failed or not: nginx, the instances (every process of each), PostgreSQL and its
folder, then the namespaces and veths.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from mockserver.process import ServerProcess, serve_process
from statuskit.contracts.target import FORBIDDEN_ACCOUNT, RESOURCE_ENV
from statuskit.credentials import ADMIN_TOKEN_ENV, TealiumCredentials
from statuskit.mock import MockServer
from tests.multihost.balancer import balancer
from tests.multihost.netns import Host, hosts
from tests.postgres import PostgresServer

__all__ = ["Cluster", "Instance", "cluster", "descendants"]

Served = AbstractContextManager[ServerProcess]


def descendants(pid: int) -> list[int]:
    """``pid``'s children, their children, and so on (read from ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # The command name may hold spaces and parentheses: the fields follow the last ')'.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Instance:
    """One ``statuskit serve`` in its own namespace."""

    host: Host
    server: ServerProcess

    @property
    def url(self) -> str:
        """Its own base URL, on its namespace's address (reachable from the root namespace)."""
        return self.server.base_url

    def kill(self) -> None:
        """SIGKILL the whole instance at once (the server and its workers), as a host lost."""
        pids = [self.server.process.pid, *descendants(self.server.process.pid)]
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.server.process.wait(timeout=10)


@dataclass
class Cluster:
    """The running setup: ``url`` is the balancer's, ``instances`` are reachable directly."""

    url: str
    instances: list[Instance]
    postgres: PostgresServer | None
    admin_token: str
    #: What the contract suites run with: the token, the account the instances refuse.
    env: dict[str, str]

    def admin(self, url: str | None = None) -> MockServer:
        """An admin client for the balancer, or for ``url`` (one instance)."""
        return MockServer(url or self.url, admin_token=self.admin_token, timeout=15)


def _instance_config(folder: Path) -> Path:
    # One readable account, so that the account the contract suites name answers 1469.
    account = TealiumCredentials.from_env(os.environ).account
    path = folder / "instance.json"
    path.write_text(json.dumps({"tealium_accounts": [account]}), encoding="utf-8")
    return path


def _start(host: Host, env: dict[str, str], args: list[str]) -> Served:
    python = (*host.command(sys.executable),)
    return serve_process("--host", host.address, *args, env=env, python=python, timeout=90)


@contextmanager
def cluster(*, postgres: bool = True, workers: int = 2) -> Iterator[Cluster]:
    """The whole setup, removed when the block ends. ``postgres=False`` gives each instance
    its own SQLite state (routing only: two SQLite instances share nothing)."""
    token = secrets.token_urlsafe(16)
    env = {**os.environ, ADMIN_TOKEN_ENV: token}
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="statuskit-multihost-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        # PostgreSQL runs as its own user, which must reach its folder under this one.
        folder.chmod(0o755)
        made = stack.enter_context(hosts(("a", "b")))
        server = None
        if postgres:
            server = PostgresServer(folder / "pg", listen=[h.gateway for h in made])
            stack.enter_context(server)
            database = server.new_database()
        config = _instance_config(folder)
        managers = []
        for host in made:
            args = ["--workers", str(workers), "--config", str(config)]
            if server is not None:
                args += ["--state", server.url(database, host=host.gateway)]
            managers.append(_start(host, env, args))
        instances = _enter_together(stack, managers, made)
        upstreams = [i.url.removeprefix("http://") for i in instances]
        url = stack.enter_context(balancer(upstreams, folder / "nginx"))
        suites_env = {ADMIN_TOKEN_ENV: token, RESOURCE_ENV["forbidden_account"]: FORBIDDEN_ACCOUNT}
        yield Cluster(url, instances, server, token, suites_env)


def _enter_together(stack: ExitStack, managers: list[Served], made: list[Host]) -> list[Instance]:
    """Start every instance at once (as a deployment does: table creation must be safe
    then), each one's exit registered on ``stack`` even when another fails to start."""
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = [pool.submit(m.__enter__) for m in managers]
    failure: BaseException | None = None
    instances = []
    for manager, future, host in zip(managers, futures, made, strict=True):
        error = future.exception()
        if error is None:
            stack.push(manager.__exit__)
            instances.append(Instance(host, future.result()))
        else:
            failure = failure or error
    if failure is not None:
        raise failure
    return instances

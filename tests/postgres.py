"""A throwaway PostgreSQL server for the kit's own tests, from the machine's Debian package.

``PostgresServer`` runs ``initdb`` into a temporary folder, starts the server on a free port
with a generated password, and stops and removes it afterwards. As root, the server runs
as the ``postgres`` user the package made, since PostgreSQL refuses to run as root.

The fixtures: ``postgres_server`` (one per session) and ``postgres_url`` (a fresh database
per test). Outside CI they skip when PostgreSQL is not installed; in CI (``CI`` set) they
fail instead, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

__all__ = [
    "PostgresServer",
    "binaries",
    "connect",
    "postgres_server",
    "postgres_url",
    "require",
    "running",
    "unavailable",
]

#: Settings for speed: a test database need not survive a power cut.
_SETTINGS = {
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "300",
    "shared_buffers": "128MB",
}


def binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or ``None``."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(candidate, "initdb"), os.X_OK):
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One PostgreSQL server in ``root`` (made if missing), listening on ``listen``.

    Use it as a context manager; :meth:`url` gives a connection URL with the password.
    """

    user = "statuskit"

    def __init__(self, root: str | os.PathLike[str], listen: Sequence[str] = ("127.0.0.1",)):
        found = binaries()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = found
        self.root = Path(root)
        self.listen = tuple(listen)
        self.host = self.listen[0]
        self.port = _free_port(self.host)
        self.password = secrets.token_urlsafe(16)
        self.data = self.root / "data"
        self._as_root = os.geteuid() == 0

    # -- running ---------------------------------------------------------------------

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def _initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password)
        if self._as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        pwfile.chmod(0o600)
        self._run(
            "initdb", "-D", str(self.data), "-U", self.user, "--pwfile", str(pwfile),
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        pwfile.unlink()
        # Clients on the test's own network namespaces reach the server through veths.
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write("host all all 0.0.0.0/0 scram-sha-256\n")

    def start(self) -> None:
        """Start the server (after :meth:`stop` too), and wait until it takes connections."""
        if not self.data.exists():
            self._initdb()
        options = [
            f"-p {self.port}",
            f"-k {self.root}",
            f"-c listen_addresses={','.join(self.listen)}",
            *(f"-c {name}={value}" for name, value in _SETTINGS.items()),
        ]
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", " ".join(options),
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``immediate`` is a crash, as far as clients can tell."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        """Whether the server is up."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "status")
        except subprocess.CalledProcessError:
            return False
        return True

    # -- connecting ------------------------------------------------------------------

    def url(self, dbname: str = "postgres", host: str | None = None) -> str:
        """A connection URL for ``dbname``, with the password: a secret, never to be logged."""
        return (
            f"postgresql://{self.user}:{quote(self.password, safe='')}"
            f"@{host or self.host}:{self.port}/{dbname}"
        )

    def new_database(self) -> str:
        """A fresh empty database; its name."""
        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.running():
            self.stop("immediate")


def require() -> None:
    """Skip (outside CI) or fail (in CI) when PostgreSQL is not installed."""
    if binaries() is None:
        unavailable("PostgreSQL is not installed (apt-get install postgresql)")


def unavailable(reason: str) -> None:
    """Skip, or fail in CI, where .ci/run installs what is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run installs it, so CI never skips this test")
    pytest.skip(reason)


@contextmanager
def running(prefix: str = "statuskit-pg-") -> Iterator[PostgresServer]:
    """A server in a temporary folder of its own, removed with everything in it after."""
    root = tempfile.mkdtemp(prefix=prefix)
    # The server runs as the postgres user when this runs as root: let it reach its folder.
    os.chmod(root, 0o755)
    try:
        with PostgresServer(os.path.join(root, "pg")) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, on 127.0.0.1."""
    require()
    with running() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh database on the session's server."""
    if not postgres_server.running():  # a test that stopped it left it down
        postgres_server.start()
    return postgres_server.url(postgres_server.new_database())


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """A direct connection, for tests that look inside the database."""
    return psycopg.connect(url, autocommit=True, connect_timeout=10, **options)

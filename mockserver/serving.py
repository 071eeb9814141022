"""Running the mocks on a production WSGI server: granian by default, gunicorn as fallback.

The parent process builds the configuration, creates the shared SQLite state and seeds it
once; then each server worker builds its own app on the same state file through
:func:`worker_app`. Workers re-read the configuration from the same environment and config
file rather than from a file of settings, so no credential is ever written to disk.

A worker that dies is replaced while the others go on serving, and one line says so
(``_supervised_granian``, ``_supervised_gunicorn``; docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import encodings.idna  # noqa: F401 - see _when_serving: imported before any worker forks
import errno
import http.client
import importlib
import ipaddress
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from flask import Flask

from mockserver._state import EXTENSION, MockState
from mockserver.config import MockConfig
from mockserver.replay import replay_directory, reseeder
from mockserver.store import StoreUnavailable, redact_url
from statuskit.errors import ConfigError, StatuskitError

__all__ = [
    "APIS",
    "ServeOptions",
    "build_app",
    "is_loopback",
    "prepared",
    "run",
    "worker_app",
]

Api = Literal["thalamus", "tealium", "all"]
APIS: tuple[Api, ...] = ("thalamus", "tealium", "all")
#: Carries the (secret-free) serve options from the parent to its workers.
_ENV = "STATUSKIT_SERVE_OPTIONS"
#: Python threads per granian worker.
BLOCKING_THREADS = 4
#: Seconds granian waits for a worker to stop before killing it.
WORKERS_KILL_TIMEOUT = 5


@dataclass(frozen=True)
class ServeOptions:
    """What ``statuskit serve`` was asked for."""

    api: Api = "all"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    config_file: str | None = None
    seed: int | None = None
    server: Literal["granian", "gunicorn"] = "granian"
    state_path: str | None = None
    #: Where the shared state lives instead (``--state URL``): may hold a password, so it is
    #: kept out of the repr; the banner and errors show it through ``redact_url``.
    state_url: str | None = field(default=None, repr=False)
    #: Honour the ``X-Statuskit-Fault`` request header (``--test-mode``).
    test_mode: bool = False
    #: A recording's directory to replay (``--replay DIR``): at start, and after each reset.
    replay: str | None = None

    def config(self, environ: Mapping[str, str] | None = None) -> MockConfig:
        """The mock configuration these options describe."""
        base = (
            MockConfig.load(self.config_file, environ)
            if self.config_file
            else MockConfig.from_env(environ)
        )
        overrides: dict[str, Any] = {
            "state_path": self.state_path,
            # Off loopback, anyone who reaches the server could drive it: demand a token.
            "admin_requires_token": not is_loopback(self.host),
        }
        if self.state_url is not None:
            overrides["state_url"] = self.state_url
        if self.seed is not None:
            overrides["seed"] = self.seed
        if self.test_mode:
            overrides["test_mode"] = True
        return base.replace(**overrides)


_FACTORIES = {
    "thalamus": "mockserver.thalamus",
    "tealium": "mockserver.tealium",
    "all": "mockserver",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_app(api: Api, config: MockConfig, *, replay: str | None = None) -> Flask:
    """The app for one API, or the combined one; with ``replay``, a reset replays that
    recording again (``mockserver.replay``)."""
    app: Flask = importlib.import_module(_FACTORIES[api]).create_app(config)
    if replay is not None:
        state: MockState = app.extensions[EXTENSION]
        state.seeders = (*state.seeders, reseeder(replay))
    return app


def worker_app() -> Flask:
    """The app factory a server worker calls; its options come from the parent."""
    options = ServeOptions(**json.loads(os.environ[_ENV]))
    return build_app(options.api, options.config(), replay=options.replay)


def check_port(host: str, port: int) -> int:
    """Fail with one clear line if ``host:port`` cannot be bound; return the port to use.

    Port 0 picks a free ephemeral port. There is a short window between this check and
    the server's own bind; a clash then still fails, with the server's message.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"port {port} on {host} is in use; choose another with --port"
                ) from None
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        bound: int = probe.getsockname()[1]
    return bound


@contextlib.contextmanager
def prepared(options: ServeOptions) -> Iterator[tuple[ServeOptions, MockConfig]]:
    """Bind-check the port, create and seed the shared state; clean it up afterwards."""
    if options.workers < 1:
        raise ConfigError("--workers must be at least 1")
    port = check_port(options.host, options.port)
    state_dir = tempfile.mkdtemp(prefix="statuskit-")
    owner = os.getpid()
    try:
        ready = ServeOptions(
            **{**asdict(options), "port": port, "state_path": os.path.join(state_dir, "state.db")}
        )
        config = ready.config()
        try:
            app = build_app(ready.api, config)  # seeds the shared state before any worker starts
        except StoreUnavailable as exc:
            where = redact_url(config.state_location() or "")
            raise StoreUnavailable(f"cannot open the state store {where}: {exc}") from None
        if ready.replay is not None:
            # Once, before any worker starts: a bad recording stops serve with one line.
            replay_directory(ready.replay, app.extensions[EXTENSION])
        yield ready, config
    finally:
        # Gunicorn forks its workers inside this block, and a worker that exits (a timeout,
        # a graceful stop) leaves through it too: only the process that made the state
        # removes it, or one worker's exit would take the state from all the others.
        if os.getpid() == owner:
            shutil.rmtree(state_dir, ignore_errors=True)


def run(options: ServeOptions, *, announce: Callable[[ServeOptions, MockConfig], None]) -> None:
    """Serve until interrupted (SIGINT or SIGTERM), then clean up.

    ``announce`` is called once a worker answers requests.
    """
    with prepared(options) as (ready, config):
        os.environ[_ENV] = json.dumps(asdict(ready))

        # The banner waits until a worker answers, so whoever waits for it finds a server
        # that serves, and a stop signal never lands while workers are still starting.
        watcher = threading.Thread(
            target=_when_serving, args=(ready, lambda: announce(ready, config)), daemon=True
        )
        watcher.start()
        if ready.server == "gunicorn":
            _gunicorn(ready)
        else:
            _granian(ready)


def _when_serving(options: ServeOptions, then: Callable[[], None], timeout: float = 120) -> None:
    # This thread runs while the server forks its workers. Its first connection would import
    # encodings.idna (socket encodes the host name); a fork in the middle of that import
    # leaves the module's lock held in the worker, whose first request then waits forever.
    # The module is imported at the top of this file, in the main thread, before any fork.
    host = options.host if options.host not in ("0.0.0.0", "::") else "127.0.0.1"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(host, options.port, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)
            continue
        finally:
            connection.close()
        then()
        return
    # No banner then: say why, so whoever waits for one is not left guessing.
    print(f"statuskit: no worker answered within {timeout:.0f} s", file=sys.stderr, flush=True)


def _granian(options: ServeOptions) -> None:
    from mockserver._supervised_granian import serve_wsgi

    # Supervised: a worker that dies is replaced, in one line of log (docs/reliability.md).
    serve_wsgi(
        "mockserver.serving:worker_app",
        host=options.host,
        port=options.port,
        workers=options.workers,
        # A handful of threads per worker: the views never block for long, and more
        # threads only contend for the interpreter lock (docs/benchmarks.md).
        blocking_threads=BLOCKING_THREADS,
        kill_timeout=WORKERS_KILL_TIMEOUT,
        log_level="warning",
    )


def _gunicorn(options: ServeOptions) -> None:
    from gunicorn.app.base import BaseApplication

    from mockserver._supervised_gunicorn import SupervisedArbiter, abort_at_once
    from mockserver.faults import MAX_LATENCY_MS

    class _App(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{options.host}:{options.port}")
            self.cfg.set("workers", options.workers)
            self.cfg.set("worker_class", "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("worker_abort", abort_at_once)
            # A sync worker busy past gunicorn's timeout is aborted: leave room for the
            # longest latency fault, so the latency asked for is the latency delivered.
            self.cfg.set("timeout", MAX_LATENCY_MS // 1000 + 30)
            # A recent gunicorn opens a control socket in the user's home, one path for
            # every server: two statuskit servers would fight over it, and nothing uses it.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:  # gunicorn's stubs want a bare WSGI callable type
            return worker_app()

        def run(self) -> None:
            # The arbiter replaces a worker that dies; this one reports it in one line.
            SupervisedArbiter(self).run()

    arbiter = os.getpid()
    try:
        _App().run()
    except SystemExit as exc:
        if os.getpid() != arbiter:
            raise  # a worker leaving: its exit status is its word to the arbiter
        # The arbiter exits through sys.exit, 0 once it is stopped; anything else means it
        # gave up (a worker that could not boot).
        if exc.code:
            raise StatuskitError(
                f"gunicorn stopped (status {exc.code}): its workers could not be kept running"
                " (the lines above say why)"
            ) from None

"""Serving the proxy as ``statuskit serve`` serves the mock: granian's worker processes,
supervised, with the parent process in Python.

The parent checks the options, makes a private state directory and runs granian on
:func:`worker_app` (``mockserver._supervised_granian``: a worker that dies is replaced, in
one line). Each worker builds its own :class:`~statuskit.proxy.ProxyApp`; what must be
shared or survive the workers lives in the state directory:

* faults, counters and the journal: the mock's SQLite store (``state.db``), as in serve;
* findings: one file per worker (``findings/findings-<pid>.json``, ``_findings.py``),
  rewritten at most every ``FLUSH_INTERVAL`` seconds and when the worker stops; a report
  merges them all;
* the recording: each worker appends its scrubbed exchanges and resource sightings to its
  own files (``record/``, ``_parts.py``), scrubbed with one salt the parent made
  (``salt``, readable by this user only), so one real id is one placeholder in every
  worker. The salt is a random key of this run, never a credential.

On SIGINT or SIGTERM granian stops the workers (each closes its app, which writes what it
holds), and the parent merges: the report from the findings files, ``exchanges.jsonl`` and
``lifecycles.json`` from the recording's parts. Nothing secret is written to the state
directory (the options carry no credential; the recording's parts are scrubbed), and it is
removed once the parent is done.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from multiprocessing.util import Finalize
from pathlib import Path

from statuskit.errors import StatuskitError
from statuskit.proxy._app import ProxyApp
from statuskit.proxy._options import ProxyOptions

__all__ = [
    "BLOCKING_THREADS",
    "WORKERS_KILL_TIMEOUT",
    "State",
    "prepared",
    "serve",
    "wait_serving",
    "worker_app",
]

#: Python threads running the app in each worker: more than ``statuskit serve``'s 4, since
#: each spends most of its time waiting on the upstream (``docs/benchmarks.md``).
BLOCKING_THREADS = 8
#: Seconds granian waits for a worker to finish its in-flight requests at shutdown.
WORKERS_KILL_TIMEOUT = 5
#: Carries the (credential-free) options and the state directory to the workers.
_ENV = "STATUSKIT_PROXY_OPTIONS"
_SALT_BYTES = 16


@dataclass(frozen=True)
class State:
    """The state directory the parent and its workers share, and what is in it."""

    root: Path

    @property
    def store(self) -> str:
        """The mock's SQLite store: faults, counters, journal."""
        return str(self.root / "state.db")

    @property
    def findings(self) -> str:
        """Each worker's findings file."""
        return str(self.root / "findings")

    @property
    def parts(self) -> str:
        """Each worker's part of the recording."""
        return str(self.root / "record")

    @property
    def salt_file(self) -> Path:
        """The scrubber's key for this run (never a credential)."""
        return self.root / "salt"

    def salt(self) -> bytes:
        """The scrubber's key, as the parent wrote it."""
        return bytes.fromhex(self.salt_file.read_text(encoding="ascii").strip())


@contextlib.contextmanager
def prepared(options: ProxyOptions) -> Iterator[State]:
    """A fresh state directory for ``options`` (removed afterwards), with the store's
    tables made and the salt written before any worker starts."""
    from mockserver.store import open_store

    root = Path(tempfile.mkdtemp(prefix="statuskit-proxy-"))
    owner = os.getpid()
    try:
        state = State(root)
        os.mkdir(state.findings)
        os.mkdir(state.parts)
        descriptor = os.open(state.salt_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(os.urandom(_SALT_BYTES).hex())
        open_store(state.store).close()
        os.environ[_ENV] = json.dumps({"options": asdict(options), "state": str(root)})
        yield state
    finally:
        os.environ.pop(_ENV, None)
        if os.getpid() == owner:  # a forked worker leaving never takes the others' state
            shutil.rmtree(root, ignore_errors=True)


class _NoInjectedDisconnects(logging.Filter):
    """Drops granian's traceback for a connection a ``reset`` or ``truncate`` fault dropped
    on purpose; any other failure is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        from mockserver._middleware import InjectedDisconnect

        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InjectedDisconnect)


def _header_lookalike(name: str) -> bool:
    return name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH")


def worker_app() -> ProxyApp:
    """The app factory each granian worker calls: the options and state from the parent.

    Granian copies the worker's environment into every request's WSGI environ, where a
    variable named like a request header (``HTTP_PROXY``, ``CONTENT_TYPE``) would pass for
    one the application sent (the "httpoxy" confusion): this worker's copies of those are
    dropped first, so the proxy never forwards one. The app is closed when the worker
    process ends (its findings written, its recording's files closed).
    """
    from statuskit.proxy import build_worker_app

    for name in [k for k in os.environ if _header_lookalike(k)]:
        del os.environ[name]
    given = json.loads(os.environ[_ENV])
    options = ProxyOptions(**given["options"])
    app = build_worker_app(options, State(Path(given["state"])))
    # On the handlers, which granian has configured in this worker by now: its runtime
    # logs through child loggers (``_granian.*``) that a filter on the logger would miss.
    for handler in logging.getLogger("_granian").handlers:
        handler.addFilter(_NoInjectedDisconnects())
    # multiprocessing runs its finalizers as a worker process ends, however it was started.
    Finalize(app, app.close, exitpriority=100)
    return app


def wait_serving(host: str, port: int, then: Callable[[], None], timeout: float = 120) -> None:
    """Call ``then`` once a worker answers on ``host:port``: the admin index, the proxy's
    own route, never forwarded (whatever it answers, a 401 included, a worker serves)."""
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(target.strip("[]"), port, timeout=5)
        try:
            connection.request("GET", "/__admin/v1/")
            connection.getresponse().read()
        except OSError:
            time.sleep(0.02)
            continue
        finally:
            connection.close()
        then()
        return


def serve(options: ProxyOptions, workers: int) -> None:
    """Serve on ``options.host:port`` with ``workers`` processes until SIGINT or SIGTERM
    (inside :func:`prepared`). Raises :class:`StatuskitError` if granian gives up."""
    from mockserver._supervised_granian import serve_wsgi

    if workers < 1:
        raise StatuskitError("--workers must be at least 1")
    serve_wsgi(
        "statuskit.proxy._serving:worker_app",
        host=options.host,
        port=options.port,
        workers=workers,
        blocking_threads=BLOCKING_THREADS,
        kill_timeout=WORKERS_KILL_TIMEOUT,
        log_level="error",
    )

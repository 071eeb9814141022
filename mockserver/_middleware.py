"""The bookkeeping middleware: the journal, near-miss hints and fault injection.

It sits between the path repair and the hot path, so the requests the hot path answers and
those Flask answers are journaled, hinted and faulted alike (``ARCHITECTURE.md``).
Requests to the admin API are journaled but never faulted; the journal's own routes and the
dashboard's reads are left out of it (``mockserver._journaled``).

With no fault configured it costs one control-row read per request (pinned, so the
request's clock readings reuse it) and one entry queued for this worker's journal, with the
answer's body: the mock's answers are whole in memory, so keeping it costs no copy.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map
from werkzeug.wsgi import LimitedStream

from mockserver._http import JSON
from mockserver._inputs import Reply, StartResponse
from mockserver._journaled import (
    JOURNAL_PREFIX,
    UI_HEADER,
    UI_PREFIX,
    Call,
    close,
    kept,
    noting,
    unjournaled,
)
from mockserver.faults import HEADER as FAULT_HEADER
from mockserver.faults import Fault, FaultError, Faults, parse_header
from mockserver.hints import HEADER as HINT_HEADER
from mockserver.hints import Miss, Routes, generic, header_value
from mockserver.journal import Journal
from mockserver.store import StoreUnavailable

if TYPE_CHECKING:
    from mockserver._mount import ApiMount
    from mockserver._state import MockState

__all__ = [
    "ADMIN_PREFIX",
    "JOURNAL_PREFIX",
    "RETRY_AFTER",
    "UI_HEADER",
    "UI_PREFIX",
    "Bookkeeper",
    "InjectedDisconnect",
    "unavailable_reply",
]

log = logging.getLogger("statuskit.mock")

ADMIN_PREFIX = "/__admin/"
ADMIN_API = "admin"
_FAULT_ENVIRON = "HTTP_" + FAULT_HEADER.upper().replace("-", "_")
#: How long a truncated answer waits after its first half, so the server sends that half
#: before the connection is dropped (granian sends asynchronously).
TRUNCATE_PAUSE = 0.1
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: [KIT] Seconds a client is asked to wait when the state store cannot be reached.
RETRY_AFTER = 1


class InjectedDisconnect(ConnectionAbortedError):
    """Raised inside a response on purpose, so the server drops the connection."""


def unavailable_reply(mount: ApiMount, state: MockState) -> Reply:
    """503 in ``mount``'s own error format: the state store cannot be reached just now."""
    reply = mount.http_error(state, 503, "the state store is unavailable; try again")
    return Reply(503, reply.body, {**reply.headers, "Retry-After": str(RETRY_AFTER)})


class Bookkeeper:
    """WSGI middleware that journals every request, hints 4xx answers and injects faults."""

    def __init__(
        self, app: WSGIApp, state: MockState, mounts: Sequence[ApiMount], url_map: Map
    ) -> None:
        self.app = app
        self.state = state
        self.mounts = {mount.name: mount for mount in mounts}
        self.routes = Routes(url_map, [(mount.name, mount.prefixes) for mount in mounts])
        self.faults = Faults(state.store)
        config = state.config
        directory = os.path.dirname(config.state_path) if config.state_path else None
        self.test_mode = config.test_mode
        #: Configured credential values, scrubbed from the journal wherever they appear.
        secrets = tuple(value for secret in config.secrets() if (value := secret.reveal()))
        self.journal = (
            Journal(
                directory,
                config.journal_limit,
                secrets,
                store=state.store,
                plain_apis=(ADMIN_API,),
            )
            if config.journal
            else None
        )

    @property
    def apis(self) -> list[str]:
        """The APIs faults may target (the admin API is never faulted)."""
        return [name for name, mount in self.mounts.items() if ADMIN_PREFIX not in mount.prefixes]

    # -- the request path -------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        _limit_body(environ)
        try:
            return self._route(environ, start_response)
        except StoreUnavailable as exc:
            # The control read, a fault's counter or the hot path lost the store: answer
            # at once in the owning API's format; the next request tries again.
            log.warning("statuskit mock: %s", exc)
            path = environ.get("PATH_INFO", "")
            owner = ADMIN_API if path.startswith(ADMIN_PREFIX) else self.routes.owner(path)
            return unavailable_reply(self.mounts[owner], self.state).wsgi(start_response)
        finally:
            _drain(environ, self.state.config.max_content_length)

    def _route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            if self.journal is None or unjournaled(path, environ):
                return self.app(environ, start_response)
            return self._serve(environ, start_response, ADMIN_API, None)
        api = self.routes.owner(path)
        control = self.state.control
        state = control.pin()
        try:
            picked = None
            if state.faults or (self.test_mode and _FAULT_ENVIRON in environ):
                try:
                    picked = self._pick(environ, api)
                except FaultError as exc:
                    return self._refuse(environ, start_response, api, f"{FAULT_HEADER}: {exc}")
            return self._serve(environ, start_response, api, picked)
        finally:
            control.unpin()

    def _pick(self, environ: dict[str, Any], api: str) -> tuple[Fault, int] | None:
        """The fault for this request, if one fires: the header's, else a configured one."""
        if self.test_mode:
            header = environ.get(_FAULT_ENVIRON)
            if header is not None:
                return Fault.parse(parse_header(header), apis=self.apis, header=True), 0
        landing = None
        for fault in self.faults.live(self.state.control.state()):
            if fault.api != api:
                continue
            if fault.needs_route:
                landing = landing or self.routes.landing(environ)
                if not fault.aims_at(landing.route, landing.resource):
                    continue
            fired, n = self.faults.count(fault)
            if fired:
                return fault, n
        return None

    def _serve(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        api: str,
        picked: tuple[Fault, int] | None,
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        real = time.time()
        at = self.state.clock()
        call = Call()
        try:
            if picked is None:
                return self._answer(environ, start_response, call)
            fault, n = picked
            call.fault = fault.id or "header"
            return self._inject(environ, start_response, call, fault, n)
        finally:
            if self.journal is not None:
                ms = round((time.perf_counter() - started) * 1000, 3)
                self.journal.record(
                    environ,
                    api=api,
                    at=at,
                    real=real,
                    status=call.status,
                    hint=call.hint,
                    fault=call.fault,
                    ms=ms,
                    headers=call.headers,
                    body=call.body,
                )

    def _refuse(
        self, environ: dict[str, Any], start_response: StartResponse, api: str, message: str
    ) -> Iterable[bytes]:
        """A bad fault header: 400 in the admin API's format, since the header is the kit's."""
        reply: Reply = self.state.api(ADMIN_API).error(400, message)
        call = Call()
        answered = reply.wsgi(noting(call, start_response))
        if self.journal is not None:
            self.journal.record(
                environ,
                api=api,
                at=self.state.clock(),
                real=time.time(),
                status=400,
                hint=message,
                headers=call.headers,
                body=reply.body or b"",
            )
        return answered

    # -- answers, with a hint on a 4xx -------------------------------------------------

    def _answer(
        self, environ: dict[str, Any], start_response: StartResponse, call: Call
    ) -> Iterable[bytes]:
        held: list[tuple[str, list[tuple[str, str]], Any]] = []
        written: list[bytes] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            call.status = int(status[:3])
            call.headers = headers
            if 400 <= call.status < 500 and exc_info is None:
                # Held back until the body is known, so the hint can go in a header.
                held[:] = [(status, headers, exc_info)]
                return written.append
            held.clear()
            return start_response(status, headers, exc_info)

        result = self.app(environ, respond)
        if not held:
            return kept(result, call) if self.journal is not None else result
        try:
            body = b"".join([*written, *result])
        finally:
            close(result)
        status, headers, exc_info = held[0]
        call.hint = self._hint(environ, call.status or 400, body)
        if call.hint:
            headers = [*headers, (HINT_HEADER, header_value(call.hint))]
        call.headers, call.body = headers, body
        start_response(status, headers, exc_info)
        return [body]

    def _hint(self, environ: dict[str, Any], status: int, body: bytes) -> str | None:
        try:
            miss = Miss(environ, status, body, self.routes.landing(environ))
            hint = generic(self.routes, miss)
            mount = self.mounts.get(miss.landing.api)
            if hint is None and mount is not None and mount.hint is not None:
                hint = mount.hint(self.state.api(mount.name), miss)
            return hint
        except Exception:
            # A hint is a courtesy: it must never break the answer it annotates.
            log.debug("statuskit: no hint", exc_info=True)
            return None

    # -- faults ------------------------------------------------------------------------

    def _inject(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        call: Call,
        fault: Fault,
        n: int,
    ) -> Iterable[bytes]:
        kind = fault.kind
        if kind == "latency":
            time.sleep(fault.latency(n) / 1000)
            return self._answer(environ, start_response, call)
        if kind in ("status", "rate-limit"):
            status = fault.status if kind == "status" and fault.status else 429
            mount = self.mounts[self.routes.owner(environ.get("PATH_INFO", ""))]
            reply = mount.http_error(self.state, status, "")
            headers = dict(reply.headers)
            if kind == "rate-limit":
                headers["Retry-After"] = str(fault.retry_after)
            call.body = reply.body or b""
            return Reply(status, reply.body, headers).wsgi(noting(call, start_response))
        if kind == "reset":
            # The request is not processed: nothing changes, and nothing is answered (the
            # journal's response stays empty).
            start_response("200 OK", [("Content-Length", "1")])
            return _dropped(b"")
        line, answered, body = self._capture(environ)
        call.status = int(line[:3])
        if kind == "malformed":
            # A prefix of a JSON document is never one: it is cut before its end.
            broken = body[: len(body) // 2] if len(body) >= 2 else b'{"'
            call.status, call.body = 200, broken
            call.headers = [("Content-Type", JSON), ("Content-Length", str(len(broken)))]
            start_response("200 OK", call.headers)
            return [broken]
        kept = [(k, v) for k, v in answered if k.lower() != "content-length"]
        # The journal keeps the answer as meant: a truncated one's client got half of it, a
        # dribbled one's got it slowly (or not at all, if it gave up).
        call.headers, call.body = [*kept, ("Content-Length", str(len(body)))], body
        start_response(line, call.headers)
        if kind == "truncate":
            return _dropped(body[: len(body) // 2])
        return _dribbled(body, fault.chunk_bytes or 1, (fault.delay_ms or 0) / 1000)

    def _capture(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run the request normally and keep its whole answer."""
        seen: list[tuple[str, list[tuple[str, str]]]] = []
        written: list[bytes] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen[:] = [(status, list(headers))]
            return written.append

        result = self.app(environ, respond)
        try:
            body = b"".join([*written, *result])
        finally:
            close(result)
        status, headers = seen[0]
        return status, headers, body


def _limit_body(environ: dict[str, Any]) -> None:
    """Let the body be read only up to its ``Content-Length``.

    A server that hands over the raw socket (Werkzeug's) never ends the stream, so what the
    views read and :func:`_drain` reads after them must stop at the declared length, or the
    drain waits for bytes the client will never send.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    stream = environ.get("wsgi.input")
    if stream is not None and length > 0 and not isinstance(stream, LimitedStream):
        environ["wsgi.input"] = LimitedStream(stream, length)


def _drain(environ: dict[str, Any], limit: int) -> None:
    """Read whatever of the request body the answer did not need.

    A request refused before its body was read (an upload without its touchpoint) would
    otherwise leave the body on the connection. Granian then closes the connection after
    the answer without saying so (no ``Connection: close``), and the client's next request
    on it is lost (the soak found this: ``docs/reliability.md``). A body over ``limit`` is
    refused (413) and not read.
    """
    try:
        left = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    stream = environ.get("wsgi.input")
    if stream is None or not 0 < left <= limit:
        return
    while left > 0:
        chunk = stream.read(min(left, 1 << 16))
        if not chunk:
            break
        left -= len(chunk)


def _dropped(first: bytes) -> Iterator[bytes]:
    """Send ``first``, then abort: the server closes the connection mid-answer."""
    if first:
        yield first
        time.sleep(TRUNCATE_PAUSE)
    # An OSError: gunicorn takes it for a lost connection and closes it without the 500 it
    # would send for another exception; granian aborts the connection on any.
    raise InjectedDisconnect("statuskit fault: connection dropped on purpose")


def _dribbled(body: bytes, size: int, delay: float) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        if start:
            time.sleep(delay)
        yield body[start : start + size]

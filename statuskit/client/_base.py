"""The sans-IO core the two clients and their sync and async twins share.

Every operation is a *flow* (see ``_flow.py``): a generator that yields effects and
receives what sending returned. The flow holds all the logic: building
requests, logging in lazily and again on an expired session, retrying, classifying errors,
parsing and reading bodies. A driver (``_drivers.py``) only performs the effects, with a
blocking or an async httpx client, so the twins cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, ClassVar, NoReturn, TypedDict, TypeVar, cast

import httpx

from statuskit.client._flow import Call, Flow, Outcome, Send, Sleep
from statuskit.client._reader import Model, read, read_array
from statuskit.client._redact import redact_text, request_line, safe_request, safe_response
from statuskit.client.retry import RetryEvent, RetryPolicy, parse_retry_after
from statuskit.errors import (
    AuthenticationError,
    ClientError,
    ContractViolation,
    InvalidArgumentError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ResponseError,
    ServerError,
    StatuskitError,
    TransportError,
)
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.secrets import Secret
from statuskit.wire import cookie_header

__all__ = ["Core", "CoreOptions", "session_cookies"]

M = TypeVar("M", bound=Model)

LOG = logging.getLogger("statuskit.client")

# The failures after which a retry may follow: the request never reached the server, or
# its answer was lost on the way back.
_RETRYABLE_TRANSPORT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.RemoteProtocolError,
)


class CoreOptions(TypedDict, total=False):
    """Options every client takes, sync or async."""

    #: Validate every body against its strict schema; raise ContractViolation on a finding.
    strict: bool
    #: When and how long to retry idempotent GETs (default: ``RetryPolicy()``).
    retry: RetryPolicy
    #: Called with each :class:`~statuskit.client.retry.RetryEvent` before its wait.
    on_retry: Callable[[RetryEvent], None] | None
    #: A monotonic clock in seconds, for retry budgets, waits and token ages.
    clock: Callable[[], float]
    #: The schemas to read against (default: the kit's own).
    registry: SchemaRegistry


def session_cookies(response: httpx.Response) -> str | None:
    """The ``Cookie`` header value that sends back every cookie ``response`` sets
    (:func:`statuskit.wire.cookie_header`: no cookie jar, whose ``Path`` and ``Secure``
    rules would never send Tealium's back)."""
    return cookie_header(response.headers.get_list("set-cookie"))


def _decorate(exc: StatuskitError, response: httpx.Response) -> None:
    exc.message = f"{request_line(response.request)}: {exc.message}"
    exc.args = (exc.message,)
    exc.response = safe_response(response)
    exc.request = exc.response.request


class Core(ABC):
    """The state and flows of one API client, with no I/O of its own."""

    api: ClassVar[str]
    #: The name of each error body's schema, checked in strict mode.
    error_schema: ClassVar[str] = "error"

    def __init__(self, base_url: str, options: CoreOptions) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise InvalidArgumentError(
                f"base_url must be an absolute http(s) URL, not {redact_text(base_url)!r}"
            )
        self.base_url = str(url.copy_with(query=None, fragment=None)).rstrip("/")
        self.strict = options.get("strict", False)
        self.retry = options.get("retry") or RetryPolicy()
        self.on_retry = options.get("on_retry")
        self.clock: Callable[[], float] = options.get("clock") or time.monotonic
        self.registry = options.get("registry") or default_registry()

    # -- what each API defines ----------------------------------------------------------

    @abstractmethod
    def authorize(self, call: Call) -> tuple[dict[str, str], dict[str, str]]:
        """The query parameters and headers ``call`` needs, credentials included."""

    @abstractmethod
    def needs_login(self) -> bool:
        """Whether an authenticated call must log in first."""

    @abstractmethod
    def can_relogin(self, error: AuthenticationError) -> bool:
        """Whether logging in again may cure ``error``."""

    @abstractmethod
    def login(self) -> Flow[None]:
        """Log in (or fetch a token) and keep the session."""

    @abstractmethod
    def error_for(
        self, call: Call, request: httpx.Request, response: httpx.Response, body: Any
    ) -> ResponseError:
        """The error for an error status; ``body`` is the parsed JSON or ``None``."""

    # -- requests -----------------------------------------------------------------------

    def build(self, call: Call) -> httpx.Request:
        params, headers = self.authorize(call)
        params.update(call.params)
        headers.update(call.headers)
        return httpx.Request(
            call.method,
            self.base_url + call.path,
            params=params,
            headers=headers,
            data=call.data,
            json=call.json,
            files=call.files,
        )

    def send(self, call: Call) -> Flow[httpx.Response]:
        """Send ``call``: log in first if needed, log in again once on an expired session,
        retry what the policy allows, and return a 2xx response or raise."""
        may_login = call.authenticated and call.relogin
        if may_login and self.needs_login():
            yield from self.login()
        relogged, attempt, started = False, 1, self.clock()
        while True:
            request = self.build(call)
            outcome = yield Send(request)
            if outcome is None:  # pragma: no cover - a driver bug
                raise RuntimeError("the driver answered a Send with nothing")
            if LOG.isEnabledFor(logging.DEBUG):
                result = getattr(outcome, "status_code", type(outcome).__name__)
                LOG.debug("%s -> %s", request_line(request), result)
            error = self.check(call, request, outcome)
            if error is None:
                return cast(httpx.Response, outcome)
            if (
                isinstance(error, AuthenticationError)
                and may_login
                and not relogged
                and self.can_relogin(error)
            ):
                relogged = True
                LOG.info("%s: the session was refused; logging in again", request_line(request))
                yield from self.login()
                continue
            retry_after = None
            if isinstance(outcome, httpx.Response):
                retry_after = parse_retry_after(outcome.headers.get("retry-after"))
            delay = None
            if call.idempotent:
                elapsed = self.clock() - started
                delay = self.retry.delay(
                    error, attempt=attempt, elapsed=elapsed, retry_after=retry_after
                )
            if delay is None:
                self._give_up(error, attempt)
            reason = getattr(error, "status_code", None) or type(outcome).__name__
            event = RetryEvent(
                request=request_line(request),
                reason=str(reason),
                attempt=attempt,
                max_attempts=self.retry.max_attempts,
                delay=delay,
                error=error,
            )
            LOG.warning("%s", event)
            if self.on_retry is not None:
                self.on_retry(event)
            yield Sleep(delay)
            attempt += 1

    @staticmethod
    def _give_up(error: ClientError, attempt: int) -> NoReturn:
        if attempt > 1:
            error.message = f"{error.message} (gave up after {attempt} attempts)"
            error.args = (error.message,)
        raise error

    # -- answers ------------------------------------------------------------------------

    @staticmethod
    def generic_error(
        what: str,
        response: httpx.Response,
        *,
        not_found: str,
        errors: Mapping[str, Any] | None = None,
        return_code: int | None = None,
        server_message: str | None = None,
    ) -> ResponseError:
        """The error for a 404, 429, 5xx or other 4xx, which both APIs treat alike.

        ``what`` starts the message (request line and status); ``not_found`` is the advice
        for a 404.
        """
        status = response.status_code

        def make(cls: type[ResponseError], message: str) -> ResponseError:
            return cls(
                f"{what} {message}",
                status_code=status,
                errors=errors,
                return_code=return_code,
                server_message=server_message,
            )

        if status == 404:
            return make(NotFoundError, f"not found; {not_found}")
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            asked = "" if retry_after is None else f" (Retry-After: {retry_after:g}s)"
            return RateLimitedError(
                f"{what} rate limited{asked}; slow down, or give RetryPolicy more time",
                status_code=status,
                retry_after=retry_after,
                errors=errors,
                return_code=return_code,
                server_message=server_message,
            )
        if status >= 500:
            return make(
                ServerError, "server error; retry later, or report it to the API's operators"
            )
        return make(InvalidRequestError, "request refused; fix what the server names")

    def check(self, call: Call, request: httpx.Request, outcome: Outcome) -> ClientError | None:
        """``None`` for a 2xx answer, else the error it stands for."""
        if isinstance(outcome, httpx.RequestError):
            return self._transport_error(request, outcome)
        status = outcome.status_code
        if 200 <= status < 300:
            return None
        safe = safe_response(outcome, keep_body=not call.secret_body)
        if status < 400:
            return MalformedResponseError(
                f"{request_line(request)}: unexpected {status} {outcome.reason_phrase}; "
                "check base_url (a redirect or proxy answered, not the API)",
                request=safe.request,
                response=safe,
            )
        body = self._error_body(outcome)
        if self.strict and body is not None:
            findings = self.registry.validate(self.api, self.error_schema, body, strict=True)
            if findings:
                raise ContractViolation(
                    f"{request_line(request)}: {status} error body breaks {self.api}/"
                    f"{self.error_schema} (strict): {findings[0]}",
                    findings=findings,
                    request=safe.request,
                    response=safe,
                )
        error = self.error_for(call, request, outcome, body)
        error.request, error.response = safe.request, safe
        return error

    @staticmethod
    def _error_body(response: httpx.Response) -> Any:
        try:
            return json.loads(response.content) if response.content else None
        except ValueError:
            return None

    def _transport_error(self, request: httpx.Request, exc: httpx.RequestError) -> ClientError:
        what = redact_text(str(exc)) or type(exc).__name__
        safe = safe_request(request)
        if isinstance(exc, httpx.DecodingError):
            return MalformedResponseError(
                f"{request_line(request)}: the body could not be decoded ({what}); "
                "check the server's Content-Encoding",
                request=safe,
            )
        if isinstance(exc, httpx.TimeoutException):
            advice = "raise timeout= or retry later"
        elif isinstance(exc, httpx.ConnectError):
            advice = f"check that the server at {self.base_url} is up and reachable"
        else:
            advice = "retry later, or check the network between here and the server"
        error = TransportError(
            f"{request_line(request)}: {type(exc).__name__}: {what}; {advice}",
            retryable=isinstance(exc, _RETRYABLE_TRANSPORT),
            request=safe,
        )
        error.__cause__ = exc
        return error

    def parse(self, response: httpx.Response, *, secret: bool = False) -> Any:
        """The JSON body of a 2xx answer; :class:`MalformedResponseError` when it is empty,
        truncated or not JSON. Messages never quote the body."""
        request, content = response.request, response.content
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) != len(content)
            and "content-encoding" not in response.headers
        ):
            problem = f"truncated: {len(content)} of {declared} bytes arrived"
        elif not content:
            problem = "empty"
        else:
            try:
                return json.loads(content)
            except json.JSONDecodeError as exc:
                problem = f"not JSON ({exc.msg} at position {exc.pos} of {len(content)} bytes)"
            except ValueError as exc:  # bytes that are not UTF-8, -16 or -32
                problem = f"not JSON ({type(exc).__name__}, {len(content)} bytes)"
        raise MalformedResponseError(
            f"{request_line(request)}: {response.status_code} body is {problem}; "
            "check base_url, or retry if the connection broke",
            request=safe_request(request),
            response=safe_response(response, keep_body=not secret),
        )

    def record(self, cls: type[M], response: httpx.Response) -> M:
        """Read a 2xx answer's body into ``cls`` (strictly, in strict mode)."""
        data = self.parse(response)
        try:
            return read(cls, data, strict=self.strict, registry=self.registry)
        except (ContractViolation, MalformedResponseError) as exc:
            _decorate(exc, response)
            raise

    def records(self, cls: type[M], schema: str, response: httpx.Response) -> tuple[M, ...]:
        """Read a 2xx answer's array body (schema ``schema``) into a tuple of ``cls``."""
        data = self.parse(response)
        try:
            return read_array(
                cls, data, (self.api, schema, ""), strict=self.strict, registry=self.registry
            )
        except (ContractViolation, MalformedResponseError) as exc:
            _decorate(exc, response)
            raise

    def secret_field(self, schema: str, key: str, response: httpx.Response) -> Secret:
        """The credential at ``key`` of a login or auth answer, checked against ``schema``.

        Findings never quote a secret value (the schemas mark them ``x-secret``), and the
        body is never kept on the error.
        """
        request, data = response.request, self.parse(response, secret=True)
        findings = [
            # jsonschema's messages may quote the instance, here a credential: drop them.
            replace(f, message=f"violates {f.keyword!r}")
            for f in self.registry.validate(self.api, schema, data, strict=self.strict)
        ]
        if findings:
            kind = ContractViolation if self.strict else MalformedResponseError
            raise kind(
                f"{request_line(request)}: {self.api}/{schema}: {findings[0]}; "
                "the login answer lacks its credential (check base_url and the API version)",
                findings=findings,
                request=safe_request(request),
                response=safe_response(response, keep_body=False),
            )
        return Secret(data[key])

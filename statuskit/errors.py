"""Every exception statuskit raises, in one tree.

Usage errors also subclass the builtin a Python programmer would reach for, and contract
failures subclass :class:`AssertionError`, so pytest reports them as test failures rather
than as errors::

    StatuskitError
     ├── UnknownSchemaError (LookupError)    no schema of that API and name
     ├── SchemaLoadError (ValueError)        the schemas or fixtures folder is missing or broken
     ├── ConfigError (ValueError)            a setting, option or config file is wrong
     ├── ContractViolation (AssertionError)  an instance broke its schema
     │    └── KitDecisionDiffers               only where a kit decision governs
     ├── GuardrailError                      a contract run refused to send a request
     ├── DriftError                          ``statuskit drift`` could not measure the target
     │    ├── TargetUnreachableError (ConnectionError)  no connection, a timeout, a broken one
     │    ├── TargetAuthError                     the target refused the login or the token
     │    └── TargetTlsError                      the TLS handshake or certificate check failed
     └── ClientError                         the reference client (statuskit.client) failed
          ├── InvalidArgumentError (ValueError)  a call's argument is wrong; nothing was sent
          ├── ResponseError                      the server answered with an error status
          │    ├── AuthenticationError            401; Thalamus 400 ``token`` codes
          │    ├── TouchpointError                Thalamus 400 ``partnerDataSource`` codes
          │    ├── NotFoundError                  404
          │    ├── InvalidRequestError            any other 4xx; ``errors`` or ``return_code``
          │    ├── RateLimitedError               429; ``retry_after``
          │    └── ServerError                    5xx
          ├── TransportError                     no answer: connect, read or timeout (httpx's)
          ├── MalformedResponseError (ValueError) body not JSON, truncated, or not the record
          └── WaitTimeoutError (TimeoutError)    a wait ran out of time; ``last`` state seen

Client errors say in one line what went wrong and what to do. Their ``request`` and
``response`` are copies with every credential masked (``utk`` and ``token`` query values,
the ``Authorization``, ``Cookie``, ``Set-Cookie`` and ``Thalamus-Token`` headers), and no
message ever quotes a credential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statuskit.findings import Finding

__all__ = [
    "AuthenticationError",
    "ClientError",
    "ConfigError",
    "ContractViolation",
    "DriftError",
    "GuardrailError",
    "InvalidArgumentError",
    "InvalidRequestError",
    "KitDecisionDiffers",
    "MalformedResponseError",
    "NotFoundError",
    "RateLimitedError",
    "ResponseError",
    "SchemaLoadError",
    "ServerError",
    "StatuskitError",
    "TargetAuthError",
    "TargetTlsError",
    "TargetUnreachableError",
    "TouchpointError",
    "TransportError",
    "UnknownSchemaError",
    "WaitTimeoutError",
]


class StatuskitError(Exception):
    """The root of every error statuskit raises.

    ``request`` and ``response`` are keyword-only and optional: errors raised while talking
    to a server carry the exchange that caused them, as httpx's errors do.
    """

    def __init__(self, message: str, *, request: Any = None, response: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.response = response

    def __str__(self) -> str:
        return self.message


class UnknownSchemaError(StatuskitError, LookupError):
    """No schema is registered under that API and name."""


class SchemaLoadError(StatuskitError, ValueError):
    """The schemas or fixtures could not be found or are not valid."""


class ConfigError(StatuskitError, ValueError):
    """A setting, command-line option or config file is wrong."""


class ContractViolation(StatuskitError, AssertionError):
    """An instance does not conform to its schema.

    ``findings`` lists every violation, each with its JSON path and schema path.
    """

    def __init__(
        self,
        message: str,
        *,
        findings: Sequence[Finding] = (),
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.findings = tuple(findings)

    @property
    def path(self) -> str | None:
        """The JSON path of the first violation (``$.owner.entityType``), if any."""
        return self.findings[0].path if self.findings else None

    @property
    def schema_path(self) -> str | None:
        """The schema path (a JSON pointer) of the first violation, if any."""
        return self.findings[0].schema_path if self.findings else None


class DriftError(StatuskitError):
    """``statuskit drift`` could not measure the target, so it found nothing either way.

    ``reason`` names which failure it was (``unreachable``, ``authentication failed``,
    ``TLS error``); the message starts with it, so the one line the command prints says so.
    The command exits 2 on these.
    """

    reason = "cannot measure"

    def __init__(self, message: str, *, request: Any = None, response: Any = None) -> None:
        super().__init__(f"{self.reason}: {message}", request=request, response=response)


class TargetUnreachableError(DriftError, ConnectionError):
    """No answer: the connection was refused, timed out or broke (or the name did not
    resolve)."""

    reason = "unreachable"


class TargetAuthError(DriftError):
    """The target refused the credentials from the environment (its login or token
    endpoint did not answer with a session)."""

    reason = "authentication failed"


class TargetTlsError(DriftError):
    """The TLS handshake failed: a certificate that does not verify, or a server that does
    not speak TLS on that port."""

    reason = "TLS error"


class KitDecisionDiffers(ContractViolation):
    """A target answers differently from the kit only where the docs are silent: every
    finding lies under a kit decision (``x-kit-decision`` in the schemas, [KIT] in
    ``docs/wire.md``). Against a statuskit mock it is a failure like any other; against a
    live target the contract suites report it as "undocumented behaviour differs"."""


class GuardrailError(StatuskitError):
    """A contract run refused to send a request: a write to a live target without
    ``--contract-allow-writes``, or one over the request budget."""


class ClientError(StatuskitError):
    """The root of every error the reference client raises; catch it to catch them all.

    Contract violations found in strict mode stay :class:`ContractViolation`, so a test
    reports them as failures.
    """


class InvalidArgumentError(ClientError, ValueError):
    """A call's argument is wrong (a Tealium file name over 150 characters, a naive
    datetime, a missing credential); the client refused it before sending anything."""


class ResponseError(ClientError):
    """The server answered with an error status.

    ``status_code`` is the HTTP status. Thalamus errors carry the parsed ``errors`` map
    (``{"token": "InvalidToken"}``); Tealium errors carry ``return_code`` and
    ``server_message``. Whichever the body did not carry is empty or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: Mapping[str, Any] | None = None,
        return_code: int | None = None,
        server_message: str | None = None,
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.status_code = status_code
        self.errors: Mapping[str, Any] = dict(errors or {})
        self.return_code = return_code
        self.server_message = server_message


class AuthenticationError(ResponseError):
    """The credentials or the session were refused: a 401 (Thalamus: no or expired session,
    or a wrong login; Tealium: 1401, 1402 or 1469), or Thalamus's 400 ``token`` codes."""


class TouchpointError(ResponseError):
    """Thalamus refused the touchpoint: a 400 with ``partnerDataSource`` codes."""


class NotFoundError(ResponseError):
    """A 404: no such import, file or route."""


class InvalidRequestError(ResponseError):
    """Any other 4xx: the server refused the request as malformed (a bad id, filter, date or
    upload). ``errors`` or ``return_code``/``server_message`` say which part."""


class RateLimitedError(ResponseError):
    """A 429 the retries did not outlast. ``retry_after`` is the server's ``Retry-After``
    in seconds, or ``None`` when it sent none."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 429,
        retry_after: float | None = None,
        errors: Mapping[str, Any] | None = None,
        return_code: int | None = None,
        server_message: str | None = None,
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            errors=errors,
            return_code=return_code,
            server_message=server_message,
            request=request,
            response=response,
        )
        self.retry_after = retry_after


class ServerError(ResponseError):
    """A 5xx: the server failed (after any retries the policy allows)."""


class TransportError(ClientError):
    """No usable answer arrived: the connection failed, timed out or broke mid-body.

    The httpx exception is the ``__cause__``. ``retryable`` says whether it was a connect
    or read failure, the only kinds a retry may follow.
    """

    def __init__(
        self, message: str, *, retryable: bool = False, request: Any = None, response: Any = None
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.retryable = retryable


class MalformedResponseError(ClientError, ValueError):
    """The answer is unusable: the body is not JSON, is truncated, or lacks what the record
    needs (a required key, a type). ``findings`` locate the problem, as in
    :class:`ContractViolation`."""

    def __init__(
        self,
        message: str,
        *,
        findings: Sequence[Finding] = (),
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.findings = tuple(findings)


class WaitTimeoutError(ClientError, TimeoutError):
    """A wait for completion ran out of time; ``last`` is the last record seen (or ``None``
    when no poll finished) and ``elapsed`` the seconds waited."""

    def __init__(
        self,
        message: str,
        *,
        last: Any = None,
        elapsed: float = 0.0,
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.last = last
        self.elapsed = elapsed

"""What the contract suites check about one answer.

* :func:`check_answer`: the status is one of the operation's documented statuses, never a
  5xx, and the body validates strictly against that status's schema. A body that differs
  only where a kit decision governs raises :class:`~statuskit.errors.KitDecisionDiffers`.
* :func:`client_agrees`: the reference client, given the very same answer, returns the
  right result or raises the right typed error (:func:`expected_error` is the oracle,
  written from ``statuskit.errors``' contract, not from the client's code).
* :func:`kit_located`: whether a finding lies under a kit decision in the schemas.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from statuskit.catalogue import Operation
from statuskit.errors import (
    AuthenticationError,
    ClientError,
    ContractViolation,
    InvalidRequestError,
    KitDecisionDiffers,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TouchpointError,
)
from statuskit.findings import Finding
from statuskit.registry import SchemaRegistry, default_registry

__all__ = [
    "REPLAYABLE",
    "body_of",
    "check_answer",
    "client_agrees",
    "expected_error",
    "kit_located",
]

# Headers that describe the bytes on the wire, not the decoded content a replay carries.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def body_of(response: httpx.Response) -> Any:
    """The parsed JSON body, or ``None`` when there is none or it is not JSON."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def kit_located(registry: SchemaRegistry, api: str, name: str, finding: Finding) -> bool:
    """Whether ``finding`` lies under a kit decision: on its schema path, the deepest
    schema that states its provenance (``x-source``) carries ``x-kit-decision``."""
    resolved = registry.registry.resolver().lookup(registry.uri(api, name, strict=True))
    node, resolver = resolved.contents, resolved.resolver
    decided = bool(node.get("x-kit-decision"))
    parts = [_unescape(p) for p in finding.schema_path.strip("/").split("/") if p]
    for part in parts:
        # A $ref'd schema continues where the path goes on.
        while isinstance(node, dict) and part not in node and "$ref" in node:
            target = resolver.lookup(node["$ref"])
            node, resolver = target.contents, target.resolver
            decided = _decides(node, decided)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            break
        decided = _decides(node, decided)
    return decided


def _decides(node: Any, current: bool) -> bool:
    if isinstance(node, dict) and "x-source" in node:
        return bool(node.get("x-kit-decision"))
    return current


def _violation(
    message: str, findings: Sequence[Finding], *, kit: bool, response: httpx.Response
) -> ContractViolation:
    cls = KitDecisionDiffers if kit else ContractViolation
    return cls(message, findings=findings, request=response.request)


def check_answer(
    op: Operation, response: httpx.Response, *, registry: SchemaRegistry | None = None
) -> Any:
    """Check one answer to ``op``; return its parsed body (``None`` without one).

    Raises :class:`~statuskit.errors.ContractViolation` for a 5xx, an undocumented status or
    a body that breaks its strict schema, and its subclass
    :class:`~statuskit.errors.KitDecisionDiffers` when only kit decisions are broken.
    Messages name the operation and status, never a credential.
    """
    reg = registry or default_registry()
    status = response.status_code
    if status >= 500:
        raise ContractViolation(f"{op}: answered {status}; a documented request never gets a 5xx")
    spec = op.body(status)
    if spec is None:
        documented = ", ".join(map(str, sorted(op.statuses)))
        raise ContractViolation(f"{op}: answered {status}; documented statuses: {documented}")
    if spec.schema is None:
        return body_of(response)
    body = body_of(response)
    if body is None:
        raise _violation(
            f"{op}: the {status} body is not JSON ({len(response.content)} bytes)",
            (),
            kit=spec.kit,
            response=response,
        )
    findings = reg.validate(op.api, spec.schema, body, strict=True)
    if findings:
        kit = spec.kit or all(kit_located(reg, op.api, spec.schema, f) for f in findings)
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        where = "only where kit decisions govern: " if kit else ""
        raise _violation(
            f"{op}: the {status} body breaks {op.api}/{spec.schema} (strict), "
            f"{where}{findings[0]}{more}",
            findings,
            kit=kit,
            response=response,
        )
    return body


def expected_error(api: str, status: int, body: Any) -> type[ClientError] | None:
    """The typed error a reference client must raise for an answer (``None``: a result).

    From ``statuskit.errors``: 401 and Thalamus's 400 ``token`` codes are authentication
    errors, Thalamus's 400 ``partnerDataSource`` codes touchpoint errors, then 404, 429 and
    5xx by status, any other 4xx an invalid request, anything else not 2xx malformed.
    """
    if 200 <= status < 300:
        return None
    if status == 401:
        return AuthenticationError
    if api == "thalamus" and status == 400 and isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict) and "partnerDataSource" in errors:
            return TouchpointError
        if isinstance(errors, dict) and "token" in errors:
            return AuthenticationError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return InvalidRequestError
    return MalformedResponseError


def _replayer(response: httpx.Response, login_paths: frozenset[str]) -> httpx.MockTransport:
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    content = response.content

    def answer(request: httpx.Request) -> httpx.Response:
        # The client logs in before a call that needs a session: a canned login lets it
        # reach the call, whose answer is the recorded one.
        if request.url.path in login_paths:
            cookie = [("Set-Cookie", "JSESSIONID=replay; Path=/")]
            body = {"utk": "replay"} if request.url.path == "/v1/login" else {"token": "replay"}
            return httpx.Response(200, json=body, headers=cookie)
        return httpx.Response(response.status_code, headers=headers, content=content)

    return httpx.MockTransport(answer)


def _replay(op: Operation, response: httpx.Response) -> Any:
    from statuskit.client import RetryPolicy, TealiumClient, ThalamusClient

    once = RetryPolicy(max_attempts=1)
    base = "http://replay.statuskit.invalid"
    if op.api == "thalamus":
        login = op.name == "login"
        replay = _replayer(response, frozenset())
        credentials: dict[str, Any] = {"principal": "replay", "password": "replay"} if login else {}
        with ThalamusClient(
            base, touchpoint="replay", token="replay", transport=replay, retry=once, **credentials
        ) as thalamus:
            if login:
                return thalamus.login()
            if op.name == "get-status":
                return thalamus.get_status(1)
            if op.name == "list-imports":
                return thalamus.list_imports()
            return thalamus.upload(b"replay", "replay", 25012)
    version = 2 if op.name == "auth" or response.request.url.path.startswith("/v2/") else 1
    logins = frozenset() if op.name in ("login", "auth") else frozenset({"/v1/login", "/v2/auth"})
    with TealiumClient(
        base,
        account="replay",
        profile="replay",
        username="replay",
        password="replay",
        api_key="replay",
        api_version=version,  # type: ignore[arg-type]
        transport=_replayer(response, logins),
        retry=once,
    ) as tealium:
        if op.name in ("login", "auth"):
            return tealium.login()
        if op.name == "count":
            return tealium.count("replay", "2020-01-01T00:00Z", "2020-01-02T00:00Z")
        if op.name == "search":
            return tealium.search("replay", "2020-01-01T00:00Z", "2020-01-02T00:00Z")
        return tealium.get_file_status("replay.csv")


#: The operations :func:`client_agrees` can replay (a logout sends nothing without a session).
REPLAYABLE = frozenset(
    {
        ("thalamus", "login"),
        ("thalamus", "get-status"),
        ("thalamus", "list-imports"),
        ("thalamus", "upload"),
        ("tealium", "login"),
        ("tealium", "auth"),
        ("tealium", "get-file-status"),
        ("tealium", "count"),
        ("tealium", "search"),
    }
)


def client_agrees(op: Operation, response: httpx.Response) -> None:
    """Replay ``response`` to a fresh reference client calling ``op``, and check that the
    client returns a result for a 2xx and raises :func:`expected_error`'s type otherwise,
    carrying the status and the error body's codes."""
    if (op.api, op.name) not in REPLAYABLE:
        raise ValueError(f"{op} cannot be replayed")
    status = response.status_code
    body = body_of(response)
    expected = expected_error(op.api, status, body)
    try:
        outcome = _replay(op, response)
    except ClientError as exc:
        outcome = exc
    if expected is None:
        if isinstance(outcome, ClientError):
            raise AssertionError(
                f"{op}: the reference client raised {type(outcome).__name__} for a {status}: "
                f"{outcome}"
            )
        return
    if not isinstance(outcome, expected):
        got = type(outcome).__name__ if isinstance(outcome, ClientError) else "a result"
        raise AssertionError(f"{op}: a {status} must be {expected.__name__}, the client gave {got}")
    status_code = getattr(outcome, "status_code", status)
    assert status_code == status, f"{op}: the error says {status_code}, the answer was {status}"
    if isinstance(body, dict) and isinstance(body.get("errors"), dict):
        assert dict(getattr(outcome, "errors", {})) == body["errors"], f"{op}: errors not kept"
    if isinstance(body, dict) and isinstance(body.get("returnCode"), int):
        assert getattr(outcome, "return_code", None) == body["returnCode"], f"{op}: code lost"

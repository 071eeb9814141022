"""Generated requests for one API, from its catalogue: valid ones, and ones with one defect.

A valid request sends every credential its operation's security asks for (each by one of
its documented placements), every required parameter, one placement of each either-or
parameter, some optional ones, values drawn from the parameters' schemas, and a body of the
operation's documented media type. An invalid one is the same with exactly one defect: a
credential missing, empty or wrong, a parameter dropped or holding a value no schema asked
for, or a body that is not what the operation takes. What the server may answer to either
is the catalogue's business (:class:`bench._soak_wire.Checker`), not this module's.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bench._soak_values import QUERY_INT_CAP, garbage, sample, schema_strategy, text
from bench._soak_wire import Op, Param
from statuskit._catalogue_names import schema_target
from statuskit.contracts.routing import segment_value
from statuskit.registry import SchemaRegistry
from statuskit.strategies import from_schema

__all__ = ["Built", "Pools", "build"]

_POOL = 60


@dataclass
class Built:
    """A request to send, and what it was made of."""

    method: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None
    #: Session schemes whose values this request sent as parameters (a logout ends them).
    spent: set[str] = field(default_factory=set)
    #: Session schemes this request authenticated with.
    sessions: set[str] = field(default_factory=set)

    def add_header(self, name: str, value: str) -> None:
        """Set a header (cookies go in :attr:`cookies`, sent as one header)."""
        self.headers[name] = value


class Pools:
    """Every value an API's requests draw from, drawn once from the schemas."""

    def __init__(self, registry: SchemaRegistry, api: str, ops: tuple[Op, ...], at: int) -> None:
        catalogue = registry.catalogue(api)
        self.schemes: dict[str, dict[str, Any]] = catalogue["securitySchemes"]
        self.values: dict[tuple[str, str, str], list[str]] = {}
        for op in ops:
            for p in op.params:
                cap = QUERY_INT_CAP if p.where == "query" else None
                drawn = sample(schema_strategy(api, p.schema, catalogue, cap=cap), _POOL, at)
                values = [text(v) for v in drawn]
                if p.where in ("header", "cookie"):
                    values = [v for v in values if _header_safe(v)] or ["soak"]
                self.values[op.id, p.where, p.name] = values
        self.garbage: list[str] = [
            g for g in sample(garbage(), _POOL * 2, at + 1) if g not in (".", "..")
        ]
        self.header_garbage: list[str] = [
            g for g in sample(garbage(True), _POOL, at + 2) if _header_safe(g)
        ]
        # The path values that stay on their route, filtered once: the contract suites'
        # rule, read from the same catalogue (statuskit/contracts/routing.py).
        self.path_values: dict[tuple[str, str], list[str]] = {}
        self.path_garbages: dict[tuple[str, str], list[str]] = {}
        for op in ops:
            for p in op.params:
                if p.where == "path":
                    reaches = segment_value(api, op.id, p.name, registry=registry)
                    drawn = self.values[op.id, p.where, p.name]
                    self.path_values[op.id, p.name] = [v for v in drawn if reaches(v)] or ["1"]
                    self.path_garbages[op.id, p.name] = [g for g in self.garbage if reaches(g)]
        self.bodies: dict[tuple[str, str], list[Any]] = {}
        #: The fields of a credentials body (one with an x-secret property), else empty.
        self.body_fields: dict[tuple[str, str], list[str]] = {}
        for op in ops:
            for media, schema in op.body.items():
                if isinstance(schema, str):
                    target = schema_target(api, schema)
                    self.bodies[op.id, media] = sample(from_schema(*target), _POOL, at + 3)
                    properties = registry.source(*target).get("properties", {})
                    secret = any(p.get("x-secret") for p in properties.values())
                    self.body_fields[op.id, media] = list(properties) if secret else []
        self.login_secret: dict[str, str] = {}
        for op in ops:
            ok = op.responses.get(200)
            if ok is not None:
                props = registry.source(*ok).get("properties", {})
                for name, prop in props.items():
                    if prop.get("x-secret"):
                        self.login_secret[op.id] = name

    def path_value(self, rng: random.Random, op: Op, p: Param) -> str:
        """A schema value of a path parameter that stays on this route."""
        return rng.choice(self.path_values[op.id, p.name])

    def path_garbage(self, rng: random.Random, op: Op, p: Param) -> str:
        """A path segment no schema asked for, that still reaches this route."""
        return rng.choice(self.path_garbages[op.id, p.name])


def _header_safe(value: str) -> bool:
    # HTTP/1.1 header values may not start or end with blanks; h11 refuses to send them.
    return bool(value) and value.isascii() and value.isprintable() and value == value.strip()


Credential = Callable[[str], Any]  # scheme id -> its valid value (a session may log in first)


def _apply(pools: Pools, built: Built, scheme_id: str, value: Any) -> None:
    scheme = pools.schemes[scheme_id]
    if scheme["type"] == "http" and scheme["scheme"] == "basic":
        user, password = value
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        built.add_header("Authorization", f"Basic {token}")
    elif scheme["type"] == "http":
        built.add_header("Authorization", f"Bearer {value}".strip())
    elif scheme["in"] == "query":
        built.params.append((scheme["name"], value))
    elif scheme["in"] == "header":
        built.add_header(scheme["name"], value)
    else:
        built.cookies[scheme["name"]] = value


def _security(
    rng: random.Random, pools: Pools, op: Op, built: Built, broken: int | None, valid: Credential
) -> bool:
    """Add the credentials; whether an optional one was left out (the body carries it)."""
    skipped = False
    for i, factor in enumerate(op.security):
        choices = [a for a in factor if a is not None]
        optional = len(choices) < len(factor)
        scheme_id = rng.choice(choices)
        scheme = pools.schemes[scheme_id]
        basic = scheme["type"] == "http" and scheme["scheme"] == "basic"
        if i != broken:
            if optional and rng.random() < 0.5:
                skipped = True
                continue
            built.sessions.add(scheme_id)
            _apply(pools, built, scheme_id, valid(scheme_id))
            continue
        mode = "wrong" if optional else rng.choice(("missing", "empty", "wrong"))
        if mode == "missing":
            continue
        wrong = rng.choice(pools.header_garbage) if mode == "wrong" else ""
        _apply(pools, built, scheme_id, (wrong, wrong) if basic else wrong)
    return skipped


def _session_scheme(pools: Pools, p: Param) -> str | None:
    """The session scheme a parameter carries (a logout's utk or cookie), if any."""
    for scheme_id, scheme in pools.schemes.items():
        if scheme.get("in") == p.where and scheme.get("name") == p.name:
            return scheme_id
    return None


def _params(
    rng: random.Random, pools: Pools, op: Op, built: Built, broken: Param | None, valid: Credential
) -> None:
    groups: dict[str, list[Param]] = {}
    for p in op.params:
        if p.either is not None and p.where != "path":
            groups.setdefault(p.either, []).append(p)
    chosen = {id(rng.choice(members)) for members in groups.values()}
    # A required parameter (or an either-or group) is dropped half the time it is the defect.
    drop = broken is not None and (broken.required or broken.either is not None)
    drop = drop and rng.random() < 0.5
    for p in op.params:
        if p.where == "path":
            continue
        hit = broken is not None and (
            p is broken or (broken.either is not None and p.either == broken.either)
        )
        # One placement of an either-or group; required ones; some optional ones.
        send = id(p) in chosen if p.either is not None else p.required or hit or rng.random() < 0.3
        if not send or (hit and drop):
            continue
        session = _session_scheme(pools, p)
        if hit:
            value = rng.choice(pools.garbage if p.where == "query" else pools.header_garbage)
        elif session is not None:
            value = str(valid(session))
            built.spent.add(session)
        else:
            value = rng.choice(pools.values[op.id, p.where, p.name])
        if p.where == "query":
            built.params.append((p.name, value))
        elif p.where == "header":
            built.add_header(p.name, value)
        else:
            built.cookies[p.name] = value


def _credential_body(schema_fields: list[str], creds: Any) -> dict[str, str]:
    body = {}
    for name in schema_fields:
        # The body names the v2 key "key"; the credentials call it api_key.
        value = getattr(creds, name, None) or getattr(creds, f"api_{name}")
        body[name] = value.reveal() if hasattr(value, "reveal") else str(value)
    return body


def _body(
    rng: random.Random, pools: Pools, op: Op, built: Built, broken: bool, needed: bool, creds: Any
) -> None:
    optional = not (op.body_required or broken or needed)
    if not op.body or (optional and rng.random() < 0.3):
        return
    media, schema = rng.choice(sorted(op.body.items()))
    if broken and rng.random() < 0.3:
        built.add_header("Content-Type", "text/plain")
        built.content = rng.choice(pools.garbage).encode()
        return
    if isinstance(schema, dict):  # multipart: every binary property is a file
        files = {
            name: (
                f"soak-{rng.randrange(10**6)}.xlsx",
                rng.randbytes(rng.randrange(1, 512)),
                "application/octet-stream",
            )
            for name, prop in schema.get("properties", {}).items()
            if "contentMediaType" in prop
        }
        if broken:
            built.data = {"nothing": "here"}
        else:
            built.files = files
        return
    fields = pools.body_fields[op.id, media]
    payload: Any
    if broken or not fields:
        payload = rng.choice(pools.bodies[op.id, media])
    else:
        payload = _credential_body(fields, creds)
    if broken and media == "application/json" and rng.random() < 0.3:
        built.add_header("Content-Type", media)
        built.content = b"{not json"
    elif media == "application/json":
        built.add_header("Content-Type", media)
        built.content = json.dumps(payload).encode()
    else:
        built.data = {k: text(v) for k, v in payload.items()} if isinstance(payload, dict) else {}


def build(
    rng: random.Random,
    pools: Pools,
    op: Op,
    *,
    valid: bool,
    credential: Credential,
    creds: Any,
    known: list[dict[str, str]],
    path_values: dict[str, str] | None = None,
) -> Built:
    """One request for ``op``: valid, or with exactly one defect."""
    path_params = [p for p in op.params if p.where == "path"]
    defects: list[tuple[str, Any]] = [("security", i) for i in range(len(op.security))]
    defects += [("param", p) for p in op.params]
    if op.body:
        defects.append(("body", None))
    kind, which = ("", None) if valid or not defects else rng.choice(defects)
    if path_values is None:
        # Three times in four, a record the server acknowledged (when it names this route's
        # path parameters); else values drawn from the parameters' schemas.
        fits = bool(known) and all(p.name in known[0] for p in path_params)
        source = rng.choice(known) if fits and rng.random() < 0.75 else {}
        path_values = {
            p.name: source.get(p.name) or pools.path_value(rng, op, p) for p in path_params
        }
    if kind == "param" and which is not None and which.where == "path":
        path_values = {**path_values, which.name: pools.path_garbage(rng, op, which)}
    path = op.path
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    built = Built(op.method, path)
    skipped = _security(rng, pools, op, built, which if kind == "security" else None, credential)
    _params(rng, pools, op, built, which if kind == "param" else None, credential)
    _body(rng, pools, op, built, kind == "body", skipped, creds)
    return built

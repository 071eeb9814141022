"""``statuskit proxy --record DIR``: every exchange saved with its secrets and identifying
values replaced, and each resource's observed lifecycle.

The rules are drift's recorder's (:mod:`statuskit.drift.record`): secrets become ``***``;
identifying values (ids, names, accounts, touchpoints) are scrambled, keeping their shape,
by one :class:`~statuskit.drift.record.Scrubber` for the whole recording, so the same real
id maps to the same placeholder in every exchange, body, path and lifecycle. The API's
vocabulary (states, error codes) and dates are kept. Secrets are also learnt from the
traffic as it passes (a login's password, the ``utk`` it answers, session cookies, tokens)
and masked wherever they turn up later.

Two files (docs/admin.md, Replay):

* ``exchanges.jsonl``: one exchange a line, appended as it happens
  (``schemas/admin/recorded-exchange.json``);
* ``lifecycles.json``: each resource's states and bodies (``schemas/admin/recording.json``),
  rewritten when a lifecycle changes, at most once a second otherwise, and on :meth:`close`.
  It is what ``statuskit serve --replay DIR`` and ``POST /__admin/v1/replay`` load.

Under ``statuskit proxy``, whose workers are processes, each worker's recorder is given
``parts``: it appends its exchanges and resource sightings, scrubbed, to its own files
there, and the parent merges them into the two files when it stops (``_parts.py``). The
workers share the parent's salt, so a real id is one placeholder in all of them.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, quote, unquote

from statuskit.catalogue import Operation
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.drift.describe import Redactor
from statuskit.drift.record import Scrubber
from statuskit.errors import ConfigError
from statuskit.proxy._exchange import Exchange, Verdict
from statuskit.proxy._lifecycles import Lifecycles, resource_of
from statuskit.proxy._parts import (
    EXCHANGES,
    LIFECYCLES,
    STARTED,
    open_parts,
    write_lifecycles,
)
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.secrets import REDACTED, Secret

__all__ = ["EXCHANGES", "LIFECYCLES", "Recorder"]

log = logging.getLogger("statuskit.proxy")

#: Headers whose values are kept (then masked by the redactor); others are left out.
_KEPT_HEADERS = ("content-type", "accept", "www-authenticate", "allow", "retry-after")
#: How often ``lifecycles.json`` is rewritten at most when only poll counts changed.
_REWRITE_SECONDS = 1.0
_EMPTY = Verdict()


def _scrubber(registry: SchemaRegistry, redactor: Redactor, salt: bytes | None) -> Scrubber:
    """One scrubber for every API: the vocabularies and secret keys of all, one mapping."""
    apis = [a for a in registry.catalogued() if a != "admin"]
    scrubber = Scrubber(apis[0], registry, redactor, salt=salt)
    for api in apis[1:]:
        other = Scrubber(api, registry, redactor, salt=scrubber.salt)
        scrubber.vocabulary |= other.vocabulary
        scrubber.secret_keys |= other.secret_keys
    # The states' labels are the API's words too (Thalamus's internationalizedState): a
    # replayed body reads "Processed", not a scramble of it.
    for api in apis:
        for name in registry.names(api):
            scrubber.keep(_state_labels(registry.source(api, name)))
    return scrubber


def _state_labels(node: Any) -> Iterator[str]:
    """The values of every ``x-state-labels`` map in a schema."""
    if isinstance(node, Mapping):
        yield from (node.get("x-state-labels") or {}).values()
        for value in node.values():
            yield from _state_labels(value)
    elif isinstance(node, list):
        for value in node:
            yield from _state_labels(value)


def _secret_values(*credentials: ThalamusCredentials | TealiumCredentials) -> list[Secret]:
    return [getattr(c, name) for c in credentials for name in c.secret_fields()]


#: The kit's own default credentials, printed by ``statuskit serve``: nothing to hide.
_PUBLIC = frozenset(s.reveal() for s in _secret_values(ThalamusCredentials(), TealiumCredentials()))


def _environment_secrets(environ: Mapping[str, str] | None) -> list[Secret]:
    return _secret_values(
        ThalamusCredentials.from_env(environ), TealiumCredentials.from_env(environ)
    )


def _parse_json(raw: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(raw)
    except (ValueError, RecursionError):
        return False, None


def _values_under(value: Any, keys: set[str]) -> Iterator[str]:
    """Every string in ``value`` under one of ``keys`` (lower-cased), at any depth."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in keys and isinstance(item, str):
                yield item
            else:
                yield from _values_under(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _values_under(item, keys)


def _cookie_values(header: str) -> Iterator[str]:
    for part in header.split(";"):
        name, sep, value = part.partition("=")
        if sep and name.strip():
            yield value.strip().strip('"')


def _masked_cookies(header: str) -> str:
    """``a=1; b=2`` as ``a=***; b=***``."""
    names = [p.partition("=")[0].strip() for p in header.split(";") if "=" in p]
    return "; ".join(f"{name}={REDACTED}" for name in names if name)


def _masked_set_cookie(header: str) -> str:
    first, _, rest = header.partition(";")
    name = first.partition("=")[0].strip()
    return f"{name}={REDACTED}" + (f";{rest}" if rest else "")


class Recorder:
    """The recording observer: :meth:`observe` every exchange, :meth:`close` at the end.

    Thread-safe: the proxy serves from threads, and one lock keeps the scrubber's mapping,
    the exchange log and the lifecycles consistent. It never raises from :meth:`observe`;
    a recording that cannot be written is said once in the log.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        registry: SchemaRegistry | None = None,
        secrets: Iterable[str | Secret | None] = (),
        environ: Mapping[str, str] | None = None,
        salt: bytes | None = None,
        clock: Callable[[], float] = time.monotonic,
        parts: str | os.PathLike[str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        registry = registry or default_registry()
        # Every STATUSKIT_* credential is masked, as drift masks them, and any given here;
        # the kit's published defaults are not (drift's rule: hiding them protects nothing).
        self.redactor = Redactor([*_environment_secrets(environ), *secrets], public=_PUBLIC)
        self.scrubber = _scrubber(registry, self.redactor, salt)
        self.lifecycles = Lifecycles()
        self._lock = threading.Lock()
        self._clock = clock
        self._origin: float | None = None
        self._count = 0
        self._written_at = 0.0
        self._failed = False
        self._log: TextIO | None = None
        self._sightings: TextIO | None = None
        try:
            if parts is not None:
                self._log, self._sightings = open_parts(parts)
            else:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._log = (self.directory / EXCHANGES).open("w", encoding="utf-8")
        except OSError as exc:
            where = self.directory if parts is None else parts
            raise ConfigError(f"cannot record to {where}: {exc.strerror}") from None
        if parts is None:
            self._write_lifecycles()

    def __repr__(self) -> str:
        return f"Recorder({str(self.directory)!r}, {self._count} exchanges)"

    # -- the observer ----------------------------------------------------------------------

    def observe(self, exchange: Exchange) -> Verdict:
        """Record ``exchange``; a recorder finds nothing, so its verdict is empty."""
        try:
            with self._lock:
                self._record(exchange)
        except Exception as exc:  # an observer must not raise: the proxy answers regardless
            self._fail(f"cannot record an exchange ({type(exc).__name__})")
        return _EMPTY

    def close(self) -> None:
        """Write ``lifecycles.json`` one last time and close the exchange log."""
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None
            if self._sightings is not None:
                self._sightings.close()
                self._sightings = None
                return  # the parent writes lifecycles.json from every worker's sightings
            self._write_lifecycles()

    def _fail(self, message: str) -> None:
        if not self._failed:
            self._failed = True
            log.warning("statuskit proxy: %s in %s; recording goes on", message, self.directory)

    def _record(self, exchange: Exchange) -> None:
        self._learn(exchange)
        if self._origin is None:
            self._origin = exchange.started
        response = self._body(exchange.response_body, exchange.response_header("content-type"))
        entry = {
            "n": self._count,
            "at_ms": max(0, round((exchange.started - self._origin) * 1000)),
            "elapsed_ms": round(exchange.elapsed * 1000, 3),
            "api": exchange.api,
            "operation": exchange.operation.name if exchange.operation else None,
            "request": {
                "method": exchange.method,
                "path": self._path(exchange.path, exchange.operation),
                "query": self._query(exchange.query),
                "headers": self._headers(exchange.request_headers),
                "body": self._body(exchange.request_body, exchange.request_header("content-type")),
            },
            "response": {
                "status": exchange.status,
                "headers": self._headers(exchange.response_headers),
                "body": response,
            },
        }
        self._count += 1
        if self._log is not None:
            written = self._redacted(entry)
            if self._sightings is not None:
                written[STARTED] = exchange.started  # the parent orders every worker's by it
            self._log.write(json.dumps(written, ensure_ascii=False) + "\n")
            self._log.flush()
        self._see(exchange, response)

    # -- secrets learnt from the traffic -----------------------------------------------------

    def _learn(self, exchange: Exchange) -> None:
        """Remember the exchange's credentials, so they are masked wherever they turn up."""
        keys = self.scrubber.secret_keys
        found: list[str] = [v for k, v in parse_qsl(exchange.query) if k.lower() in keys]
        for name, value in (*exchange.request_headers, *exchange.response_headers):
            lowered = name.lower()
            if lowered in ("cookie", "set-cookie"):
                found += _cookie_values(
                    value.partition(";")[0] if lowered == "set-cookie" else value
                )
            elif lowered == "authorization":
                found += self._authorization(value)
            elif lowered in keys:
                found.append(value)
        for raw in (exchange.request_body, exchange.response_body):
            ok, parsed = _parse_json(raw)
            if ok:
                found += _values_under(parsed, keys)
            elif raw:
                text = raw.decode("utf-8", "replace")
                found += [v for k, v in parse_qsl(text) if k.lower() in keys]
        for value in found:
            self.redactor.add(value)

    @staticmethod
    def _authorization(value: str) -> list[str]:
        scheme, _, credentials = value.strip().partition(" ")
        found = [credentials.strip()]
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return found
            found.append(decoded.partition(":")[2])
        return found

    # -- scrubbing ------------------------------------------------------------------------

    def _identifier(self, value: str) -> str:
        """A path parameter scrambled as its body twin is: an id as an integer."""
        if value in self.scrubber.mapping:
            return self.scrubber.mapping[value]
        if value.isascii() and value.isdigit() and not value.startswith("0"):
            return str(self.scrubber.integer(int(value)))
        return self.scrubber.text(value)

    def _path(self, path: str, operation: Operation | None) -> str:
        """The path with every parameter the operation's route names scrambled."""
        segments = path.split("/")
        for template in operation.templates if operation else ():
            parts = template.split("/")
            if len(parts) > len(segments):
                continue
            last_takes_rest = parts[-1].startswith("{") and len(parts) < len(segments)
            if len(parts) != len(segments) and not last_takes_rest:
                continue
            if any(not p.startswith("{") and p != s for p, s in zip(parts, segments, strict=False)):
                continue
            out = []
            for i, part in enumerate(parts):
                value = "/".join(segments[i:]) if i == len(parts) - 1 else segments[i]
                if part.startswith("{"):
                    value = quote(self._identifier(unquote(value)), safe="")
                out.append(value)
            return "/".join(out)
        return self.scrubber.path(path)

    def _query(self, query: str) -> list[list[str]]:
        pairs = parse_qsl(query, keep_blank_values=True)
        return [[k, self.scrubber.query({k: v})[k]] for k, v in pairs]

    def _headers(self, headers: Iterable[tuple[str, str]]) -> list[list[str]]:
        out = []
        for name, value in headers:
            lowered = name.lower()
            if lowered == "cookie":
                out.append([name, _masked_cookies(value)])
            elif lowered == "set-cookie":
                out.append([name, _masked_set_cookie(value)])
            elif lowered == "authorization":
                out.append([name, f"{value.strip().partition(' ')[0]} {REDACTED}"])
            elif lowered in _KEPT_HEADERS:
                out.append([name, self.redactor(value)])
        return out

    def _body(self, raw: bytes, content_type: str | None) -> dict[str, Any] | None:
        """A body as ``{"json": ...}``, ``{"form": [[k, v], ...]}``, ``{"text": ...}`` or,
        for anything else (an uploaded file), ``{"omitted": bytes}``; ``None`` when empty."""
        if not raw:
            return None
        kind = (content_type or "").partition(";")[0].strip().lower()
        ok, parsed = _parse_json(raw)
        if ok:
            return {"json": self.scrubber.body(parsed)}
        if kind == "application/x-www-form-urlencoded":
            return {"form": self._query(raw.decode("utf-8", "replace"))}
        if kind.startswith("text/"):
            return {"text": self.scrubber.text(raw.decode("utf-8", "replace"))}
        return {"omitted": len(raw)}

    def _redacted(self, value: Any) -> Any:
        """``value`` with every known secret masked in every string, keys included: a last
        pass over what is written, string by string so the JSON stays JSON."""
        if isinstance(value, str):
            return self.redactor(value)
        if isinstance(value, dict):
            return {self.redactor(k): self._redacted(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._redacted(v) for v in value]
        return value

    # -- lifecycles -----------------------------------------------------------------------

    def _see(self, exchange: Exchange, response: dict[str, Any] | None) -> None:
        operation = exchange.operation
        documented = operation.body(exchange.status) if operation else None
        if operation is None or exchange.status != 200 or documented is None:
            return
        if documented.schema is None or response is None or "json" not in response:
            return
        found = resource_of(operation.api, documented.schema, response["json"])
        if found is None:
            return
        key, state = found
        if self._sightings is not None:
            sighting = [operation.api, operation.name, key, state, response["json"]]
            line = json.dumps([*self._redacted(sighting), exchange.started], ensure_ascii=False)
            self._sightings.write(line + "\n")
            self._sightings.flush()
            return
        changed = self.lifecycles.see(
            operation.api, operation.name, key, state, response["json"], exchange.started
        )
        now = self._clock()
        if changed or now - self._written_at >= _REWRITE_SECONDS:
            self._write_lifecycles()

    def _write_lifecycles(self) -> None:
        """Replace ``lifecycles.json`` whole (a reader never sees half a file)."""
        try:
            write_lifecycles(self.directory, self._redacted(self.lifecycles.document()))
        except OSError as exc:
            self._fail(f"cannot write {LIFECYCLES} ({exc.strerror})")
            return
        self._written_at = self._clock()

"""Near-miss hints, and the route table faults and hints share.

A request answered with a 4xx gets one line saying what was nearly right: the closest
route, the methods a path takes, or (from the owning API's ``hint`` function) a missing
parameter, the closest known id or file name. It goes in the ``X-Statuskit-Hint`` response
header and the journal, never in the body, which stays exactly the API's documented error.
A hint never quotes a credential: it names parameters, never their values.

Route names are ``METHOD /path/{placeholder}``, from the app's own URL rules (the Flask
converter dropped, ``raw_id`` shown as ``id``): ``GET /api/v4/import/status/{id}``. When
compared, any placeholder matches any other, so ``{n}`` works as well as ``{id}``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map

from mockserver._inputs import EnvironInputs
from mockserver.faults import FaultError, route_key

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["HEADER", "Landing", "Miss", "Routes", "header_value"]

HEADER = "X-Statuskit-Hint"
#: A hint is one short line.
MAX_HINT = 300
_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


@dataclass(frozen=True)
class Landing:
    """Where a request lands: the owning API, and its route and resource when it has one."""

    api: str
    #: The route's name, ``GET /api/v4/import/status/{id}``.
    route: str | None = None
    resource: str | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    #: The methods the path takes, when it exists but not for the request's method.
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Miss:
    """A 4xx answer, as an API's hint function sees it."""

    environ: Mapping[str, Any]
    status: int
    body: bytes
    landing: Landing

    @property
    def inputs(self) -> EnvironInputs:
        """The request's query, headers and cookies."""
        return EnvironInputs(self.environ)

    def json(self) -> Any:
        """The answer's JSON body, or ``None``."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


def _display(variable: str) -> str:
    return variable.removeprefix("raw_")


@dataclass(frozen=True)
class _Route:
    api: str
    name: str
    key: str
    resource_arg: str | None


class Routes:
    """The app's routes by API, read from its URL map when first needed."""

    def __init__(self, url_map: Map, owners: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        self.url_map = url_map
        #: ``(api, path prefixes)``, the first owning whatever no other claims.
        self.owners = tuple(owners)
        self._routes: dict[str, _Route] | None = None

    def owner(self, path: str) -> str:
        """The API that answers ``path``."""
        for api, prefixes in self.owners:
            if path.startswith(prefixes):
                return api
        return self.owners[0][0]

    @property
    def routes(self) -> dict[str, _Route]:
        """Every route, keyed by ``rule|METHOD``."""
        if self._routes is None:
            found: dict[str, _Route] = {}
            for rule in self.url_map.iter_rules():
                if rule.endpoint == "static":
                    continue
                pattern = _VARIABLE.sub(lambda m: "{" + _display(m.group(1)) + "}", rule.rule)
                names = _VARIABLE.findall(rule.rule)
                last = names[-1] if names and rule.rule.endswith(">") else None
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    name = f"{method} {pattern}"
                    found[f"{rule.rule}|{method}"] = _Route(
                        self.owner(rule.rule), name, route_key(name), last
                    )
            self._routes = found
        return self._routes

    def names(self, api: str) -> list[str]:
        """The route names of ``api``, sorted."""
        return sorted({r.name for r in self.routes.values() if r.api == api})

    def known(self, api: str, name: str) -> str:
        """The route of ``api`` that ``name`` stands for; :class:`FaultError` otherwise."""
        key = route_key(name)
        for route in self.routes.values():
            if route.api == api and route.key == key:
                return route.name
        method, _, path = name.strip().partition(" ")
        closest = self.closest(api, method.upper(), path.strip())
        also = f"; closest: '{closest}'" if closest else ""
        raise FaultError(f"'route' names no {api} route{also}")

    def landing(self, environ: Mapping[str, Any]) -> Landing:
        """Route the request as the app would, without running it."""
        path = environ.get("PATH_INFO", "")
        api = self.owner(path)
        method = environ.get("REQUEST_METHOD", "GET")
        adapter = self.url_map.bind_to_environ(cast("WSGIEnvironment", environ))
        try:
            rule, args = adapter.match(method=method, return_rule=True)
        except MethodNotAllowed as exc:
            methods = set(exc.valid_methods or ()) - {"HEAD", "OPTIONS"}
            return Landing(api, allowed=tuple(sorted(methods)))
        except HTTPException:
            return Landing(api)
        route = self.routes.get(f"{rule.rule}|{'GET' if method == 'HEAD' else method}")
        if route is None:
            return Landing(api, args=args)
        resource = args.get(route.resource_arg) if route.resource_arg else None
        return Landing(route.api, route.name, None if resource is None else str(resource), args)

    def closest(self, api: str, method: str, path: str) -> str | None:
        """The route of ``api`` most like ``method path``."""
        segments = path.split("/")
        best: tuple[float, str] | None = None
        for route in self.routes.values():
            if route.api != api:
                continue
            route_method, _, pattern = route.name.partition(" ")
            # A placeholder stands for the request's segment at that place, if it has one.
            parts = pattern.split("/")
            filled = "/".join(
                segments[i] if p.startswith("{") and i < len(segments) else p
                for i, p in enumerate(parts)
            )
            score = difflib.SequenceMatcher(None, path, filled).ratio()
            score += 0.05 if route_method == method else 0.0
            if best is None or score > best[0]:
                best = (score, route.name)
        return None if best is None else best[1]


def generic(routes: Routes, miss: Miss) -> str | None:
    """The hints every API shares: a path that exists for other methods, or no route."""
    landing = miss.landing
    method = miss.environ.get("REQUEST_METHOD", "GET")
    if landing.allowed:
        return f"{method} is not served on this path; it takes {', '.join(landing.allowed)}"
    if landing.route is None and miss.status in (404, 405):
        path = str(miss.environ.get("PATH_INFO", ""))
        closest = routes.closest(landing.api, method, path)
        return f"no such route; closest: {closest}" if closest else None
    return None


def header_value(hint: str) -> str:
    """``hint`` as a header value: printable ASCII, the rest percent-encoded as UTF-8."""
    text = hint[:MAX_HINT]
    return "".join(c if " " <= c <= "~" else quote(c, safe="") for c in text)

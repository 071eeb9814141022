"""Fault injection: what a fault is, which requests it aims at, and when it fires.

A fault is a small JSON object (``docs/admin.md``): a ``kind`` with its settings, a target
(an ``api``, optionally one ``route`` and one ``resource``) and a trigger (every matching
request, the next ``times`` ones, or ``percent`` of them drawn from a ``seed``). The admin
API stores faults in the control row's ``faults`` list, so every worker sees a change at
its next request. Their counters live in the shared store, written only when a live fault
matches a request: with no fault configured, a request writes nothing.

In test mode a request may also carry its own one-off fault in the ``X-Statuskit-Fault``
header, written ``kind=status;status=503`` (see :func:`parse_header`).

How a fault is carried out on the wire is ``mockserver._middleware``'s business.
"""

from __future__ import annotations

import dataclasses
import random
import re
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.control import Control, ControlState
from mockserver.store import Store
from statuskit.registry import default_registry

__all__ = [
    "HEADER",
    "KINDS",
    "MAX_LATENCY_MS",
    "STATUSES",
    "Fault",
    "FaultError",
    "Faults",
    "draw",
    "parse_header",
    "route_key",
]

#: The test-mode request header carrying a one-off fault.
HEADER = "X-Statuskit-Fault"
#: The fault schema: the kinds, the settings each takes, their defaults and bounds are
#: written there once (``schemas/admin/faults-add-request.json``), for the admin API's
#: validation and for the test-mode header alike.
_SCHEMA = default_registry().source("admin", "faults-add-request")["properties"]
KINDS: tuple[str, ...] = tuple(_SCHEMA["kind"]["enum"])
#: [KIT] The server errors a ``status`` fault may answer with.
STATUSES: tuple[int, ...] = tuple(_SCHEMA["status"]["enum"])


def _setting(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = _SCHEMA[name]
    ref = str(spec.get("$ref", ""))
    if ref.startswith("#/$defs/"):
        return dict(default_registry().definition("admin", ref[8:], schema="faults-add-request"))
    return spec


#: The settings each kind takes, and their defaults (``None``: no default).
_SETTINGS: dict[str, dict[str, int | None]] = {
    kind: {name: _setting(name).get("default") for name in names}
    for kind, names in _SCHEMA["kind"]["x-settings"].items()
}
#: The largest value of each numeric setting.
_LIMITS: dict[str, int] = {
    name: int(_setting(name)["maximum"])
    for names in _SCHEMA["kind"]["x-settings"].values()
    for name in names
    if name != "status"
}
#: The smallest value of each numeric setting.
_LOWEST: dict[str, int] = {name: int(_setting(name).get("minimum", 0)) for name in _LIMITS}
#: The longest latency a fault may ask for.
MAX_LATENCY_MS = _LIMITS["ms"]
_TARGET = ("api", "route", "resource")
_TRIGGER = ("times", "percent")
_KNOWN = frozenset({"id", "kind", "seed", *_TARGET, *_TRIGGER, *_LIMITS, "status"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class FaultError(ValueError):
    """A fault that cannot be: its message is one readable line for the caller."""


def route_key(name: str) -> str:
    """A route name reduced for comparison: ``GET /a/{x}`` and ``get /a/{id}`` agree."""
    method, _, path = name.strip().partition(" ")
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', path.strip())}"


def draw(seed: int, n: int, purpose: str = "") -> float:
    """The seeded number in [0, 1) for the ``n``-th matching request: the same seed, the
    same sequence, whichever worker serves each request."""
    return random.Random(f"{seed}:{n}{purpose}").random()


@dataclass(frozen=True)
class Fault:
    """One fault, validated. ``id`` is given when the admin API stores it."""

    kind: str
    api: str | None = None
    route: str | None = None
    resource: str | None = None
    ms: int | None = None
    min_ms: int | None = None
    max_ms: int | None = None
    status: int | None = None
    retry_after: int | None = None
    chunk_bytes: int | None = None
    delay_ms: int | None = None
    times: int | None = None
    percent: float | None = None
    seed: int = 0
    id: str = ""

    @classmethod
    def parse(
        cls,
        data: Mapping[str, Any],
        *,
        apis: Sequence[str],
        routes: Callable[[str, str], str] | None = None,
        header: bool = False,
    ) -> Fault:
        """Check a fault as the admin API (or, with ``header``, the request header) gives it.

        ``routes(api, name)`` returns the known route ``name`` stands for, or raises
        :class:`FaultError`. Raises :class:`FaultError` with one readable line.
        """
        if "id" in data:
            raise FaultError("'id' is not a setting: the server gives each fault its id")
        unknown = sorted(set(data) - _KNOWN)
        if unknown:
            raise FaultError(f"unknown fault setting '{unknown[0]}'")
        kind = data.get("kind")
        if kind not in KINDS:
            raise FaultError(f"'kind' must be one of: {', '.join(KINDS)}")
        values: dict[str, Any] = {"kind": kind}
        for name in (*_LIMITS, "status"):
            if name in data and name not in _SETTINGS[kind]:
                raise FaultError(f"'{name}' does not apply to a '{kind}' fault")
        for name, default in _SETTINGS[kind].items():
            if name in data:
                values[name] = _integer(data, name, _LOWEST.get(name, 0))
            elif default is not None:
                values[name] = default
        if kind == "status" and values.get("status") not in STATUSES:
            raise FaultError(f"'status' must be one of {', '.join(map(str, STATUSES))}")
        if kind == "latency":
            _check_latency(values)
        if header:
            given = [name for name in (*_TARGET, *_TRIGGER) if name in data]
            if given:
                raise FaultError(f"'{given[0]}' cannot be set here: this fault is for this request")
        else:
            values.update(_target(data, apis, routes))
            values.update(_trigger(data))
        if "seed" in data:
            values["seed"] = _integer(data, "seed", -(2**63), 2**63 - 1)
        return cls(**values)

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> Fault:
        """A fault as the control row holds it (checked when it was added)."""
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})

    def as_json(self) -> dict[str, Any]:
        """The fault's settings, without the ones it does not use."""
        body = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if not body["id"]:
            del body["id"]
        return body

    def aims_at(self, route: str | None, resource: str | None) -> bool:
        """Whether a request of this fault's API, on ``route`` for ``resource``, is a target."""
        if self.route is not None and (route is None or route_key(self.route) != route_key(route)):
            return False
        return self.resource is None or self.resource == resource

    @property
    def needs_route(self) -> bool:
        """Whether matching needs the request's route (cheap faults skip the routing)."""
        return self.route is not None or self.resource is not None

    def latency(self, n: int) -> int:
        """Milliseconds of delay for the ``n``-th matching request (fixed, or seeded)."""
        if self.ms is not None:
            return self.ms
        low, high = self.min_ms or 0, self.max_ms or 0
        return low + int(draw(self.seed, n, ":latency") * (high - low + 1))

    def fires(self, n: int, fired: int) -> bool:
        """Whether the ``n``-th matching request fails, after ``fired`` failures so far."""
        if self.times is not None:
            return fired < self.times
        if self.percent is not None:
            return draw(self.seed, n) * 100 < self.percent
        return True


_FIELDS = frozenset(f.name for f in dataclasses.fields(Fault))


def _integer(data: Mapping[str, Any], name: str, low: int, high: int | None = None) -> int:
    high = _LIMITS.get(name, 2**31) if high is None else high
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultError(f"'{name}' must be an integer from {low} to {high}")
    return value


def _check_latency(values: dict[str, Any]) -> None:
    fixed, low, high = values.get("ms"), values.get("min_ms"), values.get("max_ms")
    if fixed is not None and (low is not None or high is not None):
        raise FaultError("a latency fault takes 'ms', or 'min_ms' and 'max_ms', not both")
    if fixed is None and (low is None or high is None):
        raise FaultError("a latency fault needs 'ms', or 'min_ms' and 'max_ms'")
    if low is not None and high is not None and low > high:
        raise FaultError("'min_ms' must not be above 'max_ms'")


def _target(
    data: Mapping[str, Any], apis: Sequence[str], routes: Callable[[str, str], str] | None
) -> dict[str, Any]:
    api = data.get("api")
    if api not in apis:
        raise FaultError(f"'api' must be one of: {', '.join(apis)}")
    found: dict[str, Any] = {"api": api}
    route = data.get("route")
    if route is not None:
        if not isinstance(route, str) or " " not in route.strip():
            raise FaultError("'route' must look like 'GET /api/v4/import/status/{id}'")
        found["route"] = routes(str(api), route) if routes is not None else route
    resource = data.get("resource")
    if resource is not None:
        if isinstance(resource, bool) or not isinstance(resource, str | int) or resource == "":
            raise FaultError("'resource' must be an import id or a file name")
        found["resource"] = str(resource)
    return found


def _trigger(data: Mapping[str, Any]) -> dict[str, Any]:
    if "times" in data and "percent" in data:
        raise FaultError("give 'times' or 'percent', not both")
    if "times" in data:
        return {"times": _integer(data, "times", 1, 1_000_000)}
    if "percent" in data:
        percent = data["percent"]
        if (
            isinstance(percent, bool)
            or not isinstance(percent, int | float)
            or not 0 < percent <= 100
        ):
            raise FaultError("'percent' must be a number above 0, at most 100")
        return {"percent": float(percent)}
    return {}


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def parse_header(text: str) -> dict[str, Any]:
    """``kind=latency;ms=20`` as a mapping: ``;``-separated ``key=value`` pairs, blanks
    around them ignored, numbers as numbers. Raises :class:`FaultError`."""
    data: dict[str, Any] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise FaultError(f"write {HEADER} as key=value pairs separated by ';'")
        if key in data:
            raise FaultError(f"'{key}' is given twice")
        if _NUMBER.fullmatch(value):
            data[key] = float(value) if "." in value else int(value)
        else:
            data[key] = value
    return data


class Faults:
    """The live faults of one app, and their shared counters.

    The parsed list is cached per control generation. A fault whose ``times`` ran out is
    remembered here, so this worker stops counting it; others learn at their next match.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: tuple[int, tuple[Fault, ...]] = (-2, ())
        self._spent: set[str] = set()
        self._lock = threading.Lock()

    def live(self, state: ControlState) -> tuple[Fault, ...]:
        """The faults of ``state`` (parsed once per generation), spent ones left out."""
        generation, faults = self._cache
        if generation != state.generation:
            faults = tuple(Fault.stored(raw) for raw in state.faults)
            with self._lock:
                self._cache = (state.generation, faults)
        if self._spent:
            return tuple(f for f in faults if f.id not in self._spent)
        return faults

    def count(self, fault: Fault) -> tuple[bool, int]:
        """Count one matching request; whether the fault fires for it, and its number."""
        hit, n, fired = self.store.count_fault(fault.id, fault.fires)
        if fault.times is not None and fired >= fault.times:
            with self._lock:
                self._spent.add(fault.id)
        return hit, n

    def counters(self) -> dict[str, tuple[int, int]]:
        """``{id: (matched, fired)}`` of every fault counted so far."""
        return self.store.fault_counters()

    def add(self, control: Control, fault: Fault) -> Fault:
        """Store ``fault`` under a new id, for every worker."""
        # Random, not counted: an id is never reused, even after the store is reset, so a
        # new fault never inherits an old one's counters.
        stored = dataclasses.replace(fault, id=f"f{secrets.token_hex(4)}")
        control.update(lambda raw: raw.setdefault("faults", []).append(stored.as_json()))
        return stored

    def remove(self, control: Control, fault_id: str | None = None) -> int:
        """Remove one fault (or, without ``fault_id``, all); how many were removed."""
        removed: list[str] = []

        def change(raw: dict[str, Any]) -> None:
            faults = raw.get("faults", [])
            kept = [f for f in faults if fault_id is not None and f.get("id") != fault_id]
            removed.extend(f.get("id", "") for f in faults if f not in kept)
            raw["faults"] = kept

        control.update(change)
        if removed:
            self.store.forget_faults(removed)
        return len(removed)

"""Schemathesis hooks for the exported document: credentials sent the way a client sends them.

The document says which credentials each operation takes, and where; it cannot say how to
get a session. These hooks log in (:func:`statuskit.openapi._logins.log_in`, with the
``STATUSKIT_*`` credentials ``statuskit serve`` reads too) and give each generated request
one of its operation's security alternatives, so every combination gets exercised. Load
them with the config ``statuskit openapi --schemathesis-config FILE`` writes (it names this
module as ``hooks``), or on their own::

    SCHEMATHESIS_HOOKS=statuskit.openapi.schemathesis_hooks schemathesis run openapi.json ...

Everything is read from the document Schemathesis loaded (the security alternatives, each
scheme's place and name, the ``x-statuskit-either`` parameter twins), so a change to a
catalogue reaches these hooks without an edit here. See ``docs/openapi.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import schemathesis
from schemathesis.generation.meta import negated_parameters

from statuskit.openapi._logins import Logins, log_in

__all__ = ["StatuskitAuth", "drop_winning_twin"]

Case = schemathesis.Case[Any]

# One counter for the run: consecutive requests of an operation take its alternatives in
# turn (Thalamus's touchpoint and token, each as a query parameter or a header).
_TURN: Iterator[int] = itertools.count()


def _drop(container: MutableMapping[str, Any], name: str) -> None:
    """Remove ``name`` (headers match in any case) from a case's query, headers or cookies."""
    for key in [k for k in container if k.lower() == name.lower()]:
        del container[key]


def _container(case: Case, place: str) -> MutableMapping[str, Any]:
    current = {"query": case.query, "header": case.headers, "cookie": case.cookies}[place]
    if current is None:  # Schemathesis leaves a place it generated nothing for as None
        current = {}
        setattr(case, {"query": "query", "header": "headers", "cookie": "cookies"}[place], current)
    return current


def _place(scheme: Mapping[str, Any]) -> tuple[str, str]:
    """Where a scheme's credential goes: (query/header/cookie, name)."""
    if scheme.get("type") == "http":
        return ("header", "Authorization")
    return (str(scheme["in"]), str(scheme["name"]))


def _has_security(ctx: Any) -> bool:
    return bool(ctx.operation.definition.raw.get("security"))


@schemathesis.auth().apply_to(_has_security)
class StatuskitAuth:
    """Credentials for every operation that declares some: one login per refresh."""

    def get(self, case: Case, ctx: schemathesis.AuthContext) -> Logins:
        """Log in at the URL Schemathesis is testing (``--url``), to the APIs whose
        credentials the document names (``--api thalamus`` needs no Tealium login)."""
        schemes = case.operation.schema.raw_schema["components"]["securitySchemes"]
        apis = {name.partition(".")[0] for name in schemes}
        return log_in(case.operation.schema.get_base_url(), apis=apis)

    def set(self, case: Case, data: Logins, ctx: schemathesis.AuthContext) -> None:
        """Put one security alternative of the operation in place, and only that one."""
        schemes = case.operation.schema.raw_schema["components"]["securitySchemes"]
        alternatives = case.operation.definition.raw["security"]
        usable = [
            alt
            for alt in alternatives
            if all(data.value(name, schemes[name]) is not None for name in alt)
        ] or alternatives
        # A credential generated for another alternative would be read too (Thalamus takes
        # the query parameter over the header), so none is left behind.
        for name in {n for alt in alternatives for n in alt}:
            place, key = _place(schemes[name])
            if data.value(name, schemes[name]) is not None:
                _drop(_container(case, place), key)
        chosen = usable[next(_TURN) % len(usable)]
        for name in chosen:
            value = data.value(name, schemes[name])
            if value is None:
                continue  # e.g. the login's own HTTP Basic: the tool tests it with its data
            place, key = _place(schemes[name])
            if schemes[name].get("type") == "http":
                value_text = f"{str(schemes[name]['scheme']).capitalize()} {value.reveal()}"
            else:
                value_text = value.reveal()
            _container(case, place)[key] = value_text


def _twins(operation: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The ``x-statuskit-either`` groups of an operation: twin name -> place -> parameter."""
    groups: dict[str, dict[str, str]] = {}
    for param in operation.get("parameters", []):
        twin = param.get("x-statuskit-either")
        if twin:
            groups.setdefault(twin, {})[param["in"]] = param["name"]
    return groups


@schemathesis.hook("map_case")
def drop_winning_twin(context: schemathesis.HookContext, case: Case) -> Case:
    """Make a broken header count: drop its query twin, which would win.

    Some values come as a query parameter or a header (``x-statuskit-either``), and the
    query wins whenever it is sent (docs/wire.md). OpenAPI cannot say so, so a generic tool
    that breaks the header while sending a valid query twin expects a 400 that the
    documented precedence rules out. Without the twin, the broken header is what the mock
    reads, and the case tests what it meant to.
    """
    groups = _twins(case.operation.definition.raw)
    if not groups:
        return case
    for name, location in negated_parameters(case.meta):
        if str(getattr(location, "value", location)) != "header":
            continue
        for places in groups.values():
            if places.get("header", "").lower() == name.lower() and "query" in places:
                _drop(_container(case, "query"), places["query"])
    return case

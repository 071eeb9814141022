"""Which values of a path parameter reach its operation, read from the operation catalogue.

``schemas/<api>/operations.json`` writes each route as a template
(``/api/v4/import/status/{id}``). A parameter that fills a whole segment of its template
reaches the operation only as one segment of the path the server routes, and four kinds of
value never do, whatever the server:

* the empty value, which leaves the segment out (``/api/v4/import/status/``);
* ``.`` and ``..``, which a URL resolves away before it is sent (RFC 3986, 5.2.4);
* a value holding ``/``: percent-encoded it is one segment on the wire, but servers decode
  ``%2F`` before they route (Werkzeug and Granian do; Tomcat refuses it), so it reaches
  another route or none (``docs/wire.md``: 404 no such route);
* the literal another route has in the same place (Tealium's ``.../files/count`` beside
  ``.../files/{name}``), which reaches that route.

An API may decide otherwise about ``/``: Tealium's file ``name`` is looked up even when it
holds one (``docs/wire.md`` [KIT]), so its strategy keeps such names and drops only the dot
segments and the :func:`siblings`.
"""

from __future__ import annotations

from collections.abc import Callable

from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["DOT_SEGMENTS", "segment_value", "siblings", "template"]

#: The segments a URL resolves away (RFC 3986, 5.2.4).
DOT_SEGMENTS = frozenset({".", ".."})


def template(api: str, operation: str, *, registry: SchemaRegistry | None = None) -> str:
    """The path template of ``api``'s ``operation`` (its ``operationId``) in the catalogue."""
    catalogue = (registry or default_registry()).catalogue(api)
    for entry in catalogue["operations"]:
        if entry["operationId"] == operation:
            return str(entry["path"])
    raise KeyError(f"{api} has no operation {operation!r} in its catalogue")


def siblings(
    api: str, operation: str, parameter: str, *, registry: SchemaRegistry | None = None
) -> frozenset[str]:
    """The literal segments other routes put where ``parameter`` sits in ``operation``'s
    template (Tealium's ``.../files/count`` beside ``.../files/{name}``): a value equal to
    one reaches that route instead."""
    registry = registry or default_registry()
    segments = _segments(api, operation, parameter, registry)
    where = segments.index("{" + parameter + "}")
    out = set()
    for entry in registry.catalogue(api)["operations"]:
        other = str(entry["path"]).split("/")
        if len(other) != len(segments) or other[where].startswith("{"):
            continue
        if all(a == b for i, (a, b) in enumerate(zip(other, segments, strict=True)) if i != where):
            out.add(other[where])
    return frozenset(out)


def segment_value(
    api: str, operation: str, parameter: str, *, registry: SchemaRegistry | None = None
) -> Callable[[str], bool]:
    """A test of whether a value of path ``parameter`` reaches ``operation`` on any server.

    The parameter must fill a whole segment of the operation's template; a value does then
    when it is one segment, not a dot segment and not a sibling route's literal (see the
    module's docstring).
    """
    elsewhere = DOT_SEGMENTS | siblings(api, operation, parameter, registry=registry)

    def reaches(value: str) -> bool:
        return value != "" and "/" not in value and value not in elsewhere

    return reaches


def _segments(api: str, operation: str, parameter: str, registry: SchemaRegistry) -> list[str]:
    segments = template(api, operation, registry=registry).split("/")
    if "{" + parameter + "}" not in segments:
        raise ValueError(
            f"{api} {operation}: {{{parameter}}} is not a whole segment of its path template"
        )
    return segments

"""From checked catalogues to an OpenAPI 3.1 document: paths, operations, security.

Everything here is mechanical. What a route takes and answers lives in the catalogue, what a
body looks like lives in the schemas, and the documented examples live in the fixtures; this
module only puts them where OpenAPI wants them.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from statuskit import catalogue
from statuskit._catalogue_names import schema_target
from statuskit.fixtures import Fixture, fixtures
from statuskit.openapi._bundle import Bundler
from statuskit.openapi._cases import EXTENSION, by_status

__all__ = ["Catalogued", "paths", "security_schemes"]

JSON = "application/json"


class Catalogued:
    """One API's checked catalogue, and the names it gets in a document."""

    def __init__(self, api: str, catalogue: dict[str, Any]) -> None:
        self.api = api
        self.catalogue = catalogue

    def scheme(self, name: str) -> str:
        """A security scheme's name in the document."""
        return f"{self.api}.{name}"

    def operation_id(self, name: str) -> str:
        """An operation's ``operationId`` in the document."""
        return f"{self.api}.{name}"


def security_schemes(apis: Sequence[Catalogued]) -> dict[str, Any]:
    """Every API's security schemes, under their document names."""
    return {
        api.scheme(name): copy.deepcopy(scheme)
        for api in apis
        for name, scheme in api.catalogue["securitySchemes"].items()
    }


def security(api: Catalogued, group: str) -> list[dict[str, list[str]]]:
    """A named group (all factors, each by one alternative) as OpenAPI's list of
    alternatives (any one entry, every scheme in it): the product of the factors.

    Thalamus's ``[[touchpointQuery, touchpointHeader], [tokenQuery, tokenHeader],
    [session]]`` becomes four alternatives: each of the two credentials in either place.
    """
    factors = api.catalogue["security"][group]
    if not factors:
        return []  # no credentials at all (a login); product() would say "{}", i.e. optional
    return [
        {api.scheme(name): [] for name in choice if name is not None}
        for choice in itertools.product(*factors)
    ]


def paths(apis: Sequence[Catalogued], bundler: Bundler) -> dict[str, Any]:
    """The ``paths`` object for ``apis``, bundling every schema they use."""
    out: dict[str, dict[str, Any]] = {}
    for api in apis:
        bundler.use_catalogue(api.api, api.catalogue)
        for op in api.catalogue["operations"]:
            out.setdefault(op["path"], {})[op["method"]] = _operation(api, op, bundler)
    return out


def _extensions(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in entry.items() if k.startswith("x-")}


def _operation(api: Catalogued, op: dict[str, Any], bundler: Bundler) -> dict[str, Any]:
    logical = op.get("operation", op["operationId"])
    out: dict[str, Any] = {
        "operationId": api.operation_id(op["operationId"]),
        "tags": [api.api],
        "summary": op["summary"],
    }
    if "description" in op:
        out["description"] = op["description"]
    out["security"] = security(api, op["security"])
    params = [_parameter(api, p, bundler) for p in op.get("parameters", [])]
    if params:
        out["parameters"] = params
    if "requestBody" in op:
        out["requestBody"] = _request_body(api, op["requestBody"], bundler)
    cases = _cases(api, logical, op, bundler)
    out["responses"] = {
        status: _response(api, logical, int(status), response, bundler, cases.get(int(status)))
        for status, response in op["responses"].items()
    }
    out["x-statuskit-operation"] = logical
    out.update(_extensions(op))
    return out


def _cases(
    api: Catalogued, logical: str, op: dict[str, Any], bundler: Bundler
) -> dict[int, list[dict[str, Any]]]:
    if not op.get("errors"):
        return {}  # no error cases to read (the admin API's catalogue has none)
    return by_status(catalogue.operation(api.api, logical, registry=bundler.registry), op)


def _parameter(api: Catalogued, param: str | dict[str, Any], bundler: Bundler) -> dict[str, Any]:
    spec = api.catalogue["parameters"][param] if isinstance(param, str) else param
    out = {k: copy.deepcopy(v) for k, v in spec.items() if k != "schema"}
    out.setdefault("required", spec["in"] == "path")
    out["schema"] = bundler.rewrite(spec["schema"], api.api)
    return out


def _request_body(api: Catalogued, body: dict[str, Any], bundler: Bundler) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for media, schema in body["content"].items():
        if isinstance(schema, str):
            content[media] = {"schema": bundler.schema_ref(*schema_target(api.api, schema))}
        else:
            content[media] = {"schema": bundler.rewrite(schema, api.api)}
    return {"required": body["required"], "content": content, **_extensions(body)}


def _response(
    api: Catalogued,
    logical: str,
    status: int,
    given: dict[str, Any],
    bundler: Bundler,
    cases: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    # A named response, then whatever the operation says on top of it.
    response = copy.deepcopy(api.catalogue["responses"][given["ref"]]) if "ref" in given else {}
    response.update({k: v for k, v in given.items() if k != "ref"})
    out: dict[str, Any] = {"description": response["description"]}
    if "headers" in response:
        out["headers"] = {
            name: {
                "description": header.get("description", name),
                "schema": bundler.rewrite(header["schema"], api.api),
            }
            for name, header in response["headers"].items()
        }
    if "schema" in response:
        media: dict[str, Any] = {
            "schema": bundler.schema_ref(*schema_target(api.api, response["schema"]))
        }
        examples = _examples(api.api, logical, status, response.get("fixtures", []))
        if examples:
            media["examples"] = examples
        out["content"] = {JSON: media}
    if "links" in response:
        out["links"] = {
            name: {
                "operationId": api.operation_id(link["operationId"]),
                "parameters": dict(link["parameters"]),
                **({"description": link["description"]} if "description" in link else {}),
            }
            for name, link in response["links"].items()
        }
    out.update(_extensions(response))
    if cases:
        out[EXTENSION] = cases
    return out


def _examples(api: str, operation: str, status: int, named: Iterable[str]) -> dict[str, Any]:
    """The documented examples of ``operation``'s ``status``, plus the fixtures ``named``."""
    wanted = set(named)
    found: list[Fixture] = [
        f
        for f in fixtures(api=api, kind="documented")
        if (f.operation == operation and f.status == status)
        or f.path.relative_to(f.path.parents[2]).as_posix() in wanted
    ]
    out: dict[str, Any] = {}
    for fixture in found:
        example: dict[str, Any] = {"summary": f"documented: {fixture.source or fixture.path.name}"}
        if fixture.note:
            example["description"] = fixture.note
        example["value"] = fixture.load()
        out[fixture.path.name.removesuffix(fixture.path.suffix)] = example
    return out

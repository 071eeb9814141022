"""Where each API's credentials travel, by name, read from its catalogue and schemas.

A catalogue's ``securitySchemes`` say where a credential goes (a query parameter, a header,
a cookie, HTTP ``Authorization``) and mark with ``x-secret`` those whose value is secret;
the request and response schemas mark secret body fields the same way. Every list of
secret names in the kit (redaction, the journal, drift) is read from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from statuskit.catalogue import operation
from statuskit.registry import SchemaRegistry, default_registry

__all__ = [
    "Carrier",
    "Where",
    "carriers",
    "login_fields",
    "raw_entry",
    "response_secret",
    "secret_names",
]

#: Where a credential travels: a query parameter, a header, a cookie or a body field.
Where = Literal["query", "header", "cookie", "body"]


@dataclass(frozen=True)
class Carrier:
    """One place a credential travels: ``("query", "token")``, ``("header", "Cookie")``.

    ``credential`` is the scheme's ``x-statuskit-credential`` tag (``token``, ``session``)
    or, for a body field, the schema that holds it; ``scheme`` is the HTTP scheme for
    ``Authorization`` (``basic``, ``bearer``), ``cookie`` for the ``Cookie`` and
    ``Set-Cookie`` headers a cookie travels in, else ``None``.
    """

    where: Where
    name: str
    credential: str
    secret: bool
    scheme: str | None = None


def _resolve(registry: SchemaRegistry | None) -> SchemaRegistry:
    return registry or default_registry()


def _apis(registry: SchemaRegistry) -> tuple[str, ...]:
    # The admin API's token is the kit's own, not a vendor wire: the redaction of STATUSKIT_*
    # values covers it.
    return tuple(a for a in registry.catalogued() if a != "admin")


@functools.cache
def _catalogue(registry: SchemaRegistry, api: str) -> dict[str, Any]:
    return registry.catalogue(api)


def raw_entry(
    api: str, operation_id: str, registry: SchemaRegistry | None = None
) -> dict[str, Any]:
    """The catalogue's entry for ``operation_id``, as written."""
    for entry in _catalogue(_resolve(registry), api)["operations"]:
        if entry["operationId"] == operation_id:
            return dict(entry)
    raise KeyError(f"{api} has no operationId {operation_id!r}")


def _scheme_carriers(scheme: dict[str, Any]) -> list[Carrier]:
    tag, secret = scheme.get("x-statuskit-credential", ""), bool(scheme.get("x-secret"))
    if scheme["type"] == "http":
        return [Carrier("header", "Authorization", tag, secret, scheme["scheme"])]
    where = scheme["in"]
    found = [Carrier(where, scheme["name"], tag, secret)]
    if where == "cookie":
        found += [Carrier("header", h, tag, secret, "cookie") for h in ("Cookie", "Set-Cookie")]
    return found


def _schema_names(registry: SchemaRegistry, api: str, entry: dict[str, Any]) -> list[str]:
    """The request and response body schemas an operation names."""
    names = list(entry.get("requestBody", {}).get("content", {}).values())
    names += [r.get("schema") for r in entry["responses"].values()]
    return [n for n in names if isinstance(n, str) and n in registry.names(api)]


@functools.cache
def _carriers(registry: SchemaRegistry, api: str) -> tuple[Carrier, ...]:
    catalogue = _catalogue(registry, api)
    # In the catalogue's order (the touchpoint before the token), each carrier once.
    found: dict[Carrier, None] = {}
    for scheme in catalogue.get("securitySchemes", {}).values():
        found.update(dict.fromkeys(_scheme_carriers(scheme)))
    schemas = {n for e in catalogue["operations"] for n in _schema_names(registry, api, e)}
    for name in sorted(schemas):
        for key, node in registry.source(api, name).get("properties", {}).items():
            if node.get("x-secret"):
                found[Carrier("body", key, name, True)] = None
    return tuple(found)


def carriers(
    api: str | None = None, *, registry: SchemaRegistry | None = None
) -> tuple[Carrier, ...]:
    """Every place ``api``'s credentials travel (every API's when ``None``), secret or not,
    in the catalogue's order."""
    reg = _resolve(registry)
    apis = (api,) if api is not None else _apis(reg)
    return tuple(dict.fromkeys(c for a in apis for c in _carriers(reg, a)))


def secret_names(
    api: str | None = None,
    *,
    where: Where | None = None,
    registry: SchemaRegistry | None = None,
) -> tuple[str, ...]:
    """The one list of ``api``'s secret names (of every API's when ``None``), sorted:
    query parameters, headers (``Authorization``, ``Cookie``, ``Set-Cookie`` included),
    cookies and body fields whose value is a credential; only those ``where`` if given."""
    reg = _resolve(registry)
    apis = (api,) if api is not None else _apis(reg)
    return tuple(
        sorted(
            {
                c.name
                for a in apis
                for c in _carriers(reg, a)
                if c.secret and (where is None or c.where == where)
            }
        )
    )


def login_fields(api: str, name: str, *, registry: SchemaRegistry | None = None) -> tuple[str, str]:
    """The request body fields of login operation ``name``: the user's (the required one
    that is not secret) and the secret's (``("username", "password")``)."""
    reg = _resolve(registry)
    entry = raw_entry(api, operation(api, name, registry=reg).ids[0], reg)
    [schema] = set(entry["requestBody"]["content"].values())
    properties = reg.source(api, schema)["properties"]
    required = reg.source(api, schema).get("required", [])
    users = [k for k in required if not properties[k].get("x-secret")]
    secrets = [k for k, v in properties.items() if v.get("x-secret")]
    if len(users) != 1 or len(secrets) != 1:
        raise ValueError(f"{api}/{schema}: expected one user field and one secret field")
    return users[0], secrets[0]


def response_secret(
    api: str, name: str, *, registry: SchemaRegistry | None = None
) -> tuple[str, str]:
    """The 200 body schema of login operation ``name`` and its one secret field
    (``("login-response", "utk")``)."""
    reg = _resolve(registry)
    entry = raw_entry(api, operation(api, name, registry=reg).ids[0], reg)
    schema = entry["responses"]["200"]["schema"]
    properties = reg.source(api, schema)["properties"]
    [field] = [k for k, v in properties.items() if v.get("x-secret")]
    return schema, field

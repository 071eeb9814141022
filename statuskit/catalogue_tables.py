"""``docs/wire.md``'s error-case tables, rendered from the catalogues.

Each API's table sits between ``<!-- error-cases:<api> -->`` and ``<!-- /error-cases -->``
and is never edited by hand: a row per error case (a case shared by several operations is
one row naming them all), with its status, its code, the request that triggers it in words,
and its provenance with the source. ``tests/test_wire_docs.py`` checks the page against
:func:`render`; after a catalogue change,

    python -m statuskit.catalogue_tables docs/wire.md

rewrites the tables in place (``--check`` only says whether they are current: exit 1 if
not). Exit 2, in one line, when the page cannot be read or names an API with no catalogue.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from statuskit._catalogue_names import load
from statuskit.catalogue import CaseRequest, ErrorCase, Operation, operations
from statuskit.errors import StatuskitError
from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["BLOCK", "main", "render", "replace", "trigger"]

#: A table's place in a page: the API's name, then the table.
BLOCK = re.compile(
    r"(<!-- error-cases:(?P<api>[a-z]+) -->\n)(?P<table>.*?)(<!-- /error-cases -->)", re.S
)
_HEAD = (
    "| operation | status | code | trigger: the valid request, but | provenance |",
    "|---|---|---|---|---|",
)


def _code(value: str) -> str:
    return f"`{value}`"


def _value(op: Operation, where: str, name: str, value: Any) -> str:
    """A value of the request delta in words."""
    if isinstance(value, Mapping) and "setting" in value:
        return f"the `{value['setting']}` setting"
    if isinstance(value, Mapping) and value.get("overMaxLength"):
        return f"{len(op.over_max_length(where, name))} characters"
    return _code(str(value)) if isinstance(value, str) else _code(json.dumps(value))


def _part(op: Operation, where: str, label: str, values: Mapping[str, Any]) -> list[str]:
    out = []
    for name, value in values.items():
        if value is None:
            out.append(f"{label} `{name}` left out")
        else:
            out.append(f"{label} `{name}` = {_value(op, where, name, value)}")
    return out


def _body(body: Mapping[str, Any]) -> str:
    if "json" in body:
        return f"the JSON body {_code(json.dumps(body['json']))}"
    if "form" in body:
        return f"the form {_code(json.dumps(body['form']))}"
    if "multipart" in body:
        return f"a multipart body without a file, {_code(json.dumps(body['multipart']))}"
    return f"a `{body['contentType']}` body {_code(body['text'])}"


def trigger(op: Operation, request: CaseRequest) -> str:
    """The change to ``op``'s valid request that makes the case, in words."""
    parts = [
        *_part(op, "credentials", "credential", request.credentials),
        *_part(op, "path", "path", request.path),
        *_part(op, "query", "query", request.query),
        *_part(op, "header", "header", request.headers),
    ]
    if request.body is not None:
        parts.append(_body(request.body))
    if request.logged_in:
        parts.append("sent with a live session")
    if request.repeat != 1:
        parts.append(f"sent {request.repeat} times")
    return "; ".join(parts) if parts else "nothing changed"


def _provenance(op: Operation, case: ErrorCase) -> str:
    status, code = op.documented(case)
    mark = "**[DOC]**" if status else "**[KIT]**"
    if status and not code:
        mark = "**[DOC status, KIT body]**"
    return f"{mark} {case.provenance.source}"


def _cell(text: str) -> str:
    # A "|" would end the cell; a newline would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


def _what(op: Operation, case: ErrorCase) -> str:
    what = trigger(op, case.request)
    extra = [case.note] if case.note else []
    if case.requires and f"`{case.requires}`" not in what:
        extra.append(f"needs the `{case.requires}` setting")
    if case.mock_only and "mock only" not in case.note:
        extra.append("mock only")
    return what + "".join(f" ({e})" for e in extra)


def _row(ops: Sequence[tuple[Operation, Sequence[str]]], case: ErrorCase) -> str:
    op = ops[0][0]
    cells = [
        ", ".join(_where(o, ids) for o, ids in ops),
        str(case.status),
        _code(case.code) if case.code else "no body",
        _what(op, case),
        _provenance(op, case),
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _where(op: Operation, ids: Sequence[str]) -> str:
    # Only some of the operation's routes have the case: name them (Tealium's v1 or v2).
    routes = "" if len(ids) == len(op.ids) else f" ({', '.join(f'`{i}`' for i in ids)})"
    return f"`{op.name}`{routes}"


def _routes(op: Operation) -> dict[str, list[str]]:
    """Which of ``op``'s routes (operationIds) has each of its cases, by case name."""
    out: dict[str, list[str]] = {}
    for op_id in op.ids:
        for case in op.cases_on(op_id):
            out.setdefault(case.name, []).append(op_id)
    return out


def _carrier(scheme: Mapping[str, Any]) -> str:
    if scheme["type"] == "http":
        return f"HTTP {scheme['scheme'].title()}"
    return f"{scheme['in']} `{scheme['name']}`"


def _credentials(catalogue: Mapping[str, Any]) -> str:
    """What each credential name of the triggers stands for, from the security groups: a
    factor's schemes are alternatives ("or"), a group's factors all go ("and")."""
    schemes = catalogue["securitySchemes"]
    found: dict[str, dict[str, list[str]]] = {}  # credential -> description -> groups
    for group, factors in catalogue["security"].items():
        described: dict[str, list[str]] = {}
        for factor in factors:
            for name in (n for n in factor if n is not None):
                credential = schemes[name].get("x-statuskit-credential", name)
                carriers = described.setdefault(credential, [])
                alternatives = " or ".join(_carrier(schemes[n]) for n in factor if n is not None)
                if alternatives not in carriers:
                    carriers.append(alternatives)
        for credential, carriers in described.items():
            groups = found.setdefault(credential, {}).setdefault(" and ".join(carriers), [])
            groups.append(group)
    out = []
    for credential, descriptions in found.items():
        if len(descriptions) == 1:
            out.append(f"`{credential}` = {next(iter(descriptions))}")
        else:
            each = (f"{d} ({', '.join(g)})" for d, g in descriptions.items())
            out.append(f"`{credential}` = {'; or '.join(each)}")
    return "; ".join(out)


def render(api: str, *, registry: SchemaRegistry | None = None) -> str:
    """``api``'s error-case table (Markdown, ending in a newline), after the operations'
    routes and the credentials the triggers name; a case shared by operations is one row
    when its provenance reads the same for each."""
    registry = registry or default_registry()
    catalogue = load(registry, api)
    rows: list[tuple[ErrorCase, list[tuple[Operation, list[str]]]]] = []
    ops = operations(api, registry=registry)
    for op in ops:
        routes = _routes(op)
        for case in op.errors:
            here = (op, routes[case.name])
            same = next((r for r in rows if r[0] == case and _same(r[1][0][0], op, case)), None)
            if same is None:
                rows.append((case, [here]))
            else:
                same[1].append(here)
    lines = [
        "Operations: " + "; ".join(_operation(op) for op in ops) + ".",
        "",
        f"Credentials: {_credentials(catalogue)}.",
        "",
        *_HEAD,
        *(_row(o, c) for c, o in rows),
    ]
    return "\n".join(lines) + "\n"


def _operation(op: Operation) -> str:
    return f"`{op.name}` {op.method} " + ", ".join(f"`{t}`" for t in op.templates)


def _same(first: Operation, other: Operation, case: ErrorCase) -> bool:
    # One row only where the provenance column reads the same for both operations.
    return first.documented(case) == other.documented(case)


def replace(text: str, *, registry: SchemaRegistry | None = None) -> str:
    """``text`` with every error-case table rendered afresh."""
    return BLOCK.sub(
        lambda m: m[1] + render(m["api"], registry=registry) + m[4],
        text,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with ``--check``, compare) the tables of the pages named."""
    parser = argparse.ArgumentParser(prog="python -m statuskit.catalogue_tables")
    parser.add_argument("pages", nargs="+", type=Path, help="Markdown pages, e.g. docs/wire.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    args = parser.parse_args(argv)
    stale = []
    try:
        for page in args.pages:
            text = page.read_text(encoding="utf-8")
            if not BLOCK.search(text):
                raise StatuskitError(f"{page}: no <!-- error-cases:<api> --> block")
            fresh = replace(text)
            if fresh != text:
                stale.append(page)
                if not args.check:
                    page.write_text(fresh, encoding="utf-8")
    except (OSError, StatuskitError) as exc:
        print(f"statuskit: {exc}", file=sys.stderr)
        return 2
    for page in stale:
        print(f"{page}: {'stale' if args.check else 'rewritten'}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())

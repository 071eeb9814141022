"""Generate ``statuskit/client/_models.py`` from the tolerant schemas.

Run ``python -m statuskit.client._codegen`` after changing a schema (``--check`` exits 1
when the file is stale; a test does the same). The generator walks each record schema
through the registry, follows ``$ref``\\ s, and emits one frozen dataclass per object that
declares ``properties``: the schema's required keys become required fields, its other keys
optional ones (``None`` when absent), and the JSON types Python types. Field names are the
wire names in snake case (``creationDate`` → ``creation_date``, ``$oid`` → ``oid``). Unknown
keys land in each model's ``extra``. A shape the generator cannot type (an untyped value, a
union, an array of arrays, a key both optional and nullable) stops it with an error rather
than produce a model that loses data.

Only class *names* are chosen here; every field comes from the schemas.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["OUTPUT", "main", "render"]

OUTPUT = Path(__file__).with_name("_models.py")

#: The records the client returns, and their class names.
RECORDS: dict[tuple[str, str], str] = {
    ("thalamus", "import-record"): "ImportRecord",
    ("thalamus", "import-page"): "ImportPage",
    ("tealium", "file-status"): "FileStatus",
    ("tealium", "count"): "FileCount",
}
#: Names for shared definitions whose own name says too little.
DEFINITIONS: dict[tuple[str, str, str], str] = {
    ("tealium", "common", "/$defs/date"): "MongoDate",
    ("tealium", "common", "/$defs/objectId"): "MongoObjectId",
}
_RESERVED = frozenset({"extra", "to_json", "from_json", "field", "LOCATION"})
_SCALARS = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}
_WIDTH = 100


class CodegenError(ValueError):
    """A schema shape the generator cannot turn into a typed model."""


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name) if part)


def _snake(wire: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_]", "", wire).lstrip("_")
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return f"{name}_" if keyword.iskeyword(name) or name in _RESERVED else name


@dataclass
class _Type:
    """How one value is annotated, read and written."""

    annotation: str
    kinds: str = ""  # the reader's kinds constant, for scalars and scalar arrays
    model: str = ""  # the model class, for objects and arrays of objects
    array: bool = False
    nullable: bool = False


@dataclass
class _Field:
    wire: str
    name: str
    type: _Type
    required: bool


@dataclass
class _Class:
    name: str
    location: tuple[str, str, str]
    doc: str
    fields: list[_Field] = field(default_factory=list)


class _Generator:
    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.classes: dict[tuple[str, str, str], _Class] = {}
        self.order: list[_Class] = []
        self.kinds: set[str] = set()

    def _contents(self, uri: str) -> tuple[Any, str, tuple[str, str, str]]:
        document, _, pointer = uri.partition("#")
        node: Any = self.registry.registry.contents(document)
        for part in [p for p in pointer.split("/") if p]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        api, name = document.removesuffix(".json").split("/")[-2:]
        return node, document, (api, name, pointer)

    def record(self, api: str, name: str, class_name: str) -> None:
        uri = self.registry.uri(api, name, strict=False)
        schema, document, location = self._contents(uri)
        self._class(schema, document, location, class_name, self._doc(schema, location))

    @staticmethod
    def _doc(schema: dict[str, Any], location: tuple[str, str, str]) -> str:
        api, name, pointer = location
        text = schema.get("title", "") + ". " + schema.get("description", "")
        where = f"{api}/{name}.json{'#' + pointer if pointer else ''}"
        return f"{text.strip(' .')}.\n\nSchema: ``{where}`` (tolerant)."

    def _class(
        self,
        schema: dict[str, Any],
        document: str,
        location: tuple[str, str, str],
        name: str,
        doc: str,
    ) -> str:
        found = self.classes.get(location)
        if found is not None:
            return found.name
        spec = self.classes[location] = _Class(name, location, doc)
        required = set(schema.get("required", ()))
        api, doc_name, pointer = location
        for wire, sub in schema["properties"].items():
            where = (api, doc_name, f"{pointer}/properties/{wire}")
            kind = self._type(sub, document, where, f"{name}{_camel(wire)}", wire, name)
            if wire not in required and kind.nullable:
                raise CodegenError(f"{where}: an optional nullable key cannot be told from absent")
            spec.fields.append(_Field(wire, _snake(wire), kind, wire in required))
        names = [f.name for f in spec.fields]
        if len(set(names)) != len(names):
            raise CodegenError(f"{location}: two keys map to one field name: {names}")
        self.order.append(spec)
        return name

    def _type(
        self,
        schema: dict[str, Any],
        document: str,
        location: tuple[str, str, str],
        inline_name: str,
        wire: str,
        owner: str,
    ) -> _Type:
        if "$ref" in schema:
            target, document, location = self._contents(urljoin(document, schema["$ref"]))
            api, name, pointer = location
            if pointer.startswith("/$defs/"):
                inline_name = DEFINITIONS.get(location, _camel(pointer.rsplit("/", 1)[1]))
            else:
                inline_name = RECORDS.get((api, name), _camel(name))
            return self._type(target, document, location, inline_name, wire, owner)
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        nullable = "null" in types
        types = [t for t in types if t != "null"]
        if len(types) != 1:
            raise CodegenError(f"{location}: cannot type {schema.get('type')!r}")
        [kind] = types
        suffix = " | None" if nullable else ""
        if kind in _SCALARS:
            return self._scalar(_SCALARS[kind], kind.upper(), nullable)
        if kind == "object" and "properties" not in schema:
            return self._scalar("Mapping[str, Any]", "OBJECT", nullable)
        if kind == "object":
            doc = f"The ``{wire}`` object of :class:`{owner}`."
            if location[2] == "" or location[2].startswith("/$defs/"):
                doc = self._doc(schema, location)
            else:
                doc += f"\n\nSchema: ``{location[0]}/{location[1]}.json#{location[2]}`` (tolerant)."
            cls = self._class(schema, document, location, inline_name, doc)
            return _Type(f"{cls}{suffix}", model=cls, nullable=nullable)
        if kind == "array":
            item_location = (location[0], location[1], f"{location[2]}/items")
            item = self._type(
                schema.get("items", {}), document, item_location, inline_name, wire, owner
            )
            if item.array or item.nullable:
                raise CodegenError(f"{location}: arrays of arrays or of nulls are not supported")
            return _Type(
                f"tuple[{item.annotation}, ...]{suffix}",
                kinds=item.kinds,
                model=item.model,
                array=True,
                nullable=nullable,
            )
        raise CodegenError(f"{location}: unknown JSON type {kind!r}")

    def _scalar(self, annotation: str, kinds: str, nullable: bool) -> _Type:
        constant = f"_r.{kinds}"
        if nullable:
            constant = f"_{kinds}_OR_NULL"
            self.kinds.add(kinds)
        return _Type(
            f"{annotation}{' | None' if nullable else ''}", kinds=constant, nullable=nullable
        )


def _reader(f: _Field) -> str:
    t, args = f.type, f'd, "{f.wire}", path'
    if not t.model and not t.array:
        return f"_r.scalar({args}, {t.kinds}, {f.required})"
    helper, what = ("models", f"{t.model}._read") if t.model else ("scalars", t.kinds)
    if t.model and not t.array:
        helper = "model"
    if f.required and not t.nullable:
        return f"_r.{helper}({args}, {what})"
    return f"_r.{helper}_or_none({args}, {what}, {f.required})"


def _call(prefix: str, call: str, suffix: str) -> str:
    """``prefix + call + suffix``, with the call's arguments on their own line when the
    whole is too long, as ruff formats it."""
    line = f"{prefix}{call}{suffix}"
    if len(line) <= _WIDTH:
        return line
    head, _, args = call.partition("(")
    indent = " " * (len(prefix) - len(prefix.lstrip()))
    return f"{prefix}{head}(\n{indent}    {args[:-1]}\n{indent}){suffix}"


def _writer(f: _Field) -> str:
    value, t = f"self.{f.name}", f.type
    if t.model and t.array:
        out = f"[item.to_json() for item in {value}]"
    elif t.model:
        out = f"{value}.to_json()"
    elif t.array:
        out = f"list({value})"
    elif t.annotation.startswith("Mapping"):
        out = f"dict({value})"
    else:
        return value
    return f"None if {value} is None else {out}" if t.nullable else out


def _docstring(text: str, indent: str) -> list[str]:
    paragraphs = [textwrap.fill(p, _WIDTH - len(indent) - 6) for p in text.split("\n\n")]
    body = "\n\n".join(paragraphs).splitlines()
    if len(body) == 1 and len(indent) + len(body[0]) + 6 <= _WIDTH:
        return [f'{indent}"""{body[0]}"""']
    lines = [f'{indent}"""{body[0]}'] + [f"{indent}{line}" if line else "" for line in body[1:]]
    return [*lines, f'{indent}"""']


def _emit(spec: _Class) -> list[str]:
    api, name, pointer = spec.location
    lines = [
        "",
        "",
        "@dataclass(frozen=True, slots=True, kw_only=True)",
        f"class {spec.name}(Model):",
    ]
    lines += _docstring(spec.doc, "    ")
    # Trailing commas keep these exploded, one item a line, as ruff formats them.
    lines += ["", "    LOCATION: ClassVar[tuple[str, str, str]] = ("]
    lines += [f'        "{part}",' for part in (api, name, pointer)]
    lines += ["    )", "    _KNOWN: ClassVar[frozenset[str]] = frozenset(", "        {"]
    lines += [f'            "{wire}",' for wire in sorted(f.wire for f in spec.fields)]
    lines += ["        }", "    )", ""]
    for f in spec.fields:
        default = "" if f.required else " = None"
        optional = "" if f.required or f.type.nullable else " | None"
        comment = f"  # {f.wire}" if f.wire != f.name else ""
        lines.append(f"    {f.name}: {f.type.annotation}{optional}{default}{comment}")
    lines += [
        "    extra: Mapping[str, Any] = field(default_factory=dict)",
        "",
        "    @classmethod",
        "    def _read(cls, data: Any, path: str) -> Self:",
        "        d = _r.obj(data, path)",
        "        return cls(",
    ]
    lines += [_call(f"            {f.name}=", _reader(f), ",") for f in spec.fields]
    lines += [
        "            extra=_r.extra(d, cls._KNOWN),",
        "        )",
        "",
        "    def to_json(self) -> dict[str, Any]:",
        "        out: dict[str, Any] = {",
    ]
    lines += [f'            "{f.wire}": {_writer(f)},' for f in spec.fields if f.required]
    lines.append("        }")
    for f in spec.fields:
        if not f.required:
            lines += [
                f"        if self.{f.name} is not None:",
                f'            out["{f.wire}"] = {_writer(f)}',
            ]
    lines += ["        out.update(self.extra)", "        return out"]
    return lines


_HEADER = '''\
"""The record models, generated from the tolerant schemas by ``statuskit.client._codegen``.

Do not edit: run ``python -m statuskit.client._codegen`` after changing a schema. A test
fails while this file is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import statuskit.client._reader as _r
from statuskit.client._reader import Model
'''


def render(registry: SchemaRegistry | None = None) -> str:
    """The source of ``_models.py`` for the schemas in ``registry``."""
    gen = _Generator(registry or default_registry())
    for (api, name), class_name in RECORDS.items():
        gen.record(api, name, class_name)
    names = sorted(spec.name for spec in gen.order)
    lines = _HEADER.splitlines()
    lines += ["", "__all__ = [", *(f'    "{n}",' for n in names), "]", ""]
    lines += [f"_{k}_OR_NULL = _r.{k} | _r.NULL" for k in sorted(gen.kinds)]
    for spec in gen.order:
        lines += _emit(spec)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``_models.py``, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(prog="python -m statuskit.client._codegen")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    source = render()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        print(f"{OUTPUT} is {'current' if current == source else 'stale'}")
        return 0 if current == source else 1
    if current != source:
        OUTPUT.write_text(source, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Mutations of each documented example: strict mode rejects every one; tolerant mode
accepts an unknown key and an unknown state, and still rejects the rest."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from statuskit.fixtures import Fixture, fixtures
from statuskit.registry import SchemaRegistry
from tests.helpers import key_paths, set_at

DOCUMENTED_200 = [f for f in fixtures(kind="documented") if f.status == 200]


def drop_required(registry: SchemaRegistry, fixture: Fixture, doc: dict[str, Any]) -> str:
    field = registry.source(fixture.api, fixture.schema)["required"][0]
    del doc[field]
    return "required"


def change_type(registry: SchemaRegistry, fixture: Fixture, doc: dict[str, Any]) -> str:
    # An integer field turned into a string, the commonest real-world retyping.
    path = next(key_paths(doc, "size" if fixture.api == "tealium" else "rows"))
    set_at(doc, path, str(doc_at(doc, path)))
    return "type"


def unknown_key(registry: SchemaRegistry, fixture: Fixture, doc: dict[str, Any]) -> str:
    doc["surpriseField"] = True
    return "additionalProperties"


def unknown_state(registry: SchemaRegistry, fixture: Fixture, doc: dict[str, Any]) -> str:
    path = next(key_paths(doc, "state"))
    set_at(doc, path, "QUEUED_FOR_REVIEW")
    return "enum"


def doc_at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


Mutation = Callable[[SchemaRegistry, Fixture, dict[str, Any]], str]
MUTATIONS: dict[str, tuple[Mutation, bool]] = {
    # name: (mutation, accepted by the tolerant reader)
    "dropped-required-field": (drop_required, False),
    "changed-type": (change_type, False),
    "unknown-key": (unknown_key, True),
    "unknown-state": (unknown_state, True),
}


@pytest.mark.parametrize("fixture", DOCUMENTED_200, ids=lambda f: f.api)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_documented_example(
    registry: SchemaRegistry, fixture: Fixture, mutation: str
) -> None:
    mutate, tolerated = MUTATIONS[mutation]
    doc = copy.deepcopy(fixture.load())
    keyword = mutate(registry, fixture, doc)

    strict = registry.validate(fixture.api, fixture.schema, doc)
    assert [f.keyword for f in strict] == [keyword]

    tolerant = registry.validate(fixture.api, fixture.schema, doc, strict=False)
    assert (tolerant == []) is tolerated

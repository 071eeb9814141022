"""The error tree in ``statuskit/errors.py``'s docstring is the tree the classes form."""

from __future__ import annotations

import inspect
import re

import pytest

import statuskit.errors as errors

# "     ├── Name (Builtin)    description", each level indented five more columns.
LINE = re.compile(r"(?P<branch>[├└])── (?P<name>\w+)(?: \((?P<builtin>\w+)\))?")


def documented_tree() -> dict[str, tuple[str, str | None]]:
    """Each documented class: its documented parent and builtin."""
    tree: dict[str, tuple[str, str | None]] = {}
    stack = ["StatuskitError"]
    for line in (errors.__doc__ or "").splitlines():
        match = LINE.search(line)
        if not match:
            continue
        depth = (match.start() - 5) // 5
        del stack[depth + 1 :]
        tree[match["name"]] = (stack[depth], match["builtin"])
        stack.append(match["name"])
    return tree


def test_the_docstring_tree_matches_the_classes() -> None:
    tree = documented_tree()
    classes = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, errors.StatuskitError)
    }
    assert set(tree) == classes - {"StatuskitError"}
    for name, (parent, builtin) in tree.items():
        cls = getattr(errors, name)
        statuskit_bases = [b for b in cls.__bases__ if issubclass(b, errors.StatuskitError)]
        assert [b.__name__ for b in statuskit_bases] == [parent], name
        other = [b.__name__ for b in cls.__bases__ if not issubclass(b, errors.StatuskitError)]
        assert other == ([builtin] if builtin else []), name


def test_errors_are_keyword_constructed() -> None:
    error = errors.RateLimitedError("slow down", retry_after=2.5, request="req", response="resp")
    assert (error.status_code, error.retry_after, error.request, error.response) == (
        429,
        2.5,
        "req",
        "resp",
    )
    with pytest.raises(TypeError):
        errors.NotFoundError("gone", 404)  # type: ignore[call-arg]
    assert errors.InvalidRequestError("bad", status_code=400, errors={"id": "X"}).errors == {
        "id": "X"
    }

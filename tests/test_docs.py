"""Every Python example in the project's Markdown documents runs and its assertions hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.process import serve_process

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted([REPO / "README.md", REPO / "ARCHITECTURE.md", *REPO.glob("docs/*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
EXAMPLES = [
    pytest.param(code, id=f"{doc.name}:{n}")
    for doc in DOCS
    for n, code in enumerate(BLOCK.findall(doc.read_text(encoding="utf-8")), 1)
]


def test_the_readme_has_examples() -> None:
    assert any("README.md" in str(p.id) for p in EXAMPLES)


SERVE_URL = "http://127.0.0.1:8080"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A real ``statuskit serve``, for examples written against its default URL."""
    with serve_process() as running:
        yield running.base_url


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str, request: pytest.FixtureRequest) -> None:
    if SERVE_URL in code:
        # Written for the README's main command; run against a server on a free port.
        code = code.replace(SERVE_URL, request.getfixturevalue("served"))
    exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})

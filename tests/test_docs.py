"""Every Python example in the project's Markdown documents runs and its assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str) -> None:
    exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})

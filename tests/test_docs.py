"""Every Python example in the project's Markdown documents runs and its assertions hold."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.process import serve_process
from tests.settings import USER_SETTINGS

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted([REPO / "README.md", REPO / "ARCHITECTURE.md", *REPO.glob("docs/*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
BLOCKS = [
    (f"{doc.name}:{n}", code)
    for doc in DOCS
    for n, code in enumerate(BLOCK.findall(doc.read_text(encoding="utf-8")), 1)
]
#: Examples that are test files (they start ``# test_<name>.py``) run under pytest.
TEST_FILE = re.compile(r"# (test_\w+)\.py\n")
EXAMPLES = [pytest.param(code, id=name) for name, code in BLOCKS if not TEST_FILE.match(code)]
TEST_FILES = [pytest.param(code, id=name) for name, code in BLOCKS if TEST_FILE.match(code)]


def test_the_readme_has_examples() -> None:
    assert any("README.md" in str(p.id) for p in EXAMPLES)
    assert any("README.md" in str(p.id) for p in TEST_FILES)


@pytest.fixture(scope="module", params=["defaults", "user settings"])
def settings(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The examples hold with the kit's defaults and with a user's own ``STATUSKIT_*``."""
    chosen = USER_SETTINGS if request.param == "user settings" else {}
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("STATUSKIT_"):
                patch.delenv(name)
        for name, value in chosen.items():
            patch.setenv(name, value)
        yield chosen


@pytest.mark.parametrize("code", TEST_FILES)
def test_example_test_files_pass(
    code: str, pytester: pytest.Pytester, settings: dict[str, str]
) -> None:
    match = TEST_FILE.match(code)
    assert match is not None
    pytester.makepyfile(**{match[1]: code})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=code.count("\ndef test_"))


SERVE_URL = "http://127.0.0.1:8080"


@pytest.fixture(scope="module")
def served(settings: dict[str, str]) -> Iterator[str]:
    """A real ``statuskit serve`` with the same settings, for examples written against its
    default URL."""
    with serve_process(env=dict(os.environ)) as running:
        yield running.base_url


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str, request: pytest.FixtureRequest, settings: dict[str, str]) -> None:
    if SERVE_URL in code:
        # Written for the README's main command; run against a server on a free port.
        code = code.replace(SERVE_URL, request.getfixturevalue("served"))
    exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})

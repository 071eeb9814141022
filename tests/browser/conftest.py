"""Headless Chromium for the browser tests: the dashboard and the HTML reports, as a person
sees them.

Playwright for Python drives Debian's ``/usr/bin/chromium`` (never a browser of its own
download: the machine reaches no host but the package registries). Each test starts
Chromium on a fresh profile in its temporary folder, with every background service off, so
it asks nothing of the network by itself; a page's request for anything off this machine is
kept and then aborted, so a test sees it and nothing leaves. Outside CI the tests skip when
Chromium or Playwright is missing; in CI (``CI`` set) they fail: ``.ci/run`` installs both.

Each test gets a :class:`Watched` page: a fresh browser context whose console errors, page
errors and requested URLs are kept, so a test can assert that nothing went wrong and that
nothing left the machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.postgres import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Playwright, Request, Route

CHROMIUM = os.environ.get("STATUSKIT_TEST_CHROMIUM", "/usr/bin/chromium")

#: The flags the issue asks for: headless, and nothing that phones home. The fresh
#: ``--user-data-dir`` is added per launch.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: Where a page may load from: the test's own servers and files, and inline data.
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine: a loopback host, a file, or inline data."""
    parts = urlsplit(url)
    return parts.scheme in _LOCAL_SCHEMES or (parts.hostname or "") in _LOCAL_HOSTS


class Watched:
    """A page with what it said and asked for: console errors, page errors, and URLs."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))
        page.on("request", self._request)
        page.route("**/*", self._local_only)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"console: {message.text}")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    @staticmethod
    def _local_only(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def external(self) -> list[str]:
        """Every URL the page asked for that would leave this machine."""
        return [url for url in self.requests if not is_local(url)]

    def shot(self, name: str) -> Path:
        """A full-page screenshot, kept in the test's temporary folder."""
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver, for one test: its sync API runs an asyncio loop in this thread
    while it lives, and a loop left running would break every later test that runs one."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"Playwright for Python is not installed ({exc})")
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def watched(playwright_driver: Playwright, tmp_path: Path) -> Iterator[Watched]:
    """Debian's Chromium, headless, on a fresh profile of this test's own (no cookie or
    storage from another test), with one watched page."""
    # Playwright takes the profile folder as an argument of its own: it refuses
    # --user-data-dir among the flags, and passes it to Chromium itself.
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=list(FLAGS),
        viewport={"width": 1280, "height": 900},
    )
    try:
        yield Watched(context.pages[0] if context.pages else context.new_page(), tmp_path)
    finally:
        context.close()

"""The browser harness itself: a local page loads, and a request off the machine is seen."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import Watched, is_local


def test_a_local_page_renders_and_is_screenshotted(watched: Watched, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>t</title><link rel=icon href='data:,'><p id=p>hi</p>")
    watched.page.goto(page.as_uri())
    assert watched.page.inner_text("#p") == "hi"
    assert watched.console_errors == []
    assert watched.external() == []
    assert watched.shot("page").stat().st_size > 0


def test_an_external_url_is_caught_without_leaving_the_machine(
    watched: Watched, tmp_path: Path
) -> None:
    # The image names a host outside; the harness records it and aborts it here.
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><link rel=icon href='data:,'><img src='https://example.org/x.png'>"
    )
    watched.page.goto(page.as_uri())
    assert watched.external() == ["https://example.org/x.png"]


def test_is_local() -> None:
    assert is_local("http://127.0.0.1:5000/__admin/ui/")
    assert is_local("data:image/svg+xml,<svg/>")
    assert not is_local("https://cdn.example.com/lib.js")

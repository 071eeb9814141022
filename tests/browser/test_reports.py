"""The HTML reports as a person opens them: each made by its command (``statuskit drift
--format html``, ``statuskit proxy --format html --report``, ``statuskit check --html``),
opened from disk in headless Chromium, where its table and its picture render, nothing is
logged as an error and nothing is asked of any other file or host."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import httpx

from mockserver.process import serve_process
from statuskit.cli import main
from statuskit.client import ThalamusClient
from tests.browser.conftest import Watched
from tests.drift.test_html_report import drifted
from tests.helpers import served, statuskit
from tests.proxy.test_cli import running

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts"


def opened(watched: Watched, report: Path) -> None:
    """Open ``report`` from disk: it loads nothing but itself and logs no error."""
    watched.page.goto(report.as_uri())
    watched.page.wait_for_load_state("load")
    assert watched.console_errors == []
    assert watched.external() == []
    assert [url for url in watched.requests if not url.startswith("data:")] == [report.as_uri()]


def shown(watched: Watched, selector: str) -> int:
    """How many elements match ``selector``, each asserted visible with an area."""
    found = watched.page.locator(selector)
    count = found.count()
    for index in range(count):
        element = found.nth(index)
        assert element.is_visible(), f"{selector} #{index} is hidden"
        box = element.bounding_box()
        assert box is not None, f"{selector} #{index} has no box"
        assert box["width"] > 0, f"{selector} #{index} has no width"
        assert box["height"] > 0, f"{selector} #{index} has no height"
    return count


def fill(watched: Watched, selector: str) -> str:
    """The colour the browser paints ``selector`` with."""
    painted: str = watched.page.locator(selector).first.evaluate(
        "element => getComputedStyle(element).fill"
    )
    return painted


def test_a_drift_report_renders_its_tables_and_picture(watched: Watched, tmp_path: Path) -> None:
    report = tmp_path / "drift.html"
    with served(drifted()) as url:
        args = ["drift", "--api", "thalamus", "--base-url", url, "--pace", "0", "--quiet"]
        assert main([*args, "--format", "html", "--output", str(report)]) == 1
    opened(watched, report)
    assert shown(watched, 'table[data-kind="documented"] tbody tr') == 2
    assert shown(watched, 'table[data-kind="kit-decisions"] tbody tr') == 4
    assert shown(watched, 'svg[data-chart="stacked-bars"]') == 1
    # get-status: a breaking segment, an info one, and the kit decisions apart.
    assert shown(watched, "rect[data-series]") == 3
    kit = fill(watched, 'rect[data-series="kit decision"]')
    assert kit != fill(watched, 'rect[data-series="breaking"]')
    assert watched.page.get_by_text("1 documented break; 4 kit decisions differ").is_visible()
    assert watched.shot("drift-report").stat().st_size > 0


def test_a_proxy_report_renders_its_table_and_picture(watched: Watched, tmp_path: Path) -> None:
    report = tmp_path / "proxy.html"
    with serve_process() as upstream:
        args = ("--upstream", upstream.base_url, "--report", str(report), "--format", "html")
        with running(*args) as proxy:
            with ThalamusClient.from_env(proxy.url) as thalamus:
                assert thalamus.get_status(274).id == 274
            # No touchpoint, token or session: what the application got wrong.
            answer = httpx.get(f"{proxy.url}/api/v4/import/status/274", timeout=30)
            assert "request-credential-missing" in answer.headers["x-statuskit-violations"]
            code, out = proxy.stop(signal.SIGINT)
    assert code == 1, out
    opened(watched, report)
    documented = shown(watched, 'table[data-kind="documented"] tbody tr')
    kit = shown(watched, 'table[data-kind="kit-decisions"] tbody tr')
    assert documented >= 1
    assert kit >= 1  # the session cookie: a kit decision, in its own table
    texts = watched.page.locator('table[data-kind="kit-decisions"] tbody tr').all_inner_texts()
    assert all("request-credential-missing" in t and "kit decision" in t for t in texts)
    assert shown(watched, 'svg[data-chart="stacked-bars"]') == 1
    # Every finding drawn once, in one segment per series of its operation.
    segments = watched.page.locator("rect[data-series]")
    assert shown(watched, "rect[data-series]") == segments.count() >= 2
    drawn = sum(
        int(segments.nth(i).get_attribute("data-count") or 0) for i in range(segments.count())
    )
    assert drawn == documented + kit
    assert watched.page.get_by_role("heading", name="statuskit proxy: all at").is_visible()
    assert watched.shot("proxy-report").stat().st_size > 0


def test_a_check_report_renders_its_outcomes_and_coverage(watched: Watched, tmp_path: Path) -> None:
    shutil.copy(CONTRACTS / "breaker.py", tmp_path / "breaker.py")
    report = tmp_path / "check.html"
    done = statuskit(
        tmp_path,
        *("check", "--api", "tealium", "--html", str(report)),
        *("--", "-p", "breaker", "-k", "151_characters"),
        STATUSKIT_BREAK="no-150-check",
    )
    assert done.returncode == 1, done.stdout[-2000:]
    opened(watched, report)
    assert shown(watched, 'table[data-kind="outcomes"] tbody tr') == 3
    failed = watched.page.locator('table[data-kind="outcomes"] tbody tr').first
    assert "failed" in failed.inner_text()
    assert shown(watched, 'svg[data-chart="progress-bars"]') == 1
    # The observed part of each bar that saw something: statuses, error cases, codes, fields.
    assert shown(watched, "rect[data-observed]") == 4
    assert watched.shot("check-report").stat().st_size > 0

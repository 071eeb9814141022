"""The dashboard (``/__admin/ui/``) as a person uses it, in headless Chromium: on a real
``statuskit serve`` (two workers) and a real ``statuskit proxy``, it loads with no console
error and nothing asked of another host, shows requests as they arrive, filters them, shows
one's scrubbed details, adds a fault that the next request meets, moves a timeline when the
clock advances, asks for the token on a protected server, and shows the proxy's findings.

Each wait is for what the page shows (Playwright's ``expect``), never a sleep.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from mockserver import create_app
from mockserver.admin._api import UI_COOKIE, UI_HEADER
from mockserver.process import serve_process
from statuskit.proxy._record import LIFECYCLES
from tests.browser.conftest import Watched
from tests.helpers import served
from tests.mock.served import Callers, login
from tests.mock.test_replay import record
from tests.proxy.test_cli import running

TOKEN = "dashboard-admin-token-4c1e"
#: Polls are once a second; a loaded CI machine gets room, and a pass never waits for it.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    """A real ``statuskit serve`` with two workers, for the module."""
    with serve_process("--workers", "2") as server:
        yield server.base_url


@pytest.fixture
def base(mock: str) -> str:
    """The server, reset: data, clock, faults and journal as they start."""
    assert httpx.post(f"{mock}/__admin/v1/reset", timeout=10).status_code == 204
    return mock


def opened(watched: Watched, base: str) -> Page:
    """The dashboard, loaded and reading."""
    page = watched.page
    answer = page.goto(f"{base}/__admin/ui/")
    assert answer is not None
    assert answer.status == 200
    expect(page.locator("body.ready")).to_have_count(1)
    expect(page.locator("#live")).to_have_text("live")
    return page


def admin(base: str, method: str, path: str, **kwargs: Any) -> Any:
    answer = httpx.request(method, f"{base}/__admin/v1/{path}", timeout=10, **kwargs)
    assert answer.is_success, answer.text
    return answer.json()


def clean(watched: Watched) -> None:
    assert watched.console_errors == []
    assert watched.external() == []


# -- the journal ----------------------------------------------------------------------------


def test_it_loads_clean_and_shows_requests_as_they_arrive(watched: Watched, base: str) -> None:
    page = opened(watched, base)
    expect(page.locator("#lifecycles")).to_be_visible()
    expect(page.locator("#clock")).to_be_visible()
    expect(page.locator("#findings")).to_be_hidden()
    page.evaluate("window.sameDocument = true")
    callers = login(base)
    assert callers.thalamus(274).status_code == 200
    assert callers.tealium().status_code == 200
    rows = page.locator("#journal-rows tr")
    expect(rows.filter(has_text="/api/v4/import/status/274")).to_have_count(1)
    expect(rows.filter(has_text="/files/sales-transaction_2016feb4v50.csv")).to_have_count(1)
    assert page.evaluate("window.sameDocument") is True  # no reload
    # The page has been reading the admin API every second: none of it was journaled.
    entries = admin(base, "GET", "journal")["entries"]
    assert [e["path"] for e in entries if e["method"] == "GET" and "/__admin/" in e["path"]] == []
    watched.shot("dashboard-journal")
    clean(watched)


def _visible(page: Page) -> list[str]:
    return [
        str(row.get_attribute("data-id")) for row in page.locator("#journal-rows tr:visible").all()
    ]


def test_the_filters_hide_and_show_entries(watched: Watched, base: str) -> None:
    page = opened(watched, base)
    callers = login(base)
    assert callers.thalamus(274).status_code == 200
    assert callers.thalamus(99999).status_code == 404
    assert callers.tealium().status_code == 200
    journal = {e["id"]: e for e in admin(base, "GET", "journal")["entries"]}
    expect(page.locator("#journal-rows tr")).to_have_count(len(journal))

    def shown_by(api: str = "", status: str = "", path: str = "") -> set[str]:
        page.select_option("#journal-api", api)
        page.fill("#journal-status", status)
        page.fill("#journal-path", path)
        return set(_visible(page))

    def ids(test: Any) -> set[str]:
        return {i for i, e in journal.items() if test(e)}

    assert shown_by(status="404") == ids(lambda e: e["status"] == 404)
    assert len(ids(lambda e: e["status"] == 404)) == 1
    assert shown_by(api="thalamus", status="2xx") == ids(
        lambda e: e["api"] == "thalamus" and 200 <= e["status"] < 300
    )
    assert shown_by(path="/FILES/") == ids(lambda e: "/files/" in e["path"])
    assert shown_by(api="tealium") == ids(lambda e: e["api"] == "tealium")
    assert shown_by(status="4xx, 2xx") == set(journal)
    assert shown_by() == set(journal)
    # A status that is none is said so, and leaves the rows as they were.
    page.fill("#journal-status", "teapot")
    expect(page.locator("#journal-filter-error")).to_contain_text("'teapot' is not a status")
    expect(page.locator("#journal-status")).to_have_attribute("aria-invalid", "true")
    assert set(_visible(page)) == set(journal)
    clean(watched)


def test_an_entry_shows_its_scrubbed_request_and_response(watched: Watched, base: str) -> None:
    page = opened(watched, base)
    callers = login(base)
    assert callers.thalamus(274).status_code == 200
    assert callers.thalamus(99999).status_code == 404
    rows = page.locator("#journal-rows tr")
    details = page.locator("#journal-details")

    rows.filter(has_text="/v1/login").click()
    expect(details).to_be_visible()
    expect(details.locator("pre.body")).to_contain_text('"utk": "***"')
    _no_secret(details.inner_text(), callers)

    rows.filter(has_text="/api/v4/import/status/274").click()
    expect(details.locator("h3")).to_have_text("GET /api/v4/import/status/274")
    expect(details).to_contain_text("touchpoint=test&token")  # the token by its name only
    expect(details.locator(".chip")).to_contain_text(["touchpoint", "token", "cookie:JSESSIONID"])
    expect(details.locator("pre.body")).to_contain_text('"id": 274')
    _no_secret(details.inner_text(), callers)

    rows.filter(has_text="/api/v4/import/status/99999").click()
    expect(details.locator(".hint-line")).to_contain_text("closest known id")
    watched.shot("dashboard-details")
    clean(watched)


def _no_secret(text: str, callers: Callers) -> None:
    for secret in (callers.utk, callers.jsessionid, callers.tealium_cookie, "statuskit-token"):
        assert secret not in text


# -- faults ---------------------------------------------------------------------------------


def _fault_form(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        field = page.locator(f"#fault-field-{name}")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Add the fault").click()


def test_a_fault_added_through_the_form_meets_the_next_request(watched: Watched, base: str) -> None:
    page = opened(watched, base)
    callers = login(base)  # before the fault, which takes any Thalamus request
    _fault_form(page, kind="status", status="503", api="thalamus", route="", resource="", times="1")
    expect(page.locator("#fault-result")).to_contain_text("Added fault")
    expect(page.locator("#fault-rows li")).to_have_count(1)
    assert callers.thalamus(274).status_code == 503
    assert callers.thalamus(274).status_code == 200
    expect(page.locator('#fault-rows li [data-counter="fired"]')).to_have_text("fired 1")
    expect(page.locator("#journal-rows tr .flag.fault")).to_have_count(1)
    watched.shot("dashboard-fault")
    clean(watched)

    # A fault that cannot be is refused with the admin API's own words, and shown.
    _fault_form(page, kind="latency", ms="", min_ms="", max_ms="", times="")
    result = page.locator("#fault-result")
    expect(result).to_have_class(re.compile(r"\berror\b"))
    expect(result).to_have_attribute("role", "alert")
    refused = httpx.post(
        f"{base}/__admin/v1/faults", json={"kind": "latency", "api": "thalamus"}, timeout=10
    )
    assert refused.status_code == 400
    expect(result).to_have_text(refused.json()["error"]["message"])
    expect(page.locator("#fault-rows li")).to_have_count(1)

    page.get_by_role("button", name="Remove all").click()
    expect(page.locator("#fault-rows li")).to_have_count(0)
    assert admin(base, "GET", "faults")["faults"] == []


# -- the clock and the timelines -------------------------------------------------------------


def test_a_clock_advance_moves_a_timeline(watched: Watched, base: str) -> None:
    page = opened(watched, base)
    page.get_by_role("button", name="Freeze", exact=True).click()
    expect(page.locator("#clock-mode")).to_have_text("frozen")
    page.locator("#create-form select[name=api]").select_option("thalamus")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#create-result")).to_contain_text("Created")
    answer = admin(base, "GET", "lifecycles", params={"api": "thalamus"})
    [made] = [item for item in answer["items"] if item["created"] is not None]
    terminal = answer["apis"]["thalamus"]["terminal"]
    row = page.locator(f'svg g.row[data-api="thalamus"][data-key="{made["key"]}"]')
    marker = page.locator("#now-marker")
    expect(row).to_have_attribute("data-state", made["steps"][0]["state"])
    assert made["steps"][0]["state"] not in terminal
    before = float(str(marker.get_attribute("data-now"))), marker.get_attribute("data-x")

    page.fill("#clock-advance-seconds", "3600")
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(row).to_have_attribute("data-state", re.compile(f"^({'|'.join(terminal)})$"))
    expect(marker).to_have_attribute("data-now", str(before[0] + 3600))
    assert marker.get_attribute("data-x") != before[1]  # the now line moved along the axis
    # The dashboard's own writes are journaled, and shown like any request.
    for write in ("clock/freeze", "thalamus/imports", "clock/advance"):
        expect(
            page.locator("#journal-rows tr").filter(has_text=f"/__admin/v1/{write}")
        ).to_have_count(1)
    watched.shot("dashboard-timeline")
    clean(watched)


def test_a_recording_replays_and_a_state_is_set_from_the_forms(
    watched: Watched, base: str, tmp_path: Path
) -> None:
    recording = record("thalamus", tmp_path / "recorded")
    page = opened(watched, base)
    page.locator("#replay-form input[type=file]").set_input_files(recording.folder / LIFECYCLES)
    page.get_by_role("button", name="Replay").click()
    expect(page.locator("#replay-result")).to_have_text(f"Replayed 1 resource from {LIFECYCLES}.")
    row = page.locator(f'svg g.row[data-api="thalamus"][data-key="{recording.key}"]')
    expect(row).to_have_count(1)

    # A click on its timeline names it in the state form; a state set shows at once.
    facts = admin(base, "GET", "lifecycles", params={"api": "thalamus"})["apis"]["thalamus"]
    final = facts["terminal"][-1]
    row.click()
    form = page.locator("#state-form")
    expect(form.locator("input[name=key]")).to_have_value(recording.key)
    form.locator("select[name=state]").select_option(final)
    form.get_by_role("button", name="Set").click()
    expect(page.locator("#state-result")).to_have_text(f"{recording.key} is {final} from now on.")
    expect(row).to_have_attribute("data-state", final)
    [item] = [i for i in admin(base, "GET", "lifecycles")["items"] if i["key"] == recording.key]
    assert item["steps"][-1]["state"] == final

    # What the admin API refuses is shown as it says it.
    page.locator("#replay-form input[type=file]").set_input_files(
        {"name": "not-a-recording.json", "mimeType": "application/json", "buffer": b"{}"}
    )
    page.get_by_role("button", name="Replay").click()
    refused = httpx.post(f"{base}/__admin/v1/replay", json={}, timeout=10)
    assert refused.status_code == 400
    expect(page.locator("#replay-result")).to_have_text(refused.json()["error"]["message"])
    assert all("400" in error for error in watched.console_errors)
    assert watched.external() == []


# -- a token-protected server ----------------------------------------------------------------


def test_a_protected_server_asks_for_the_token(watched: Watched) -> None:
    env = {**os.environ, "STATUSKIT_ADMIN_TOKEN": TOKEN}
    with serve_process(env=env) as server:
        page = watched.page
        refused = page.goto(f"{server.base_url}/__admin/ui/")
        assert refused is not None
        assert refused.status == 401
        page.fill("#token", "not-the-token")
        page.get_by_role("button", name="Open the dashboard").click()
        expect(page.get_by_role("alert")).to_have_text("That is not the admin token.")
        assert page.context.cookies() == []
        watched.shot("dashboard-login")

        page.fill("#token", TOKEN)
        page.get_by_role("button", name="Open the dashboard").click()
        expect(page.locator("body.ready")).to_have_count(1)
        expect(page.locator("#live")).to_have_text("live")
        [cookie] = page.context.cookies()
        assert cookie["name"] == UI_COOKIE
        assert TOKEN not in cookie["value"]
        assert cookie["httpOnly"]
        assert cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # out of the page script's reach
        assert login(server.base_url).thalamus(274).status_code == 200
        expect(page.locator("#journal-rows tr").filter(has_text="/status/274")).to_have_count(1)
        # The cookie is the dashboard's: without its header the admin API refuses it.
        jar = {UI_COOKIE: cookie["value"]}
        clock = f"{server.base_url}/__admin/v1/clock"
        assert httpx.get(clock, cookies=jar, timeout=10).status_code == 401
        assert httpx.get(clock, cookies=jar, headers={UI_HEADER: "1"}).status_code == 200
    # The two refused logins are the only errors the browser logged.
    assert len(watched.console_errors) == 2
    assert all("401" in error for error in watched.console_errors)
    assert watched.external() == []


# -- the proxy --------------------------------------------------------------------------------


def test_the_proxy_shows_its_findings_as_they_arrive(watched: Watched) -> None:
    with served(create_app({"generated": 0})) as upstream, running("--upstream", upstream) as proxy:
        try:
            report = _findings_arrive(watched, proxy.url)
        finally:
            # Stopped as a user stops it: killed, its workers would keep the pipe open.
            code, _ = proxy.stop(signal.SIGTERM)
    assert report["failed"]
    assert code == 1
    clean(watched)


def _findings_arrive(watched: Watched, url: str) -> dict[str, Any]:
    page = opened(watched, url)
    expect(page.locator("#kind")).to_have_text("proxy")
    expect(page.locator("#findings")).to_be_visible()
    for mock_only in ("#lifecycles", "#clock"):
        expect(page.locator(mock_only)).to_be_hidden()
    expect(page.locator("#findings-empty")).to_be_visible()

    # The application forgets its credentials: the proxy finds it.
    assert httpx.get(f"{url}/api/v4/import/status/274", timeout=10).status_code == 400
    report: dict[str, Any] = admin(url, "GET", "findings")
    assert report["findings"]
    rows = page.locator("#findings-rows tr")
    expect(rows).to_have_count(len(report["findings"]))
    expect(page.locator("#findings-empty")).to_be_hidden()
    shown = {
        (row.locator("td").nth(1).inner_text(), row.locator("td").nth(0).inner_text())
        for row in rows.all()
    }
    severity = {f["fingerprint"]: f["severity"] if f["documented"] else "kit decision"
                for f in report["findings"]}  # fmt: skip
    assert shown == {(f["operation"], severity[f["fingerprint"]]) for f in report["findings"]}
    for operation in {f["operation"] for f in report["findings"]}:
        expect(page.locator(f'.bar-row[data-operation="{operation}"]')).to_be_visible()
    expect(page.locator("#findings-summary")).to_contain_text("fails at --fail-on")
    watched.shot("dashboard-proxy")
    return report

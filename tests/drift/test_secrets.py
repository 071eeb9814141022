"""Secrets never reach a report, a recording, a proposal, a progress line or a log record:
not even when the target echoes them back in its bodies and headers."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from mockserver import create_app
from statuskit.cli import main
from statuskit.drift import Progress, propose, render
from tests.drift.conftest import run_against
from tests.drift.mutate import Answer, Mutating, Rule, json_edit

SECRETS = {
    "STATUSKIT_THALAMUS_TOKEN": "tok-9f8e7d6c5b4a",
    "STATUSKIT_THALAMUS_PASSWORD": "pw-thalamus-31337",
    "STATUSKIT_TEALIUM_PASSWORD": "pw-tealium-42424",
    "STATUSKIT_TEALIUM_API_KEY": "key-0a1b2c3d4e5f",
}


def leak_everything(answer: Answer) -> None:
    """The target echoes credentials back: in new fields, a known one and a header."""
    body = answer.json() if answer.body else {}
    cookie = answer.query.replace("&", " ") + " " + " ".join(v for _, v in answer.headers)
    if isinstance(body, dict):
        body["token"] = SECRETS["STATUSKIT_THALAMUS_TOKEN"]
        body["debug"] = f"query {answer.query} cookie {cookie}"
        body["name"] = SECRETS["STATUSKIT_THALAMUS_PASSWORD"]
    answer.set_json(body)
    answer.set_header("X-Debug", SECRETS["STATUSKIT_TEALIUM_PASSWORD"])


def session_values(outputs: list[str]) -> list[str]:
    return [s for s in SECRETS.values() if any(s in o for o in outputs)]


@pytest.mark.parametrize("api", ["thalamus", "tealium"])
def test_no_secret_in_any_output(
    api: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    app = Mutating(
        create_app(),
        Rule(r"GET /.*", leak_everything, statuses=()),
        Rule(r"POST /v1/login", json_edit(lambda b: {**b, "token": b["utk"]})),
    )
    seen: list[str] = []
    # Session values (utk, JSESSIONID) are only known to the run: collect them as sent.
    original = app.__call__

    def spy(environ: dict[str, Any], start_response: Any) -> Any:
        seen.extend(v for k, v in environ.items() if k in ("QUERY_STRING", "HTTP_COOKIE"))
        return original(environ, start_response)

    report = run_against(
        spy,
        api,
        record=tmp_path / "rec",
        progress=Progress(tty=False),
    )
    outputs = [render(report, fmt) for fmt in ("text", "json", "markdown", "junit")]
    outputs.append(propose(report.findings).patch)
    outputs += [p.read_text() for p in (tmp_path / "rec").rglob("*") if p.is_file()]
    outputs.append(caplog.text)
    outputs.append(capsys.readouterr().err)
    for output in outputs:
        assert session_values([output]) == [], output
    # The session's own values, taken from what was sent: the utk and the cookie.
    sent = [
        part.split("=", 1)[1]
        for line in seen
        for part in line.replace(";", "&").split("&")
        if part.strip().split("=", 1)[0] in ("utk", "JSESSIONID") and "=" in part
    ]
    assert sent, "the run sent no session value: the check below would prove nothing"
    leaked = [value for value in sent if len(value) >= 8 and any(value in o for o in outputs)]
    assert leaked == []
    assert any(f.path == "$.token" and "***" in f.observed for f in report.findings)


def test_the_command_line_prints_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    # A closed-port run fails on its login: its error line must not quote the password.
    code = main(["drift", "--api", "thalamus", "--base-url", "http://127.0.0.1:9", "--quiet"])
    assert code == 2
    captured = capsys.readouterr()
    assert session_values([captured.out, captured.err]) == []
    assert json.dumps(SECRETS) not in captured.err

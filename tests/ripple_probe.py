"""What every consumer of ``schemas/`` says about the wire, as one JSON document.

``tests/test_ripple.py`` copies the kit (its packages, ``schemas/`` and ``fixtures/``) to a
temporary folder, edits the copy's schemas, and runs this script there: the copy's own
packages import first, so what it prints is what the kit would do with those schemas and
no code edit. Each key is one consumer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent


def catalogue_cases() -> list[list[Any]]:
    """statuskit.catalogue: every case, with whether it is a kit decision."""
    from statuskit.catalogue import operations

    return [
        [op.api, op.name, case.name, str(case), case.kit]
        for op in operations()
        for case in op.errors
    ]


def suite_ids(marker: str | None) -> list[str]:
    """The contract suites' catalogue-driven tests, all or those carrying ``marker``."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        "contract_tests/test_error_cases.py",
    ]
    if marker:
        command += ["-m", marker]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return sorted(
        line.split("[", 1)[1].rstrip("]") for line in done.stdout.splitlines() if "::" in line
    )


def export_cases() -> dict[str, list[list[Any]]]:
    """The OpenAPI export: each operation's error cases and their provenance."""
    from statuskit.openapi import build_document

    out: dict[str, list[list[Any]]] = {}
    for methods in build_document()["paths"].values():
        for op in methods.values():
            for response in op["responses"].values():
                for case in response.get("x-statuskit-error-cases", []):
                    out.setdefault(op["operationId"], []).append([case["name"], case["provenance"]])
    return out


def docs_tables() -> dict[str, str]:
    """docs/wire.md's error-case tables, as the kit renders them."""
    from statuskit.catalogue_tables import render

    return {api: render(api) for api in ("thalamus", "tealium")}


def coverage() -> dict[str, Any]:
    """The contract coverage summary's universe and its kit decisions."""
    from statuskit.catalogue import operations
    from statuskit.contracts.coverage import Coverage

    seen = Coverage(operations(), ("thalamus", "tealium"))
    return {api: {**seen.universe(api), "kit": sorted(seen.kit(api))} for api in seen.apis}


def _without_touchpoint_401(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """A staging stand-in: the mock, but a request without a touchpoint gets a bare 401."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        header = environ.get("HTTP_THALAMUS_TOUCHPOINT")
        if "touchpoint=" not in query and header is None and "/import/" in environ["PATH_INFO"]:
            start_response("401 Unauthorized", [("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)

    return wsgi


def drift() -> dict[str, Any]:
    """Drift against that stand-in: each refusal probe's expected status, and whether the
    findings about the missing touchpoint are documented."""
    from mockserver import create_app
    from statuskit import drift as drift_run
    from statuskit.drift import DriftOptions

    app = _without_touchpoint_401(create_app())
    transport = httpx.WSGITransport(app=app)
    report = drift_run.run(
        "thalamus",
        "http://stand-in.statuskit.invalid",
        transport=transport,
        options=DriftOptions(pace=0),
    )
    return {
        "probes": sorted([p.probe, p.expected_status] for p in report.probes),
        "touchpoint_documented": sorted(
            {f.documented for f in report.findings if f.probe == "touchpointMissing"}
        ),
    }


def mock_and_client() -> dict[str, Any]:
    """The mock's lifecycle and the client's polling, for an import that ends pending
    configuration."""
    from mockserver import create_app
    from statuskit.client import ThalamusClient
    from statuskit.client.polling import terminal_states

    app = create_app()
    admin = app.test_client()
    made = admin.post(
        "/__admin/v1/thalamus/imports", json={"count": 1, "scenario": "configuration-pending"}
    ).get_json()
    admin.post("/__admin/v1/clock/advance", json={"seconds": 3600})
    import_id = made["items"][0]["id"]
    transport = httpx.WSGITransport(app=app)
    with ThalamusClient.from_env(
        base_url="http://mock.statuskit.invalid", transport=transport
    ) as client:
        record = client.get_status(import_id)
    return {"state": record.state, "terminal": sorted(terminal_states("thalamus"))}


def main() -> None:
    """Print every consumer's view."""
    facts = {
        "catalogue": catalogue_cases(),
        "suites": suite_ids(None),
        "suites_kit": suite_ids("kit_decision"),
        "export": export_cases(),
        "docs": docs_tables(),
        "coverage": coverage(),
        "drift": drift(),
        "mock": mock_and_client(),
        "imported_from": str(Path(sys.modules["statuskit"].__file__ or "").parent.parent),
    }
    print(json.dumps(facts))


if __name__ == "__main__":
    main()

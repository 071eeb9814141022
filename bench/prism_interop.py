"""Interop the other way round: Prism serving the exported document, checked like an upstream.

``statuskit check --base-url`` (the contract suites against a live server) is being built on
another branch; until it lands, this script runs what can run now against ``prism mock``:

1. every documented example (the fixtures) is requested from Prism, which must answer it with
   the documented status and body, valid at the strict level;
2. each documented behaviour a contract check would probe is sent to Prism and to
   ``statuskit serve``. statuskit must answer each as documented; Prism must answer the
   cases it can express, and for the rest the script shows what Prism answers instead
   (docs/openapi.md lists them and why).

Run: nox -s bench -- interop   (or: python -m bench.prism_interop)
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench._prism import install_prism, prism_mock, prism_version
from bench._servers import statuskit_serve, wait_for
from bench.mock_throughput import free_port
from statuskit.catalogue import login_path
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.fixtures import fixtures
from statuskit.openapi import build_document, dumps
from statuskit.registry import default_registry
from statuskit.wire import cookie_header, tealium, thalamus

Q = {"touchpoint": "test", "token": "statuskit-token"}
FILES = "/v1/omnichannel/accounts/acme/profiles/main/files"
NAME = "sales-transaction_2016feb4v50.csv"
RANGE = {"filePrefix": "sales", "startDate": "2016-01-01T00:00Z", "endDate": "2017-01-01T00:00Z"}


@dataclass(frozen=True)
class Case:
    """One documented behaviour: a request and the documented answer."""

    label: str
    method: str
    path: str
    status: int
    schema: tuple[str, str] | None = None
    params: dict[str, str] = field(default_factory=dict)
    session: str | None = None  # "thalamus", "v1" or "v2": send that login's credentials
    data: dict[str, str] | None = None
    #: Why Prism cannot express it (None: it can).
    prism_cannot: str | None = None


CASES = [
    Case(
        "Thalamus status 274",
        "GET",
        "/api/v4/import/status/274",
        200,
        ("thalamus", "import-record"),
        Q,
        "thalamus",
    ),
    Case(
        "Thalamus list",
        "GET",
        "/api/v4/import/status",
        200,
        ("thalamus", "import-page"),
        Q,
        "thalamus",
    ),
    Case(
        "Tealium v1 file status",
        "GET",
        f"{FILES}/{NAME}",
        200,
        ("tealium", "file-status"),
        {},
        "v1",
    ),
    Case("Tealium v1 count", "GET", f"{FILES}/count", 200, ("tealium", "count"), RANGE, "v1"),
    Case(
        "Tealium v2 file status",
        "GET",
        f"{FILES.replace('/v1/', '/v2/')}/{NAME}",
        200,
        ("tealium", "file-status"),
        {},
        "v2",
    ),
    Case(
        "Tealium v2 auth",
        "POST",
        "/v2/auth",
        200,
        ("tealium", "auth-response"),
        data={"username": "user@example.com", "key": "statuskit-api-key"},
    ),
    Case(
        "Thalamus missing touchpoint: 400 TouchpointCodeRequired",
        "GET",
        "/api/v4/import/status/274",
        400,
        ("thalamus", "error"),
        {"token": "statuskit-token"},
        "thalamus",
        prism_cannot="it checks credentials as security (401) and has no "
        "notion of the touchpoint check that comes first",
    ),
    Case(
        "Thalamus unknown id: 404 NotFound",
        "GET",
        "/api/v4/import/status/99999999",
        404,
        ("thalamus", "error"),
        Q,
        "thalamus",
        prism_cannot="stateless: every id gets the example record",
    ),
    Case(
        "Thalamus without a session: 401, no body", "GET", "/api/v4/import/status/274", 401, None, Q
    ),
    Case(
        "Tealium v1 wrong password: 401 1401",
        "POST",
        "/v1/login",
        401,
        ("tealium", "error"),
        data={"username": "user@example.com", "password": "wrong"},
        prism_cannot="it does not check credentials: any login succeeds",
    ),
    Case(
        "Tealium unknown file: 404",
        "GET",
        f"{FILES}/no-such-file.csv",
        404,
        ("tealium", "error"),
        {},
        "v1",
        prism_cannot="stateless: every name gets the example status",
    ),
    Case(
        "Tealium end before start: 400",
        "GET",
        f"{FILES}/count",
        400,
        ("tealium", "error"),
        {**RANGE, "endDate": "2015-01-01T00:00Z"},
        "v1",
        prism_cannot="a rule across two parameters; the schema cannot state it",
    ),
]


def logins(base: str) -> dict[str, dict[str, Any]]:
    """Credentials from a real statuskit login, sent to both servers alike."""
    th_creds, te_creds = ThalamusCredentials.from_env(), TealiumCredentials.from_env()
    params, headers = thalamus.placed(th_creds.touchpoint, th_creds.token.reveal())
    basic = thalamus.basic_authorization(th_creds.principal, th_creds.password.reveal())
    th = httpx.post(f"{base}{login_path()}", params=params, headers={**headers, **basic})
    v1, v2 = tealium.login(1), tealium.login(2)
    v1_answer = httpx.post(
        base + v1.path, data=v1.form(te_creds.username, te_creds.password.reveal())
    )
    v2_answer = httpx.post(
        base + v2.path, data=v2.form(te_creds.username, te_creds.api_key.reveal())
    )
    v1_params, v1_headers = tealium.v1_credentials(
        v1_answer.json()[v1.secret], cookie_header(v1_answer.headers.get_list("set-cookie"))
    )
    return {
        "thalamus": {
            "headers": thalamus.session_headers(cookie_header(th.headers.get_list("set-cookie")))
        },
        "v1": {"params": v1_params, "headers": v1_headers},
        "v2": {"headers": tealium.bearer_headers(v2_answer.json()[v2.secret])},
    }


def answer(base: str, case: Case, creds: dict[str, dict[str, Any]]) -> httpx.Response:
    extra = creds.get(case.session or "", {})
    return httpx.request(
        case.method,
        base + case.path,
        params={**case.params, **extra.get("params", {})},
        headers=extra.get("headers"),
        data=case.data,
        timeout=30,
    )


def documented(case: Case, response: httpx.Response) -> str | None:
    """None if ``response`` is the documented answer, else what is wrong."""
    if response.status_code != case.status:
        return f"{response.status_code} {response.text[:90]!r}"
    if case.schema is None:
        return None if not response.content else f"a body {response.text[:60]!r}"
    findings = default_registry().validate(*case.schema, response.json())
    return str(findings[0]) if findings else None


def examples(base: str) -> list[str]:
    """Each documented example from Prism, picked with Prefer; the failures."""
    document = build_document("all")
    failures = []
    names = {"{id}": "274", "{account}": "acme", "{profile}": "main", "{name}": NAME}
    for path, item in document["paths"].items():
        for method, op in item.items():
            url = base + path
            for placeholder, value in names.items():
                url = url.replace(placeholder, value)
            tealium = not path.startswith("/api/")
            # Present and well-formed: Prism checks the request before it picks an answer.
            params = Q if not tealium else {**RANGE, "utk": "x"}
            form = {"username": "user@example.com", "password": "x"} if tealium else None
            for status, response in op["responses"].items():
                media = response.get("content", {}).get("application/json", {})
                for key, example in media.get("examples", {}).items():
                    got = httpx.request(
                        method.upper(),
                        url,
                        params=params,
                        headers={
                            "Prefer": f"code={status}, example={key}",
                            "Authorization": "Bearer x",
                        },
                        cookies={"JSESSIONID": "x"},
                        data=form if method == "post" else None,
                    )
                    ok = got.status_code == int(status) and got.json() == example["value"]
                    print(f"  {'ok  ' if ok else 'FAIL'} {method.upper()} {path} {status} {key}")
                    if not ok:
                        failures.append(f"{path} {status} {key}: {got.status_code}")
    print(f"  ({len(fixtures(kind='documented'))} documented fixtures, attached where they apply)")
    return failures


def main() -> None:
    prism = install_prism()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, statuskit_serve() as ours:
        document = Path(tmp) / "openapi.json"
        document.write_text(dumps(build_document("all")), encoding="utf-8")
        creds = logins(ours.base_url)
        with prism_mock(prism, document, free_port()) as theirs:
            wait_for(lambda: httpx.get(theirs.base_url).status_code > 0)
            print(f"Prism {prism_version(prism)} on the exported document\n")
            print("1. documented examples, served by Prism (Prefer: code=..., example=...):")
            failures += examples(theirs.base_url)
            print("\n2. documented behaviours: statuskit serve | prism mock")
            cannot = []
            for case in CASES:
                ours_wrong = documented(case, answer(ours.base_url, case, creds))
                prism_wrong = documented(case, answer(theirs.base_url, case, creds))
                if ours_wrong:
                    failures.append(f"statuskit: {case.label}: {ours_wrong}")
                if case.prism_cannot is None and prism_wrong:
                    failures.append(f"Prism: {case.label}: {prism_wrong}")
                if case.prism_cannot is not None:
                    cannot.append((case, prism_wrong))
                mark = "ok  " if not prism_wrong else ("n/a " if case.prism_cannot else "FAIL")
                print(f"  {'ok  ' if not ours_wrong else 'FAIL'} | {mark} {case.label}")
            print("\nPrism cannot express (what it answers instead):")
            for case, wrong in cannot:
                print(f"  - {case.label}: {case.prism_cannot}; Prism: {wrong or 'as documented!'}")
    if failures:
        print("\n" + "\n".join(f"FAIL {f}" for f in failures))
        sys.exit(1)
    print("\ninterop: every case Prism can express passes; statuskit passes all")


if __name__ == "__main__":
    main()

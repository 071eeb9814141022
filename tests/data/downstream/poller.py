"""The consumer's own code: plain httpx, its credentials from its environment."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx

THALAMUS_DONE = {"PROCESSED", "ERROR_IN_FILE_FORMAT", "CANCELED"}


def env(name: str) -> str:
    """A setting the deployment provides."""
    return os.environ[f"STATUSKIT_{name}"]


def thalamus_status(http: httpx.Client, import_id: int) -> dict[str, Any]:
    """Log in as the consumer, then read one import's status."""
    query = {"touchpoint": env("THALAMUS_TOUCHPOINT"), "token": env("THALAMUS_TOKEN")}
    auth = (env("THALAMUS_PRINCIPAL"), env("THALAMUS_PASSWORD"))
    login = http.post(env("THALAMUS_LOGIN_PATH"), params=query, auth=auth)
    login.raise_for_status()
    answer = http.get(f"/api/v4/import/status/{import_id}", params=query)
    answer.raise_for_status()
    record: dict[str, Any] = answer.json()
    return record


def wait_for_import(http: httpx.Client, import_id: int, *, timeout: float = 10) -> str:
    """Poll until the import is done; return its final state."""
    deadline = time.monotonic() + timeout
    while True:
        state = str(thalamus_status(http, import_id)["state"])
        if state in THALAMUS_DONE or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def tealium_file(http: httpx.Client, name: str) -> dict[str, Any]:
    """Log in to Tealium v1, then read one file's status with the utk and the cookie."""
    form = {"username": env("TEALIUM_USERNAME"), "password": env("TEALIUM_PASSWORD")}
    login = http.post("/v1/login", data=form)
    login.raise_for_status()
    # The cookie is Secure with Path=/urest_service: a cookie jar would keep it from these
    # plain-HTTP paths, so the poller sends it itself, as the vendor's examples do.
    session = login.cookies["JSESSIONID"]
    path = (
        f"/v1/omnichannel/accounts/{env('TEALIUM_ACCOUNT')}/profiles/{env('TEALIUM_PROFILE')}"
        f"/files/{name}"
    )
    answer = http.get(
        path,
        params={"utk": login.json()["utk"]},
        headers={"Cookie": f"JSESSIONID={session}"},
    )
    answer.raise_for_status()
    status: dict[str, Any] = answer.json()
    return status

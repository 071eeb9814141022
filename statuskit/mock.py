"""Driving a running fake upstream from Python: a thin wrapper over its admin API.

:class:`MockServer` speaks ``/__admin/v1/`` (``docs/admin.md``) and adds nothing of its own:
every method is one admin call. :class:`ThalamusMock` and :class:`TealiumMock` narrow it to
one API and hand out reference clients already logged in; the pytest plugin's
``thalamus_mock`` and ``tealium_mock`` fixtures are these.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import httpx

from statuskit.credentials import ADMIN_TOKEN_ENV
from statuskit.errors import ConfigError, StatuskitError

if TYPE_CHECKING:
    from statuskit.client import TealiumClient, ThalamusClient

__all__ = ["MockServer", "TealiumMock", "ThalamusMock"]

ADMIN = "/__admin/v1"
Scenario = str | Mapping[str, Any]


class MockServer:
    """A running fake upstream, controlled through its admin API.

    ``transport`` reaches an in-process app (``httpx.WSGITransport``); ``admin_token`` is
    needed when the server listens off loopback.
    """

    def __init__(
        self,
        base_url: str,
        *,
        admin_token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self._http = httpx.Client(
            base_url=self.base_url, transport=transport, headers=headers, timeout=timeout
        )

    @classmethod
    def from_env(
        cls, base_url: str, *, environ: Mapping[str, str] | None = None, **options: Any
    ) -> MockServer:
        """A wrapper with the admin token the server reads too, ``$STATUSKIT_ADMIN_TOKEN``
        (``environ`` defaults to ``os.environ``)."""
        env = os.environ if environ is None else environ
        return cls(base_url, admin_token=env.get(ADMIN_TOKEN_ENV) or None, **options)

    def __repr__(self) -> str:
        return f"MockServer({self.base_url!r})"

    def close(self) -> None:
        """Close the admin connection."""
        self._http.close()

    def __enter__(self) -> MockServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self, method: str, route: str, body: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """One admin call; its JSON answer (``None`` for 204). A refusal raises."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(method, f"{ADMIN}{route}", json=body, params=query)
        except httpx.TransportError as exc:
            raise StatuskitError(
                f"cannot reach the mock's admin API at {self.base_url}: {exc}"
            ) from None
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200]
            error = ConfigError if response.status_code == 400 else StatuskitError
            raise error(f"admin {method} {route}: {response.status_code} {message}")
        return None if response.status_code == 204 else response.json()

    # -- everything ------------------------------------------------------------------

    def reset(self) -> None:
        """Data back to the seed; sessions, clock, faults and journal cleared."""
        self.call("POST", "/reset")

    # -- the clock ---------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        """``{"now", "frozen", "offset"}``."""
        result: dict[str, Any] = self.call("GET", "/clock")
        return result

    def freeze(self, at: float | str | None = None) -> dict[str, Any]:
        """Stop the clock, at ``at`` (epoch seconds or ISO-8601) or now."""
        result: dict[str, Any] = self.call(
            "POST", "/clock/freeze", {} if at is None else {"at": at}
        )
        return result

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the clock forward by ``seconds``."""
        result: dict[str, Any] = self.call("POST", "/clock/advance", {"seconds": seconds})
        return result

    def set_time(self, at: float | str) -> dict[str, Any]:
        """Make the clock show ``at``."""
        result: dict[str, Any] = self.call("POST", "/clock/set", {"at": at})
        return result

    def unfreeze(self) -> dict[str, Any]:
        """Let the clock run again."""
        result: dict[str, Any] = self.call("POST", "/clock/unfreeze")
        return result

    # -- data ----------------------------------------------------------------------------

    def add_import(self, scenario: Scenario = "fast-success", **fields: Any) -> dict[str, Any]:
        """A new Thalamus import following ``scenario`` (a preset name or a mapping)."""
        items = self.call("POST", "/thalamus/imports", {"scenario": scenario, **fields})["items"]
        record: dict[str, Any] = items[0]
        return record

    def add_file(
        self, name: str = "statuskit-file.csv", scenario: Scenario = "fast-success", **fields: Any
    ) -> dict[str, Any]:
        """A new Tealium file following ``scenario``."""
        body = {"name": name, "scenario": scenario, **fields}
        status: dict[str, Any] = self.call("POST", "/tealium/files", body)["items"][0]
        return status

    def set_import_state(self, import_id: int, state: str) -> dict[str, Any]:
        """Move a Thalamus import to ``state`` now."""
        result: dict[str, Any] = self.call(
            "POST", f"/thalamus/imports/{import_id}/state", {"state": state}
        )
        return result

    def set_file_state(self, name: str, state: str, **where: str) -> dict[str, Any]:
        """Move a Tealium file to ``state`` now (``account=``, ``profile=`` optional)."""
        result: dict[str, Any] = self.call(
            "POST", "/tealium/files/state", {"name": name, "state": state, **where}
        )
        return result

    def lifecycles(self, api: str | None = None, limit: int | None = None) -> dict[str, Any]:
        """``{"now", "apis", "items"}``: the newest ``limit`` imports and files per API (or
        of ``api``), each with every step of its timeline on the mock's clock."""
        result: dict[str, Any] = self.call(
            "GET", "/lifecycles", params={"api": api, "limit": limit}
        )
        return result

    # -- faults and the journal ---------------------------------------------------------

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Configure a fault (``docs/admin.md``); returns it with its ``id``."""
        fault: dict[str, Any] = self.call("POST", "/faults", spec)
        return fault

    def fail_next(self, n: int, *, status: int = 503, **target: Any) -> dict[str, Any]:
        """The next ``n`` matching requests answer ``status`` (429 is a rate limit)."""
        if status == 429:
            return self.add_fault(kind="rate-limit", times=n, **target)
        return self.add_fault(kind="status", status=status, times=n, **target)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.call("DELETE", "/faults")

    def requests(
        self, path: str | None = None, *, since: float | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The request journal, oldest first, optionally by path (prefix or glob) and time."""
        query = {"path": path, "since": since, "limit": limit}
        entries: list[dict[str, Any]] = self.call("GET", "/journal", params=query)["entries"]
        return entries

    def clear_requests(self) -> None:
        """Empty the request journal."""
        self.call("DELETE", "/journal")


class _ApiMock:
    """One API's view of a :class:`MockServer`."""

    api: str
    paths: tuple[str, ...]

    def __init__(self, server: MockServer) -> None:
        self.server = server

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    @property
    def base_url(self) -> str:
        """Where the API is served."""
        return self.server.base_url

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the (shared) clock forward."""
        return self.server.advance(seconds)

    def fail_next(self, n: int, *, status: int = 503, **target: Any) -> dict[str, Any]:
        """The next ``n`` requests to this API fail with ``status``."""
        return self.server.fail_next(n, status=status, api=self.api, **target)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The journal's entries for this API."""
        return [
            entry
            for entry in self.server.requests()
            if str(entry.get("path", "")).startswith(self.paths)
        ]

    def _options(self) -> dict[str, Any]:
        return {} if self.server.transport is None else {"transport": self.server.transport}


class ThalamusMock(_ApiMock):
    """The Thalamus side of a mock: imports, and logged-in clients."""

    api = "thalamus"
    paths = ("/api/",)

    def add_import(self, scenario: Scenario = "fast-success", **fields: Any) -> dict[str, Any]:
        """A new import following ``scenario``."""
        return self.server.add_import(scenario, **fields)

    def client(self, **options: Any) -> ThalamusClient:
        """A reference client with the ``STATUSKIT_*`` credentials and login path (the ones
        the mock reads), already logged in."""
        from statuskit.client import ThalamusClient

        client = ThalamusClient.from_env(self.base_url, **{**self._options(), **options})
        client.login()
        return client


class TealiumMock(_ApiMock):
    """The Tealium side of a mock: files, and logged-in clients."""

    api = "tealium"
    paths = ("/v1/", "/v2/")

    def add_file(
        self, name: str = "statuskit-file.csv", scenario: Scenario = "fast-success", **fields: Any
    ) -> dict[str, Any]:
        """A new file following ``scenario``."""
        return self.server.add_file(name, scenario, **fields)

    def client(self, *, api_version: Literal[1, 2] = 1, **options: Any) -> TealiumClient:
        """A reference client with the ``STATUSKIT_*`` credentials (the ones the mock reads),
        already logged in."""
        from statuskit.client import TealiumClient

        client = TealiumClient.from_env(
            self.base_url,
            api_version=api_version,
            **{**self._options(), **options},
        )
        client.login()
        return client

"""The soak's admin threads: concurrent writes (imports, files, states, the clock) and
faults switched on and off, both through the admin API (``docs/admin.md``) and paced by
the API requests sent, so a short run and a long one see the same mix."""

from __future__ import annotations

import random
import threading
import time
from typing import Any
from urllib.parse import quote

import httpx

from bench._soak_state import Context, Suspect, Tally
from bench._soak_values import sample, schema_strategy
from mockserver.faults import KINDS, STATUSES
from statuskit.registry import SchemaRegistry
from statuskit.strategies import from_schema

__all__ = ["Admin", "AdminWriter", "FaultCycle"]

#: Admin-made files are spread over this many profiles, so a search stays a page, not all.
PROFILES = 40


class Admin:
    """Admin API calls by operation id, each answer judged like any other."""

    def __init__(self, ctx: Context, tally: Tally) -> None:
        self.ctx, self.tally = ctx, tally
        self.ops = {op.id: op for op in ctx.admin_ops}
        self.client = httpx.Client(timeout=120, headers=ctx.admin_headers)

    def call(
        self,
        op_id: str,
        path: dict[str, str] | None = None,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any, bytes]:
        """``(status, parsed body or None, raw body)``; status 0 when the connection failed."""
        op = self.ops[op_id]
        url = op.path
        for name, value in (path or {}).items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        try:
            response = self.client.request(
                op.method, self.ctx.base_url + url, json=body, params=params
            )
        except httpx.TransportError as exc:
            self.tally.suspects.append(Suspect("", f"admin {op_id}", "dropped", type(exc).__name__))
            return 0, None, b""
        status = response.status_code
        self.tally.statuses["admin", op_id, str(status)] += 1
        self.tally.scan(self.ctx.secrets, response, f"admin {op_id} answer")
        problem = self.ctx.checker.problem(op, status, response.content)
        if status >= 500:
            self.tally.suspects.append(Suspect("", f"admin {op_id}", "5xx", problem or ""))
        elif problem is not None:
            self.tally.suspects.append(Suspect("", f"admin {op_id}", "invalid", problem))
        if not 200 <= status < 300:
            self.tally.admin_refusals.append(f"admin {op_id} answered {status}")
            return status, None, response.content
        return status, (response.json() if response.content else None), response.content

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def _wait(ctx: Context, mark: int) -> bool:
    """Until ``mark`` API requests were handed out; False when the run ended first."""
    while ctx.issued() < mark:
        if ctx.finished.is_set():
            return False
        time.sleep(0.002)
    return True


def _body_pool(registry: SchemaRegistry, admin: Admin, op_id: str, field: str) -> list[Any]:
    """Values of one field of an admin operation's body, from its schema."""
    body = admin.ops[op_id].body["application/json"]
    if isinstance(body, str):  # a named schema in schemas/admin/
        strategy = from_schema("admin", body, pointer=f"/properties/{field}")
    else:
        strategy = schema_strategy("admin", body["properties"][field], registry.catalogue("admin"))
    return sample(strategy, 40, 0)


class AdminWriter(threading.Thread):
    """One admin write per ``every`` API requests: imports and files made with scenarios,
    states set, the clock advanced. What is made goes in the ledger."""

    def __init__(self, ctx: Context, registry: SchemaRegistry, every: int) -> None:
        super().__init__(name="soak-admin", daemon=True)
        self.ctx, self.every = ctx, every
        self.tally = Tally()
        self.admin = Admin(ctx, self.tally)
        self.rng = random.Random(f"{ctx.seed}:admin")
        self.states = _body_pool(registry, self.admin, "set-import-state", "state")
        self.file_states = _body_pool(registry, self.admin, "set-file-state", "state")
        self.types = _body_pool(registry, self.admin, "create-imports", "type")
        self.scenarios: list[str] = []
        self.made = 0
        self.error = ""

    def prepare(self) -> None:
        """Read the scenario presets and make a first few records to address."""
        _, presets, _ = self.admin.call("scenarios")
        self.scenarios = sorted(presets or {"fast-success": None})
        for _ in range(10):
            self.create_imports()
            self.create_files()

    def run(self) -> None:
        try:
            mark = self.every
            while _wait(self.ctx, mark):
                self.write()
                mark += self.every
        except Exception as exc:  # reported in the summary
            self.error = type(exc).__name__
        finally:
            self.admin.close()

    def write(self) -> None:
        """One write, drawn by weight."""
        actions = (
            self.create_imports,
            self.create_files,
            self.set_import_state,
            self.set_file_state,
            self.advance,
        )
        self.rng.choices(actions, (30, 12, 25, 13, 20))[0]()

    def create_imports(self) -> None:
        """Imports following a drawn scenario; their ids are acknowledged records."""
        self.made += 1
        body = {
            "scenario": self.rng.choice(self.scenarios),
            "count": self.rng.randint(1, 3),
            "name": f"soak-{self.made}",
            "type": self.rng.choice(self.types),
        }
        _, created, _ = self.admin.call("create-imports", body=body)
        for item in (created or {}).get("items", []):
            self.ctx.ledger.add_import(int(item["id"]), "admin")

    def create_files(self) -> None:
        """Files following a drawn scenario, in one of a few profiles."""
        self.made += 1
        body = {
            "scenario": self.rng.choice(self.scenarios),
            "count": self.rng.randint(1, 2),
            "name": f"soak-{self.made}.csv",
            "profile": f"soak-{self.rng.randrange(PROFILES)}",
        }
        _, created, _ = self.admin.call("create-files", body=body)
        for item in (created or {}).get("items", []):
            self.ctx.ledger.add_file(item["account"], item["profile"], item["file"]["name"])

    def set_import_state(self) -> None:
        """Move an acknowledged import to a drawn state."""
        known = self.ctx.ledger.known("thalamus")
        if known:
            path = {"import_id": self.rng.choice(known)["id"]}
            self.admin.call("set-import-state", path, {"state": self.rng.choice(self.states)})

    def set_file_state(self) -> None:
        """Move an acknowledged file to a drawn state."""
        known = self.ctx.ledger.known("tealium")
        if known:
            body = {**self.rng.choice(known), "state": self.rng.choice(self.file_states)}
            self.admin.call("set-file-state", body=body)

    def advance(self) -> None:
        """Move the mock's clock on by a few seconds (lifecycles, sessions and tokens age)."""
        self.admin.call("clock-advance", body={"seconds": round(self.rng.uniform(1, 30), 3)})


class FaultCycle(threading.Thread):
    """Faults on and off in turn, one at a time: each kind on each API, first as a sure
    ``times`` trigger, then aimed at a route or a record, by ``times`` or ``percent``.
    ``window`` API requests with the fault on, half as many with it off."""

    def __init__(self, ctx: Context, window: int) -> None:
        super().__init__(name="soak-faults", daemon=True)
        self.ctx, self.window = ctx, window
        self.tally = Tally()
        self.admin = Admin(ctx, self.tally)
        self.rng = random.Random(f"{ctx.seed}:faults")
        self.pairs = [(kind, api) for api in ctx.ops for kind in KINDS]
        #: Every fault the soak added: id -> its spec.
        self.injected: dict[str, dict[str, Any]] = {}
        self.error = ""

    def spec(self, i: int) -> dict[str, Any]:
        """The ``i``-th fault to switch on."""
        kind, api = self.pairs[i % len(self.pairs)]
        rng = self.rng
        settings: dict[str, Any] = {
            "latency": {"ms": rng.choice((5, 25, 80))}
            if rng.random() < 0.5
            else {"min_ms": 1, "max_ms": 60, "seed": i},
            "status": {"status": rng.choice(STATUSES)},
            "rate-limit": {"retry_after": rng.randint(0, 3)},
            "dribble": {"chunk_bytes": 512, "delay_ms": 1},
        }.get(kind, {})
        spec = {"api": api, "kind": kind, **settings}
        if i < len(self.pairs):
            return {**spec, "times": 2}
        aim = rng.random()
        if aim < 0.35:
            spec["route"] = rng.choice(self.ctx.ops[api]).route
        elif aim < 0.5 and self.ctx.ledger.known(api):
            key = "id" if api == "thalamus" else "name"
            spec["resource"] = rng.choice(self.ctx.ledger.known(api))[key]
        if rng.random() < 0.5:
            return {**spec, "times": rng.randint(1, 5)}
        return {**spec, "percent": rng.choice((5, 10, 25)), "seed": i}

    def run(self) -> None:
        live: str | None = None
        try:
            mark, i = self.window // 2, 0
            while _wait(self.ctx, mark):
                spec = self.spec(i)
                status, added, _ = self.admin.call("faults-add", body=spec)
                if status == 201:
                    live = added["id"]
                    self.injected[live] = spec
                i += 1
                _wait(self.ctx, mark + self.window)
                if live is not None:
                    self.admin.call("faults-remove", {"fault_id": live})
                    live = None
                mark += self.window + self.window // 2
        except Exception as exc:  # reported in the summary
            self.error = type(exc).__name__
        finally:
            if live is not None:
                self.admin.call("faults-remove", {"fault_id": live})
            self.admin.close()

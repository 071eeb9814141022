"""The soak's client threads: each sends one API's generated requests, keeps its own
sessions, and judges every answer as it comes."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench._soak_requests import Built, Pools, build
from bench._soak_state import Context, Done, Suspect, Tally
from bench._soak_wire import Op

__all__ = ["TAG", "Worker", "send"]

#: The query parameter that tags each API request, so its journal entry can be found.
TAG = "soak"
#: How often each operation is drawn; reads dominate, as they do for a poller. An operation
#: the catalogue gains is soaked too, at weight 1.
WEIGHTS = {
    "thalamus": {"get-status": 60, "list-imports": 4, "upload": 8, "login": 4, "logout": 2},
    "tealium": {
        "v1-get-file-status": 28,
        "v2-get-file-status": 28,
        "v1-count": 8,
        "v2-count": 8,
        "v1-search": 3,
        "v2-search": 3,
        "v1-login": 6,
        "v2-auth": 6,
        "v1-logout": 2,
    },
}
#: Share of requests sent valid; the rest carry exactly one defect.
VALID = 0.8
#: The credentials each security scheme carries: (api, scheme) -> value.
_STATIC: dict[tuple[str, str], Callable[[Context], Any]] = {
    ("thalamus", "touchpointQuery"): lambda c: c.thalamus.touchpoint,
    ("thalamus", "touchpointHeader"): lambda c: c.thalamus.touchpoint,
    ("thalamus", "tokenQuery"): lambda c: c.thalamus.token.reveal(),
    ("thalamus", "tokenHeader"): lambda c: c.thalamus.token.reveal(),
    ("thalamus", "basic"): lambda c: (c.thalamus.principal, c.thalamus.password.reveal()),
}
#: The session schemes, and the operation whose 200 opens a session for each.
SESSION_LOGIN = {
    ("thalamus", "session"): "login",
    ("tealium", "utk"): "v1-login",
    ("tealium", "jsessionid"): "v1-login",
    ("tealium", "bearer"): "v2-auth",
}
#: Operations whose valid 200 acknowledges a new record, readable afterwards.
CREATES = {("thalamus", "upload")}


def send(client: httpx.Client, ctx: Context, built: Built, tag: str | None) -> httpx.Response:
    """Send ``built`` as it is, tagged; the client's cookie jar is never used."""
    headers = dict(built.headers)
    if built.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in built.cookies.items())
    params: list[tuple[str, str | int | float | bool | None]] = [*built.params]
    if tag is not None:
        params.append((TAG, tag))
    request = httpx.Request(
        built.method,
        ctx.base_url + built.path,
        params=params,
        headers=headers,
        content=built.content,
        data=built.data,
        files=built.files,
    )
    try:
        return client.send(request)
    finally:
        client.cookies.clear()


class Worker(threading.Thread):
    """One client thread of one API, until its budget is spent."""

    def __init__(
        self, ctx: Context, api: str, index: int, pools: Pools, *, budgeted: bool = True
    ) -> None:
        super().__init__(name=f"soak-{api}-{index}", daemon=True)
        self.budgeted = budgeted
        #: How this thread's requests are counted: the budget's, or reading records back.
        self.label = api if budgeted else f"{api} read-back"
        self.ctx, self.api, self.pools = ctx, api, pools
        self.rng = random.Random(f"{ctx.seed}:{api}:{index}")
        self.ops = {op.id: op for op in ctx.ops[api]}
        table = WEIGHTS.get(api, {})
        self.weights = [table.get(op_id, 1) for op_id in self.ops]
        self.sessions: dict[str, str] = {}
        self.tally = Tally()
        self.creds = ctx.thalamus if api == "thalamus" else ctx.tealium
        self.client = httpx.Client(timeout=60)
        self.previous = "nothing"
        self.error = ""

    def run(self) -> None:
        try:
            while True:
                op = self.ops[self.rng.choices(list(self.ops), self.weights)[0]]
                self.once(op, valid=self.rng.random() < VALID)
        except Done:
            pass
        except Exception as exc:  # reported in the summary; the run goes on
            self.error = type(exc).__name__
        finally:
            self.client.close()

    def once(
        self, op: Op, *, valid: bool, path_values: dict[str, str] | None = None
    ) -> tuple[httpx.Response | None, str | None]:
        """Build, send and judge one request; the answer and what was wrong with it."""
        built = build(
            self.rng,
            self.pools,
            op,
            valid=valid,
            credential=self.credential,
            creds=self.creds,
            known=self.ctx.ledger.known(self.api),
            path_values=path_values,
        )
        response, problem = self.exchange(op, built)
        if response is not None and valid:
            self.after(op, built, response, problem)
        return response, problem

    def credential(self, scheme_id: str) -> Any:
        """The valid value of a scheme; a session is opened first when there is none."""
        static = _STATIC.get((self.api, scheme_id))
        if static is not None:
            return static(self.ctx)
        if scheme_id not in self.sessions:
            self.login(SESSION_LOGIN[self.api, scheme_id])
        # Login failed every time (an injected fault, say): send a stale value; the 401 is
        # documented, and the next request tries again.
        return self.sessions.get(scheme_id, "soak-no-session")

    def login(self, op_id: str) -> None:
        """Open a session with ``op_id``; a few tries, since faults may be on."""
        for _ in range(5):
            response, problem = self.once(self.ops[op_id], valid=True)
            if response is not None and response.status_code == 200 and problem is None:
                return

    def exchange(self, op: Op, built: Built) -> tuple[httpx.Response | None, str | None]:
        """Send one request and judge its answer."""
        tag = self.ctx.ticket(self.api) if self.budgeted else self.ctx.unbudgeted(self.api)
        tally = self.tally
        previous, self.previous = self.previous, f"{tag} {op.id}"
        sent_at = time.time()
        try:
            response = send(self.client, self.ctx, built, tag)
        except httpx.TransportError as exc:
            tally.statuses[self.label, op.id, "dropped"] += 1
            # The thread's previous request tells whether a connection was reused.
            detail = f"{type(exc).__name__}, after {previous} on this thread"
            before = previous.split(" ", 1)[0]
            tally.suspects.append(Suspect(tag, str(op), "dropped", detail, before, sent_at))
            self.previous += " dropped"
            return None, "dropped"
        status = response.status_code
        self.previous += f" {status}"
        tally.statuses[self.label, op.id, str(status)] += 1
        tally.scan(self.ctx.secrets, response, f"{op} answer")
        problem = self.ctx.checker.problem(op, status, response.content)
        if status >= 500:
            tally.suspects.append(Suspect(tag, str(op), "5xx", problem or f"status {status}"))
        elif problem is not None:
            tally.suspects.append(Suspect(tag, str(op), "invalid", problem))
        return response, problem

    def after(self, op: Op, built: Built, response: httpx.Response, problem: str | None) -> None:
        """Keep the thread's sessions and the ledger in step with a valid request's answer."""
        status = response.status_code
        if status == 401:  # an expired session (the clock moves): log in again when needed
            for scheme_id in built.sessions:
                self.sessions.pop(scheme_id, None)
        if not 200 <= status < 300 or problem is not None:
            return
        for scheme_id in built.spent:  # a logout ended the session it named
            self.sessions.pop(scheme_id, None)
        for (api, scheme_id), login_op in SESSION_LOGIN.items():
            if api == self.api and login_op == op.id:
                value = self._session_value(op, scheme_id, response)
                if value:
                    self.sessions[scheme_id] = value
        if (self.api, op.id) in CREATES:
            self.ctx.ledger.add_import(int(response.json()["id"]), "upload")

    def _session_value(self, op: Op, scheme_id: str, response: httpx.Response) -> str | None:
        scheme = self.pools.schemes[scheme_id]
        if scheme.get("in") == "cookie":
            for header in response.headers.get_list("set-cookie"):
                name, _, rest = header.partition("=")
                if name.strip() == scheme["name"]:
                    return rest.split(";", 1)[0]
            return None
        value = response.json().get(self.pools.login_secret[op.id])
        return value if isinstance(value, str) else None

"""Admin routes for the mocks' data: create imports and files that follow a scenario, list
them, set a state directly, replay a recording, and reset everything to the seed.

Bodies arrive checked against their schemas (``create-*-request.json``,
``set-*-state-request.json``); what a schema cannot say is checked where it is used: a
scenario's own rules, that the API is served and the item exists, and that the item made
still fits its API's schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response

from mockserver._inputs import Rejection
from mockserver.admin._api import admin
from mockserver.replay import ReplayError, replay
from mockserver.scenarios import PRESETS, Scenario, scenario
from statuskit.errors import ConfigError, ContractViolation

if TYPE_CHECKING:
    # Types only: the API packages' create_app import the app factory, which imports this.
    from mockserver.tealium.api import TealiumApi
    from mockserver.thalamus.api import ThalamusApi

__all__ = ["register"]

#: [KIT] What one create call may make at most, so that every call answers within seconds:
#: each snapshot is checked against its schema and stored, and counters are kept row by row.
MAX_SNAPSHOTS = 1_000
MAX_ROWS = 1_000_000
# Snapshots per item beyond its progress steps: waiting, downloaded, finished.
_FIXED_STEPS = 3


def _plan(body: dict[str, Any]) -> tuple[Scenario, int]:
    """The scenario and the count, within what one call may make."""
    try:
        plan = scenario(body.get("scenario"))
    except ConfigError as exc:  # a rule the schema cannot say (error_rate + skip_rate <= 1)
        raise Rejection(admin().error(400, f"scenario: {exc}")) from None
    count: int = body.get("count", 1)
    snapshots, rows = count * (plan.progress_steps + _FIXED_STEPS), count * plan.rows
    if snapshots > MAX_SNAPSHOTS or rows > MAX_ROWS:
        raise Rejection(
            admin().error(
                400,
                f"count: {count} items of this scenario make up to {snapshots} snapshots and "
                f"{rows} rows; one call makes at most {MAX_SNAPSHOTS} and {MAX_ROWS}",
            )
        )
    return plan, count


def _api(name: str) -> Any:
    apis = admin().state.apis or {}
    if name not in apis:
        raise Rejection(admin().error(404, f"this server does not serve the {name} API"))
    return apis[name]


@contextmanager
def _schema_checked(what: str) -> Iterator[None]:
    """An item that would break its API's schema is the caller's mistake (a name the API
    does not allow, a clock past the API's timestamps): a 400."""
    try:
        yield
    except ContractViolation as exc:
        raise Rejection(admin().error(400, f"that {what} would break its schema: {exc}")) from None


def _created(items: list[Any]) -> Response:
    return admin().reply("created", {"items": items}, 201)


def register(bp: Blueprint) -> None:
    """Add the data routes."""

    @bp.get("/scenarios")
    def presets() -> Response:
        return admin().reply("scenarios", {name: s.as_dict() for name, s in PRESETS.items()})

    @bp.post("/thalamus/imports")
    def create_imports() -> Response:
        api: ThalamusApi = _api("thalamus")
        body = admin().json_body()
        plan, count = _plan(body)
        name = body.get("name", "statuskit-import")
        with _schema_checked("import"):
            rows = [
                api.create_import(
                    name=name,
                    file_name=body.get("file_name", f"{name}.xlsx"),
                    import_type=body.get("type", api.records.import_types[0]),
                    scenario=plan,
                    file_size=plan.rows * 64,
                )
                for _ in range(count)
            ]
        return _created([json.loads(row.body) for row in rows])

    @bp.post("/tealium/files")
    def create_files() -> Response:
        api: TealiumApi = _api("tealium")
        body = admin().json_body()
        plan, count = _plan(body)
        creds = admin().state.config.tealium
        account = body.get("account", creds.account)
        profile = body.get("profile", creds.profile)
        name = body.get("name", "statuskit-file.csv")
        names = [name] if count == 1 else [f"{i:04d}_{name}" for i in range(count)]
        with _schema_checked("file"):
            rows = [
                api.create_file(
                    account=account, profile=profile, name=n, scenario=plan, size=plan.rows * 48
                )
                for n in names
            ]
        return _created([json.loads(row.body) for row in rows])

    @bp.post("/thalamus/imports/<int:import_id>/state")
    def set_import_state(import_id: int) -> Response:
        api: ThalamusApi = _api("thalamus")
        state_name = admin().json_body()["state"]
        store, now = admin().state.store, admin().state.now_ms()
        current = store.body("thalamus", str(import_id), at_ms=now)
        if current is None:
            raise Rejection(admin().error(404, f"no Thalamus import {import_id}"))
        with _schema_checked("state"):
            record = api.records.restate(json.loads(current), state_name, at_ms=now)
            store.replace_from("thalamus", str(import_id), api.snapshot(now, record))
        return admin().reply("import-record", record, api="thalamus")

    @bp.post("/tealium/files/state")
    def set_file_state() -> Response:
        api: TealiumApi = _api("tealium")
        body = admin().json_body()
        creds = admin().state.config.tealium
        account = body.get("account", creds.account)
        key = "/".join((account, body.get("profile", creds.profile), body["name"]))
        store, now = admin().state.store, admin().state.now_ms()
        current = store.body("tealium", key, at_ms=now)
        if current is None:
            raise Rejection(admin().error(404, f"no Tealium file {key}"))
        with _schema_checked("state"):
            status = api.files.restate(json.loads(current), body["state"], at_ms=now)
            store.replace_from("tealium", key, api.snapshot(now, status))
        return admin().reply("file-status", status, api="tealium")

    @bp.post("/replay")
    def replay_recording() -> Response:
        # The body is a recording's lifecycles.json, already checked against recording.json.
        state = admin().state
        try:
            rows = replay(state, admin().json_body())
        except ReplayError as exc:
            raise Rejection(admin().error(400, str(exc))) from None
        now = state.now_ms()
        shown = [state.store.body(row.api, row.key, at_ms=now) for row in rows]
        return _created([json.loads(body) for body in shown if body is not None])

    @bp.post("/reset")
    def reset_everything() -> Response:
        admin().state.reset()
        return Response(status=204)

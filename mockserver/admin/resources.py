"""Admin routes for the mocks' data: create imports and files that follow a scenario, list
them, set a state directly, and reset everything to the seed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response

from mockserver._inputs import Rejection
from mockserver.admin import admin, routes
from mockserver.scenarios import PRESETS, Scenario, scenario
from mockserver.tealium.api import TealiumApi
from mockserver.thalamus.api import ThalamusApi
from statuskit.errors import ConfigError, ContractViolation

__all__: list[str] = []

#: Most items one create call may make.
MAX_COUNT = 1000


def _scenario(body: dict[str, Any]) -> Scenario:
    try:
        return scenario(body.get("scenario"))
    except (ConfigError, TypeError) as exc:
        raise Rejection(admin().error(400, str(exc))) from None


def _count(body: dict[str, Any]) -> int:
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise Rejection(admin().error(400, f"'count' must be an integer from 1 to {MAX_COUNT}"))
    return count


def _text(body: dict[str, Any], name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise Rejection(admin().error(400, f"'{name}' must be a non-empty string"))
    return value


def _api(name: str) -> Any:
    apis = admin().state.apis or {}
    if name not in apis:
        raise Rejection(admin().error(404, f"this server does not serve the {name} API"))
    return apis[name]


@contextmanager
def _schema_checked(what: str) -> Iterator[None]:
    """A create whose item would break its API's schema is the caller's mistake: a 400."""
    try:
        yield
    except ContractViolation as exc:
        raise Rejection(admin().error(400, f"that {what} would break its schema: {exc}")) from None


def _created(items: list[Any]) -> Response:
    return admin().reply("created", {"items": items}, 201)


@routes
def register(bp: Blueprint) -> None:
    """Add the data routes."""

    @bp.get("/scenarios")
    def presets() -> Response:
        return admin().reply("scenarios", {name: s.as_dict() for name, s in PRESETS.items()})

    @bp.post("/thalamus/imports")
    def create_imports() -> Response:
        api: ThalamusApi = _api("thalamus")
        body = admin().json_body()
        plan, count = _scenario(body), _count(body)
        name = _text(body, "name", "statuskit-import")
        import_type = body.get("type", api.records.import_types[0])
        if import_type not in api.records.import_types:
            known = ", ".join(map(str, api.records.import_types))
            raise Rejection(admin().error(400, f"'type' must be one of {known}"))
        with _schema_checked("import"):
            rows = [
                api.create_import(
                    name=name,
                    file_name=_text(body, "file_name", f"{name}.xlsx"),
                    import_type=import_type,
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
        plan, count = _scenario(body), _count(body)
        creds = admin().state.config.tealium
        account = _text(body, "account", creds.account)
        profile = _text(body, "profile", creds.profile)
        name = _text(body, "name", "statuskit-file.csv")
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
        state_name = _text(admin().json_body(), "state", "")
        if state_name not in api.records.states.ids:
            known = ", ".join(api.records.states.ids)
            raise Rejection(admin().error(400, f"'state' must be one of {known}"))
        store, now = admin().state.store, admin().state.now_ms()
        current = store.body("thalamus", str(import_id), at_ms=now)
        if current is None:
            raise Rejection(admin().error(404, f"no Thalamus import {import_id}"))
        record = api.records.restate(json.loads(current), state_name, at_ms=now)
        store.replace_from("thalamus", str(import_id), api.snapshot(now, record))
        return admin().reply("import-record", record, api="thalamus")

    @bp.post("/tealium/files/state")
    def set_file_state() -> Response:
        api: TealiumApi = _api("tealium")
        body = admin().json_body()
        creds = admin().state.config.tealium
        key = "/".join(
            (
                _text(body, "account", creds.account),
                _text(body, "profile", creds.profile),
                _text(body, "name", ""),
            )
        )
        state_name = _text(body, "state", "")
        if state_name not in api.files.states:
            known = ", ".join(api.files.states)
            raise Rejection(admin().error(400, f"'state' must be one of {known}"))
        store, now = admin().state.store, admin().state.now_ms()
        current = store.body("tealium", key, at_ms=now)
        if current is None:
            raise Rejection(admin().error(404, f"no Tealium file {key}"))
        status = api.files.restate(json.loads(current), state_name, at_ms=now)
        store.replace_from("tealium", key, api.snapshot(now, status))
        return admin().reply("file-status", status, api="tealium")

    @bp.post("/reset")
    def reset_everything() -> Response:
        admin().state.reset()
        return Response(status=204)

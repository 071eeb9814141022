"""The Thalamus v4 fake upstream: ``create_app(config=None)`` builds it."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask

from mockserver._app import build_app
from mockserver._generated import Synthesiser
from mockserver._inputs import Reply
from mockserver._mount import ApiMount
from mockserver._state import MockState
from mockserver.config import MockConfig
from mockserver.thalamus._generated import GeneratedImports
from mockserver.thalamus.api import API, ID_COUNTER, ThalamusApi
from mockserver.thalamus.hints import hint
from mockserver.thalamus.views import blueprint, hot_status
from statuskit.fixtures import seed as seed_fixtures

__all__ = ["MOUNT", "create_app"]

#: [KIT] generated records are numbered from here, clear of the fixtures' ids.
FIRST_GENERATED_ID = 1000

# [KIT] Codes of the HTTP errors no documented case covers (docs/wire.md).
_HTTP_ERRORS = {
    404: ("path", "NotFound"),
    405: ("method", "MethodNotAllowed"),
    413: ("body", "PayloadTooLarge"),
    429: ("server", "TooManyRequests"),
    502: ("server", "BadGateway"),
    503: ("server", "ServiceUnavailable"),
    504: ("server", "GatewayTimeout"),
}


def _setup(state: MockState) -> ThalamusApi:
    api = ThalamusApi(state)
    # Render the HTTP errors' bodies now, so answering an error (above all the 500 of a
    # body that drifted) never depends on the gate at request time.
    for field, code in [*_HTTP_ERRORS.values(), ("server", "InternalError")]:
        api.error(500, field, code)
    api.error(400, "request", "InvalidFormat")
    # Every worker synthesises the generated records' bodies, even one configured with none
    # (the database may hold another's); with some, the templates are validated here, once
    # per process, before any request.
    state.store.synthesizers[API] = Synthesiser(
        API,
        state.control,
        functools.partial(GeneratedImports, api.records, state.gate),
        {"seed": state.config.seed, "first_id": FIRST_GENERATED_ID},
        eager=state.config.generated > 0,
    )
    return api


def _seed(state: MockState) -> None:
    api: ThalamusApi = state.api(API)
    records = [api.records.template, *seed_fixtures(API)]
    state.store.put_many(api.row(record) for record in records)
    last = max(r["id"] for r in records)
    count = state.config.generated
    if count > 0:
        synthesiser = state.store.synthesizers[API]
        if not isinstance(synthesiser, Synthesiser):
            raise TypeError(f"{API}: generated records need the synthesiser _setup registers")
        # Rows only, streamed: the bodies are synthesised when read, with the parameters
        # published here.
        state.store.load_generated(API, synthesiser.publish().rows(count))
        last = max(last, FIRST_GENERATED_ID + count - 1)
    state.store.raise_counter(ID_COUNTER, last)


def _http_error(state: MockState, status: int, description: str) -> Reply:
    api: ThalamusApi = state.api(API)
    if status == 401:
        return api.unauthorized()
    field, code = _HTTP_ERRORS.get(status, ("server", "InternalError"))
    if status < 500 and status not in _HTTP_ERRORS:
        field, code = "request", "InvalidFormat"
    return api.error(status, field, code)


MOUNT = ApiMount(
    name=API,
    prefixes=("/api/",),
    blueprint=blueprint,
    setup=_setup,
    seed=_seed,
    http_error=_http_error,
    hot=hot_status,
    hint=hint,
)


def create_app(config: MockConfig | dict[str, Any] | None = None) -> Flask:
    """A Flask app serving the Thalamus v4 mock.

    ``config`` is a :class:`~mockserver.config.MockConfig`, a mapping of overrides on top
    of the environment's, or ``None`` for the defaults.
    """
    return build_app(config, [MOUNT], name=__name__)

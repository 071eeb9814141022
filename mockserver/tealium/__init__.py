"""The Tealium Omnichannel fake upstream: ``create_app(config=None)`` builds it."""

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
from mockserver.tealium._generated import GeneratedFiles
from mockserver.tealium.api import API, TealiumApi
from mockserver.tealium.hints import hint
from mockserver.tealium.views import blueprint, hot_file
from statuskit.fixtures import tealium_seed

__all__ = ["MOUNT", "create_app"]


def _setup(state: MockState) -> TealiumApi:
    api = TealiumApi(state)
    # Every worker synthesises the generated files' bodies, even one configured with none
    # (the database may hold another's); with some, the templates are validated here, once
    # per process, before any request.
    user = state.config.tealium
    state.store.synthesizers[API] = Synthesiser(
        API,
        state.control,
        functools.partial(GeneratedFiles, api.files, state.gate),
        {"seed": state.config.seed, "account": user.account, "profile": user.profile},
        eager=state.config.generated > 0,
    )
    return api


def _seed(state: MockState) -> None:
    api: TealiumApi = state.api(API)
    user = state.config.tealium
    for status in [api.files.template, *tealium_seed(user.account, user.profile)]:
        api.store_file(status)
    if state.config.generated > 0:
        synthesiser = state.store.synthesizers[API]
        if not isinstance(synthesiser, Synthesiser):
            raise TypeError(f"{API}: generated files need the synthesiser _setup registers")
        # Rows only, streamed: the bodies are synthesised when read, with the parameters
        # published here.
        state.store.load_generated(API, synthesiser.publish().rows(state.config.generated))


def _http_error(state: MockState, status: int, description: str) -> Reply:
    # The description is not echoed: a fixed message per status keeps the bodies cacheable.
    api: TealiumApi = state.api(API)
    return api.http_error(status)


MOUNT = ApiMount(
    name=API,
    prefixes=("/v1/", "/v2/"),
    blueprint=blueprint,
    setup=_setup,
    seed=_seed,
    http_error=_http_error,
    hot=hot_file,
    hint=hint,
)


def create_app(config: MockConfig | dict[str, Any] | None = None) -> Flask:
    """A Flask app serving the Tealium Omnichannel mock (v1 and v2).

    ``config`` is a :class:`~mockserver.config.MockConfig`, a mapping of overrides on top
    of the environment's, or ``None`` for the defaults.
    """
    return build_app(config, [MOUNT], name=__name__)

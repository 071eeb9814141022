"""The fake upstreams: one Flask app factory per API, and a combined app serving both.

``mockserver.thalamus.create_app`` and ``mockserver.tealium.create_app`` each build one API;
:func:`create_app` serves both on one port, since their paths do not collide.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from mockserver._app import build_app
from mockserver.config import MockConfig
from mockserver.tealium import MOUNT as TEALIUM
from mockserver.thalamus import MOUNT as THALAMUS

__all__ = ["MockConfig", "create_app"]


def create_app(config: MockConfig | dict[str, Any] | None = None) -> Flask:
    """A Flask app serving both mocks: Tealium under ``/v1/`` and ``/v2/``, Thalamus elsewhere."""
    # Thalamus first: it owns every path that is not under Tealium's /v1/ and /v2/.
    return build_app(config, [THALAMUS, TEALIUM], name=__name__)

"""What one API gives the app factory: an :class:`ApiMount`.

Each API package (``thalamus``, ``tealium``, ``admin``) describes itself as one, and
:func:`~mockserver._app.build_app` puts mounts on a Flask app. It lives apart from the app
factory so the factory can import the mounts, and no mount imports the factory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint

from mockserver._inputs import Reply
from mockserver._state import MockState
from mockserver.config import MockConfig
from mockserver.hints import Miss

__all__ = ["ApiMount", "HotHandler"]

#: Answers a hot GET straight from the WSGI environ, or ``None`` for requests it does not take.
HotHandler = Callable[[Mapping[str, Any]], Reply | None]


@dataclass(frozen=True)
class ApiMount:
    """One API as an app sees it.

    ``setup`` builds the API's helpers for a state; ``seed`` writes its starting data once
    per database; ``http_error`` renders an HTTP error in the API's own format; ``hot``
    optionally builds a handler that answers hot GETs straight from the WSGI environ, with
    the same logic as the views (it returns ``None`` for requests it does not take);
    ``hint`` optionally says, in one line, what a request answered with a 4xx nearly got
    right (``mockserver.hints``).
    """

    name: str
    prefixes: tuple[str, ...]
    blueprint: Callable[[MockConfig], Blueprint]
    setup: Callable[[MockState], Any]
    seed: Callable[[MockState], None]
    http_error: Callable[[MockState, int, str], Reply]
    hot: Callable[[Any], HotHandler] | None = None
    hint: Callable[[Any, Miss], str | None] | None = None

"""What ``statuskit proxy`` was asked for: :class:`ProxyOptions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from statuskit.drift.formats import Format
from statuskit.drift.model import Severity

__all__ = ["APIS", "DEFAULT_PORT", "DEFAULT_TIMEOUT", "Api", "ProxyOptions"]

Api = Literal["thalamus", "tealium", "all"]
APIS: tuple[Api, ...] = ("thalamus", "tealium", "all")
#: [KIT] Beside ``statuskit serve``'s 8080.
DEFAULT_PORT = 8081
#: [KIT] Seconds the upstream has to answer, as ``statuskit drift --timeout``.
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ProxyOptions:
    """The proxy's settings, one per command-line option (``docs/proxy.md``)."""

    #: The upstream's base URL, ``http(s)://host[:port][/base/path]``.
    upstream: str
    #: Which API's operations, errors and faults the proxy knows (``all``: both).
    api: Api = "all"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    #: Save every exchange, scrubbed, and the observed lifecycles, here.
    record: str | None = None
    #: Write the findings report here at shutdown and on ``POST /__admin/v1/report``.
    report: str | None = None
    format: Format = "text"
    #: Drift's baseline file: its findings are reported as suppressed.
    baseline: str | None = None
    fail_on: Severity = "breaking"
    #: Answer an exchange with findings at or above ``fail_on`` with a 502.
    errors: bool = False
    #: Seconds the upstream has to answer one request (502 or 504 after it).
    timeout: float = DEFAULT_TIMEOUT

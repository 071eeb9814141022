"""The contract suites' settings: command-line options with environment-variable fallbacks.

The pytest plugin declares the options (``statuskit/pytest_plugin.py``, group ``statuskit``);
this module reads them, falls back to the ``STATUSKIT_CONTRACT_*`` variables, and checks
them. It imports nothing heavy, so the plugin may use it at configure time.

Credentials are never options: they come from the ``STATUSKIT_*`` variables only
(``statuskit.credentials``), the same names the mock reads.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from statuskit.errors import ConfigError

__all__ = [
    "CONTRACT_APIS",
    "CONTRACT_ENV",
    "CONTRACT_PROFILES",
    "ContractOptions",
    "TargetKind",
    "is_loopback",
    "target_kind",
]

CONTRACT_APIS = ("thalamus", "tealium", "all")
CONTRACT_PROFILES = ("dev", "ci", "live")
TargetKind = Literal["in-process", "loopback", "remote"]

#: Each option's destination and its environment variable.
CONTRACT_ENV = {
    "contract_api": "STATUSKIT_CONTRACT_API",
    "contract_base_url": "STATUSKIT_CONTRACT_BASE_URL",
    "contract_serve": "STATUSKIT_CONTRACT_SERVE",
    "contract_allow_writes": "STATUSKIT_CONTRACT_ALLOW_WRITES",
    "contract_budget": "STATUSKIT_CONTRACT_BUDGET",
    "contract_rate": "STATUSKIT_CONTRACT_RATE",
    "contract_dry_run": "STATUSKIT_CONTRACT_DRY_RUN",
    "contract_coverage_json": "STATUSKIT_CONTRACT_COVERAGE_JSON",
    "contract_profile": "STATUSKIT_CONTRACT_PROFILE",
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
DEFAULT_BUDGET = 200
DEFAULT_RATE = 5.0


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost`` or a loopback address."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def target_kind(base_url: str | None) -> TargetKind:
    """``in-process`` without a URL, else ``loopback`` or ``remote`` by the URL's host."""
    if base_url is None:
        return "in-process"
    return "loopback" if is_loopback(urlsplit(base_url).hostname or "") else "remote"


@dataclass(frozen=True)
class ContractOptions:
    """What one contract run tests, and how carefully.

    ``budget`` and ``rate`` bound the requests sent to a ``remote`` target; ``profile`` is
    the hypothesis profile (``live`` by default off loopback, else ``dev``).
    """

    api: Literal["thalamus", "tealium", "all"] = "all"
    base_url: str | None = None
    serve: bool = False
    allow_writes: bool = False
    budget: int = DEFAULT_BUDGET
    rate: float = DEFAULT_RATE
    dry_run: bool = False
    coverage_json: str | None = None
    profile: Literal["dev", "ci", "live"] = "dev"

    @property
    def kind(self) -> TargetKind:
        """Where the requests go (``statuskit serve`` started by the session is loopback)."""
        return "loopback" if self.serve else target_kind(self.base_url)

    @property
    def guarded(self) -> bool:
        """Whether the live guardrails apply: the target is off this machine."""
        return self.kind == "remote"

    def apis(self) -> tuple[str, ...]:
        """The APIs under test."""
        return ("thalamus", "tealium") if self.api == "all" else (self.api,)

    @classmethod
    def resolve(
        cls, given: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> ContractOptions:
        """Options from ``given`` (option destinations to values, ``None`` when not given),
        each falling back to its environment variable, then to the default."""
        env = os.environ if environ is None else environ

        def pick(dest: str) -> Any:
            value = given.get(dest)
            if value is None or value is False:
                raw = env.get(CONTRACT_ENV[dest])
                return value if raw is None else raw
            return value

        api = str(pick("contract_api") or "all").lower()
        if api not in CONTRACT_APIS:
            raise ConfigError(_bad("contract_api", api, "one of " + ", ".join(CONTRACT_APIS)))
        base_url = pick("contract_base_url") or None
        if base_url is not None:
            parts = urlsplit(str(base_url))
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(_bad("contract_base_url", "", "an absolute http(s) URL"))
        serve = _flag(pick("contract_serve"), "contract_serve")
        if serve and base_url:
            raise ConfigError(
                "--contract-serve starts its own server: do not give --contract-base-url too"
            )
        budget = _number(pick("contract_budget"), "contract_budget", DEFAULT_BUDGET, int)
        rate = _number(pick("contract_rate"), "contract_rate", DEFAULT_RATE, float)
        kind = "loopback" if serve else target_kind(base_url)
        profile = str(pick("contract_profile") or ("live" if kind == "remote" else "dev"))
        if profile not in CONTRACT_PROFILES:
            raise ConfigError(
                _bad("contract_profile", profile, "one of " + ", ".join(CONTRACT_PROFILES))
            )
        return cls(
            api=api,  # type: ignore[arg-type]
            base_url=str(base_url).rstrip("/") if base_url else None,
            serve=serve,
            allow_writes=_flag(pick("contract_allow_writes"), "contract_allow_writes"),
            budget=int(budget),
            rate=float(rate),
            dry_run=_flag(pick("contract_dry_run"), "contract_dry_run"),
            coverage_json=pick("contract_coverage_json") or None,
            profile=profile,  # type: ignore[arg-type]
        )


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _bad(dest: str, value: str, wanted: str) -> str:
    # The value is shown only when it is one of a closed set; a URL may hold a credential.
    shown = f" {value!r}" if value else ""
    return f"{_option(dest)} (or ${CONTRACT_ENV[dest]}){shown}: must be {wanted}"


def _flag(value: Any, dest: str) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(_bad(dest, text, "1/true/yes or 0/false/no"))


def _number(value: Any, dest: str, default: float, kind: type[int] | type[float]) -> float:
    if value is None:
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(_bad(dest, str(value), f"a positive {kind.__name__}")) from None
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(_bad(dest, str(value), f"a positive {kind.__name__}"))
    return number

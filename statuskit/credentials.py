"""The credentials both APIs take, read from one set of environment variables.

The mock, the reference client and the contract suites all read these same names, so one
environment configures a fake upstream and the suites that test it:

=================================  ============================  ===================
variable                           meaning                       default
=================================  ============================  ===================
``STATUSKIT_THALAMUS_TOUCHPOINT``  touchpoint code               ``test``
``STATUSKIT_THALAMUS_TOKEN``       API token                     ``statuskit-token``
``STATUSKIT_THALAMUS_PRINCIPAL``   consumer login principal      ``consumer@example.com``
``STATUSKIT_THALAMUS_PASSWORD``    consumer login password       ``statuskit``
``STATUSKIT_TEALIUM_USERNAME``     v1 login / v2 auth username   ``user@example.com``
``STATUSKIT_TEALIUM_PASSWORD``     v1 login password             ``statuskit``
``STATUSKIT_TEALIUM_API_KEY``      v2 auth key                   ``statuskit-api-key``
``STATUSKIT_TEALIUM_ACCOUNT``      account to read files of      ``acme``
``STATUSKIT_TEALIUM_PROFILE``      profile to read files of      ``main``
``STATUSKIT_THALAMUS_LOGIN_PATH``  consumer login path [KIT]     the client's default
``STATUSKIT_ADMIN_TOKEN``          the mock's admin API token    none (loopback only)
=================================  ============================  ===================

The defaults are the kit's (the vendors document none), so that the fake upstreams work
with no setup; ``test`` is the touchpoint of Thalamus's documented example, and ``acme`` /
``main`` the account and profile of Tealium's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from statuskit.secrets import Secret

__all__ = [
    "ADMIN_TOKEN_ENV",
    "ENV_PREFIX",
    "LOGIN_PATH_ENV",
    "TealiumCredentials",
    "ThalamusCredentials",
    "thalamus_login_path",
]

ENV_PREFIX = "STATUSKIT_"
#: The fake upstreams' admin token: the server demands it, the admin wrappers send it.
ADMIN_TOKEN_ENV = f"{ENV_PREFIX}ADMIN_TOKEN"
#: The Thalamus consumer login path: not a credential, but the mock serves it where the
#: client and the suites log in, so all three read it from here.
LOGIN_PATH_ENV = f"{ENV_PREFIX}THALAMUS_LOGIN_PATH"


def thalamus_login_path(environ: Mapping[str, str] | None = None) -> str | None:
    """``$STATUSKIT_THALAMUS_LOGIN_PATH`` as an absolute path, or ``None`` when unset."""
    env = os.environ if environ is None else environ
    value = env.get(LOGIN_PATH_ENV, "").strip()
    return "/" + value.lstrip("/") if value else None


def _get(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(f"{ENV_PREFIX}{name}", "")
    return value if value else default


@dataclass(frozen=True)
class ThalamusCredentials:
    """What a Thalamus touchpoint sends: a touchpoint code, an API token, and a consumer
    login. Secret fields are :class:`~statuskit.secrets.Secret` and never print."""

    touchpoint: str = "test"
    token: Secret = field(default_factory=lambda: Secret("statuskit-token"))
    principal: str = "consumer@example.com"
    password: Secret = field(default_factory=lambda: Secret("statuskit"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ThalamusCredentials:
        """Read the ``STATUSKIT_THALAMUS_*`` variables, falling back to the defaults."""
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            touchpoint=_get(env, "THALAMUS_TOUCHPOINT", default.touchpoint),
            token=Secret(_get(env, "THALAMUS_TOKEN", default.token.reveal())),
            principal=_get(env, "THALAMUS_PRINCIPAL", default.principal),
            password=Secret(_get(env, "THALAMUS_PASSWORD", default.password.reveal())),
        )


@dataclass(frozen=True)
class TealiumCredentials:
    """What a Tealium user sends: a username with a password (v1) or an API key (v2), and
    the account and profile whose files it reads (not secrets, but set the same way)."""

    username: str = "user@example.com"
    password: Secret = field(default_factory=lambda: Secret("statuskit"))
    api_key: Secret = field(default_factory=lambda: Secret("statuskit-api-key"))
    account: str = "acme"
    profile: str = "main"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TealiumCredentials:
        """Read the ``STATUSKIT_TEALIUM_*`` variables, falling back to the defaults."""
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            username=_get(env, "TEALIUM_USERNAME", default.username),
            password=Secret(_get(env, "TEALIUM_PASSWORD", default.password.reveal())),
            api_key=Secret(_get(env, "TEALIUM_API_KEY", default.api_key.reveal())),
            account=_get(env, "TEALIUM_ACCOUNT", default.account),
            profile=_get(env, "TEALIUM_PROFILE", default.profile),
        )

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

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from statuskit.secrets import Secret

__all__ = [
    "ADMIN_TOKEN_ENV",
    "ENV_PREFIX",
    "LOGIN_PATH_ENV",
    "TealiumCredentials",
    "ThalamusCredentials",
    "setting",
    "settings",
    "thalamus_login_path",
    "variable",
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


def variable(name: str) -> str:
    """The environment variable of setting ``name``, as a catalogue's error case names it:
    ``tealium_forbidden_account`` is ``STATUSKIT_TEALIUM_FORBIDDEN_ACCOUNT``."""
    return ENV_PREFIX + name.upper()


def setting(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of setting ``name`` (see :func:`variable`); ``None`` when unset or empty."""
    env = os.environ if environ is None else environ
    return env.get(variable(name)) or None


class _FromEnv:
    """Credentials read field by field from ``STATUSKIT_<API>_<FIELD>``."""

    api: str

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        """The fields whose values are secrets (:class:`~statuskit.secrets.Secret`\\ s)."""
        default: Any = cls()
        return tuple(
            f.name
            for f in dataclasses.fields(default)
            if isinstance(getattr(default, f.name), Secret)
        )

    @classmethod
    def variables(cls) -> dict[str, bool]:
        """``{variable: whether its value is a secret}``, one per field."""
        default: Any = cls()
        secret = cls.secret_fields()
        return {
            f"{ENV_PREFIX}{cls.api}_{f.name.upper()}": f.name in secret
            for f in dataclasses.fields(default)
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read the ``STATUSKIT_<API>_*`` variables, falling back to the defaults."""
        env = os.environ if environ is None else environ
        default: Any = cls()
        secret = cls.secret_fields()
        values: dict[str, Any] = {}
        for f in dataclasses.fields(default):
            value = env.get(f"{ENV_PREFIX}{cls.api}_{f.name.upper()}", "")
            if value:
                values[f.name] = Secret(value) if f.name in secret else value
        read: Self = dataclasses.replace(default, **values)
        return read


@dataclass(frozen=True)
class ThalamusCredentials(_FromEnv):
    """What a Thalamus touchpoint sends: a touchpoint code, an API token, and a consumer
    login. Secret fields are :class:`~statuskit.secrets.Secret` and never print."""

    api = "THALAMUS"

    touchpoint: str = "test"
    token: Secret = field(default_factory=lambda: Secret("statuskit-token"))
    principal: str = "consumer@example.com"
    password: Secret = field(default_factory=lambda: Secret("statuskit"))


@dataclass(frozen=True)
class TealiumCredentials(_FromEnv):
    """What a Tealium user sends: a username with a password (v1) or an API key (v2), and
    the account and profile whose files it reads (not secrets, but set the same way)."""

    api = "TEALIUM"

    username: str = "user@example.com"
    password: Secret = field(default_factory=lambda: Secret("statuskit"))
    api_key: Secret = field(default_factory=lambda: Secret("statuskit-api-key"))
    account: str = "acme"
    profile: str = "main"


def settings() -> dict[str, bool]:
    """Every ``STATUSKIT_*`` setting the mock, the client, the plugin and the suites share,
    with whether its value is a secret: the credentials, the login path, the admin token."""
    return {
        **ThalamusCredentials.variables(),
        **TealiumCredentials.variables(),
        LOGIN_PATH_ENV: False,
        ADMIN_TOKEN_ENV: True,
    }

"""The mock servers' configuration: one frozen object, from defaults, a file, the
environment, or a mapping of overrides (as Flask's ``create_app(test_config)`` takes)."""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statuskit import catalogue
from statuskit.credentials import (
    ADMIN_TOKEN_ENV,
    TealiumCredentials,
    ThalamusCredentials,
    thalamus_login_path,
)
from statuskit.errors import ConfigError
from statuskit.secrets import Secret
from statuskit.wire import tealium as tealium_wire
from statuskit.wire import thalamus as thalamus_wire

__all__ = ["STATE_POOL_ENV", "STATE_URL_ENV", "MockConfig"]

#: Where the shared state lives (a ``postgresql://`` URL), below a config file and the flag.
STATE_URL_ENV = "STATUSKIT_STATE_URL"
#: The most connections per worker process to a PostgreSQL state store.
STATE_POOL_ENV = "STATUSKIT_STATE_POOL"


def _pool_size(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return 4
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise ConfigError(f"{STATE_POOL_ENV} must be a whole number of at least 1")
    return size


def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the type a field is annotated with (the few kinds used here)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_conforms(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if typing.get_origin(hint) is frozenset:
        [item] = typing.get_args(hint)
        return isinstance(value, frozenset) and all(_conforms(v, item) for v in value)
    if hint is int:  # bool is an int to isinstance, never to a config file's reader
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _wrong_type(key: str, hint: Any, value: Any) -> ConfigError:
    # Names the types only: the value may be a secret.
    expected = getattr(hint, "__name__", None) or str(hint).replace("statuskit.secrets.", "")
    if expected == "Secret":
        expected = "str"
    return ConfigError(f"mock config key {key}: expected {expected}, not {type(value).__name__}")


@dataclass(frozen=True)
class MockConfig:
    """Everything a mock app needs to know. Every field has a working default.

    ``state_path`` names the SQLite file that server workers share; ``None`` keeps the
    state in memory, private to one process (in-process tests, ``WSGITransport``).
    ``state_url`` (``STATUSKIT_STATE_URL``, ``serve --state``), when set, is where the state
    lives instead: a ``postgresql://`` URL shared by several servers, or a SQLite path. It
    may hold a password: it is never shown but through ``mockserver.store.redact_url``.
    """

    thalamus: ThalamusCredentials = field(default_factory=ThalamusCredentials)
    tealium: TealiumCredentials = field(default_factory=TealiumCredentials)
    #: Deterministic generated data on top of the fixtures: the same seed, the same data.
    seed: int = 0
    #: How many generated imports (Thalamus) and files (Tealium) to add to the fixtures.
    generated: int = 20
    state_path: str | None = None
    state_url: str | None = field(default=None, repr=False)
    #: [KIT] The most connections each worker process keeps to a PostgreSQL state store.
    state_pool: int = 4
    #: [KIT] The documented login URL is not public; the catalogue's kit decision is the default.
    thalamus_login_path: str = field(default_factory=catalogue.login_path)
    thalamus_session_cookie: str = field(default_factory=thalamus_wire.session_cookie)
    #: [DOC] Set-Cookie: JSESSIONID=...; Path=/urest_service; Secure; HttpOnly
    tealium_cookie_path: str = tealium_wire.COOKIE_PATH
    tealium_cookie_secure: bool = True
    #: [KIT] failed v1 logins that lock a username out, and for how long (seconds).
    tealium_lockout_attempts: int = 5
    tealium_lockout_seconds: int = 600
    #: [DOC] a v2 token is valid for 30 minutes.
    tealium_token_ttl: int = 1800
    #: [KIT] accounts the Tealium user may read; ``None`` means every account.
    tealium_accounts: frozenset[str] | None = None
    #: Largest request body accepted, in bytes (413 above it).
    max_content_length: int = 16 * 1024 * 1024
    #: Check every created or changed body against its strict schema (never-drifts).
    validate_responses: bool = True
    #: The admin API's token (``STATUSKIT_ADMIN_TOKEN``); when set, every admin call needs it.
    admin_token: Secret | None = None
    #: Whether the admin API demands a token: ``statuskit serve`` sets it when binding to an
    #: address other than loopback. Without a token configured, the admin API then refuses.
    admin_requires_token: bool = False
    #: [KIT] The scenario an import uploaded through the API follows (a preset name).
    upload_scenario: str = "fast-success"
    #: [KIT] Honour the ``X-Statuskit-Fault`` request header (``statuskit serve --test-mode``).
    test_mode: bool = False
    #: Record every request in the journal (``/__admin/v1/journal``).
    journal: bool = True
    #: [KIT] The journal keeps at least this many of the latest requests per worker (on
    #: PostgreSQL state, of all instances together).
    journal_limit: int = 100_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> MockConfig:
        """Defaults, with credentials (and the Thalamus login path) from the ``STATUSKIT_*``
        variables, then overrides."""
        env = os.environ if environ is None else environ
        token = env.get(ADMIN_TOKEN_ENV)
        base = cls(
            thalamus=ThalamusCredentials.from_env(env),
            tealium=TealiumCredentials.from_env(env),
            admin_token=Secret(token) if token else None,
            state_url=env.get(STATE_URL_ENV) or None,
            state_pool=_pool_size(env.get(STATE_POOL_ENV)),
        )
        login_path = thalamus_login_path(env)
        if login_path is not None:
            base = base.replace(thalamus_login_path=login_path)
        return base.replace(**overrides)

    @classmethod
    def load(cls, path: str | Path, environ: Mapping[str, str] | None = None) -> MockConfig:
        """Read a TOML or JSON config file on top of :meth:`from_env`.

        Credentials go in ``[thalamus]`` and ``[tealium]`` tables; every other key is a
        field of this class.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
            data = json.loads(text) if file.suffix == ".json" else tomllib.loads(text)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read config file {file}: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(
                f"config file {file} must hold an object of settings, not {type(data).__name__}"
            )
        return cls.from_env(environ).replace(**data)

    def replace(self, **changes: Any) -> MockConfig:
        """A copy with ``changes``; credential tables may be given as mappings."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(f"unknown mock config keys: {', '.join(unknown)}")
        for api, kind in (("thalamus", ThalamusCredentials), ("tealium", TealiumCredentials)):
            value = changes.get(api)
            if isinstance(value, Mapping):
                current = getattr(self, api)
                names = {f.name for f in dataclasses.fields(kind)}
                bad = sorted(set(value) - names)
                if bad:
                    raise ConfigError(f"unknown {api} credential keys: {', '.join(bad)}")
                hints = _hints(kind)
                secret = kind.secret_fields()
                for key, item in value.items():
                    hint = str | Secret if key in secret else hints[key]
                    if not _conforms(item, hint):
                        raise _wrong_type(f"{api}.{key}", hints[key], item)
                changes[api] = dataclasses.replace(
                    current,
                    **{k: Secret(v) if k in secret else v for k, v in value.items()},
                )
        if isinstance(changes.get("admin_token"), str):
            changes["admin_token"] = Secret(changes["admin_token"])
        if isinstance(changes.get("tealium_accounts"), list | tuple | set):
            changes["tealium_accounts"] = frozenset(changes["tealium_accounts"])
        if isinstance(changes.get("state_path"), os.PathLike):
            changes["state_path"] = os.fspath(changes["state_path"])
        hints = _hints(type(self))
        for key, item in changes.items():
            if not _conforms(item, hints[key]):
                raise _wrong_type(key, hints[key], item)
        return dataclasses.replace(self, **changes)

    def state_location(self) -> str | None:
        """Where the state lives, for ``mockserver.store.open_store``."""
        return self.state_url or self.state_path

    def secrets(self) -> tuple[Secret, ...]:
        """Every configured secret: the credentials' secret fields and the admin token, as
        :mod:`statuskit.credentials` types them (the journal scrubs them wherever sent)."""
        found: list[Secret | None] = [
            getattr(creds, name)
            for creds in (self.thalamus, self.tealium)
            for name in creds.secret_fields()
        ]
        return tuple(s for s in [*found, self.admin_token] if s is not None)

    @classmethod
    def coerce(cls, config: MockConfig | Mapping[str, Any] | None) -> MockConfig:
        """The argument of ``create_app``: a config, a mapping of overrides, or nothing."""
        if isinstance(config, MockConfig):
            return config
        return cls.from_env().replace(**dict(config or {}))

"""A user's ``STATUSKIT_*`` settings, none of them the kit's default, for the tests that
prove one environment configures the mock, the client, the suites and the plugin alike."""

from __future__ import annotations

from statuskit.credentials import LOGIN_PATH_ENV, settings


def _value(name: str, secret: bool) -> str:
    if name == LOGIN_PATH_ENV:
        return "/auth/ci-consumer-login"
    short = name.removeprefix("STATUSKIT_").lower().replace("_", "-")
    # A secret carries a canary, which must never be printed.
    return f"{short}-CANARY-ci" if secret else f"ci-{short}"


#: Every setting the kit reads (``statuskit.credentials.settings``), each with a value of
#: the user's own.
USER_SETTINGS = {name: _value(name, secret) for name, secret in settings().items()}
CANARIES = [value for value in USER_SETTINGS.values() if "CANARY" in value]

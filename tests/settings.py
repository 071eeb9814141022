"""A user's ``STATUSKIT_*`` settings, none of them the kit's default, for the tests that
prove one environment configures the mock, the client, the suites and the plugin alike."""

from __future__ import annotations

#: Every setting a user's environment gives the mock, the client and the suites; the secret
#: ones carry a canary that must never be printed.
USER_SETTINGS = {
    "STATUSKIT_THALAMUS_TOUCHPOINT": "tp-ci",
    "STATUSKIT_THALAMUS_TOKEN": "tok-CANARY-a1",
    "STATUSKIT_THALAMUS_PRINCIPAL": "ci@example.org",
    "STATUSKIT_THALAMUS_PASSWORD": "pw-CANARY-b2",
    "STATUSKIT_THALAMUS_LOGIN_PATH": "/auth/consumer-login",
    "STATUSKIT_TEALIUM_USERNAME": "ci-user@example.org",
    "STATUSKIT_TEALIUM_PASSWORD": "pw-CANARY-c3",
    "STATUSKIT_TEALIUM_API_KEY": "key-CANARY-d4",
    "STATUSKIT_TEALIUM_ACCOUNT": "zeta",
    "STATUSKIT_TEALIUM_PROFILE": "prod",
    "STATUSKIT_ADMIN_TOKEN": "adm-CANARY-e5",
}
CANARIES = [value for value in USER_SETTINGS.values() if "CANARY" in value]

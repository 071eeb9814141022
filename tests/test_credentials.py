"""Credentials come from the STATUSKIT_* variables, and secrets never print."""

from __future__ import annotations

import pickle

from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.secrets import Secret


def test_defaults_apply_when_nothing_is_set() -> None:
    creds = ThalamusCredentials.from_env({})
    assert creds.touchpoint == "test"
    assert creds.token.reveal() == "statuskit-token"
    assert TealiumCredentials.from_env({}).username == "user@example.com"


def test_environment_overrides_defaults() -> None:
    env = {
        "STATUSKIT_THALAMUS_TOUCHPOINT": "web",
        "STATUSKIT_THALAMUS_TOKEN": "tok-123",
        "STATUSKIT_TEALIUM_API_KEY": "key-456",
        "STATUSKIT_TEALIUM_PASSWORD": "",  # empty means unset
    }
    thalamus, tealium = ThalamusCredentials.from_env(env), TealiumCredentials.from_env(env)
    assert (thalamus.touchpoint, thalamus.token.reveal()) == ("web", "tok-123")
    assert tealium.api_key.reveal() == "key-456"
    assert tealium.password.reveal() == "statuskit"


def test_secrets_never_print_but_survive_pickling() -> None:
    creds = ThalamusCredentials.from_env({"STATUSKIT_THALAMUS_TOKEN": "tok-123"})
    shown = f"{creds} {creds!r} {creds.token}"
    assert "tok-123" not in shown
    assert "statuskit" not in repr(creds.password)
    copy = pickle.loads(pickle.dumps(creds))
    assert copy.token.reveal() == "tok-123"
    assert copy == creds


def test_secret_comparison() -> None:
    secret = Secret("abc")
    assert secret.matches("abc")
    assert not secret.matches("abd")
    assert not secret.matches(None)
    assert Secret(secret).reveal() == "abc"
    assert secret != "abc"


def test_secret_comparison_with_lone_surrogates() -> None:
    # JSON can spell "\ud800"; os.environ holds undecodable bytes as "\udcff".
    assert not Secret("abc").matches("\ud800abc")
    assert Secret("\udcffabc").matches("\udcffabc")
    assert not Secret("\udcffabc").matches("abc")

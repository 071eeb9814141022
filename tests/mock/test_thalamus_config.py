"""The Thalamus mock's configuration, seeded data and shared state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from mockserver.config import MockConfig
from mockserver.thalamus import create_app
from statuskit.errors import ConfigError
from statuskit.secrets import Secret
from tests.mock.thalamus_support import (
    CLIENT,
    COOKIE,
    EXAMPLE,
    LOGIN,
    PASSWORD,
    PRINCIPAL,
    SEEDED,
    SEEDED_IDS,
    STATUS,
    TOKEN,
    UPLOAD,
    assert_error,
    assert_unauthorized,
    assert_valid,
    client,
    login,
)

# -- credentials ----------------------------------------------------------------------------


def logged_in(app: Flask, touchpoint: str, token: str, principal: str, password: str) -> int:
    """Log in with these credentials and read the example; the status of the read."""
    http = client(app)
    params = {"touchpoint": touchpoint, "token": token}
    response = http.post(LOGIN, params=params, json={"principal": principal, "password": password})
    if response.status_code != 200:
        return response.status_code
    return http.get(f"{STATUS}/274", params=params).status_code


def test_configured_credentials() -> None:
    app = create_app(
        {"thalamus": {"touchpoint": "web", "token": "tok", "principal": "me", "password": "pass"}}
    )
    assert logged_in(app, "web", "tok", "me", "pass") == 200
    # "test" is always a touchpoint, so the documented example works as written.
    assert logged_in(app, "test", "tok", "me", "pass") == 200
    # The defaults are replaced, not added to.
    assert logged_in(app, "web", TOKEN, "me", "pass") == 400
    assert logged_in(app, "web", "tok", PRINCIPAL, PASSWORD) == 401
    assert logged_in(app, "mobile", "tok", "me", "pass") == 400


def test_configured_credentials_keep_unnamed_defaults() -> None:
    app = create_app({"thalamus": {"touchpoint": "web"}})
    assert logged_in(app, "web", TOKEN, PRINCIPAL, PASSWORD) == 200


def test_credentials_from_the_environment() -> None:
    env = {
        "STATUSKIT_THALAMUS_TOUCHPOINT": "kiosk",
        "STATUSKIT_THALAMUS_TOKEN": "env-token",
        "STATUSKIT_THALAMUS_PRINCIPAL": "env@example.com",
        "STATUSKIT_THALAMUS_PASSWORD": "env-pass",
    }
    config = MockConfig.from_env(env)
    assert config.thalamus.token == Secret("env-token")
    app = create_app(config)
    assert logged_in(app, "kiosk", "env-token", "env@example.com", "env-pass") == 200
    assert logged_in(app, "test", "env-token", "env@example.com", "env-pass") == 200
    assert logged_in(app, "kiosk", TOKEN, "env@example.com", "env-pass") == 400


def test_create_app_with_a_mapping_reads_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATUSKIT_THALAMUS_TOKEN", "process-token")
    app = create_app({"generated": 0})
    assert logged_in(app, "test", "process-token", PRINCIPAL, PASSWORD) == 200
    assert logged_in(app, "test", TOKEN, PRINCIPAL, PASSWORD) == 400


def test_from_env_takes_overrides() -> None:
    config = MockConfig.from_env({"STATUSKIT_THALAMUS_TOKEN": "t1"}, seed=7, generated=3)
    assert (config.seed, config.generated, config.thalamus.token.reveal()) == (7, 3, "t1")


def test_unknown_config_keys_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown mock config keys: bogus"):
        create_app({"bogus": 1})
    with pytest.raises(ConfigError, match="unknown thalamus credential keys: pin"):
        create_app({"thalamus": {"pin": "1234"}})


# -- config files ---------------------------------------------------------------------------


def test_load_toml(tmp_path: Path) -> None:
    file = tmp_path / "mock.toml"
    file.write_text(
        'seed = 3\ngenerated = 2\nthalamus_login_path = "/login"\n\n'
        '[thalamus]\ntouchpoint = "web"\ntoken = "file-token"\n',
        encoding="utf-8",
    )
    config = MockConfig.load(file, environ={})
    assert (config.seed, config.generated, config.thalamus_login_path) == (3, 2, "/login")
    assert config.thalamus.touchpoint == "web"
    assert isinstance(config.thalamus.token, Secret)
    assert config.thalamus.token.reveal() == "file-token"
    assert "file-token" not in repr(config)
    app = create_app(config)
    http = client(app)
    params = {"touchpoint": "web", "token": "file-token"}
    response = http.post(
        "/login", params=params, json={"principal": PRINCIPAL, "password": PASSWORD}
    )
    assert response.status_code == 200
    listed = http.get(STATUS, params=params).json()
    assert listed["totalItems"] == len(SEEDED) + 2


def test_load_json(tmp_path: Path) -> None:
    file = tmp_path / "mock.json"
    file.write_text(json.dumps({"generated": 0, "thalamus": {"password": "json-pass"}}))
    config = MockConfig.load(file, environ={"STATUSKIT_THALAMUS_TOKEN": "env-token"})
    assert config.generated == 0
    # The file goes on top of the environment.
    assert config.thalamus.token.reveal() == "env-token"
    assert config.thalamus.password.reveal() == "json-pass"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing.toml", None, "cannot read config file"),
        ("bad.toml", "seed = = 1", "cannot read config file"),
        ("bad.json", "{seed: 1}", "cannot read config file"),
        ("bad-utf8.toml", b"seed = 1 # \xff", "cannot read config file"),
        ("unknown.toml", "seeds = 1", "unknown mock config keys: seeds"),
        ("unknown.json", '{"thalamus": {"tokn": "x"}}', "unknown thalamus credential keys: tokn"),
        ("list.json", "[1, 2]", "must hold an object"),
        ("null.json", "null", "must hold an object"),
        ("type.toml", 'generated = "twenty"', "generated"),
        ("bool.json", '{"seed": true}', "seed"),
        ("length.toml", "max_content_length = 1.5", "max_content_length"),
        ("path.json", '{"thalamus_login_path": 5}', "thalamus_login_path"),
        ("validate.json", '{"validate_responses": "no"}', "validate_responses"),
        ("state.json", '{"state_path": 1}', "state_path"),
        ("table.toml", 'thalamus = "web"', "thalamus"),
        ("secret.toml", "[thalamus]\ntoken = 5", "thalamus.token"),
        (
            "touchpoint.json",
            '{"thalamus": {"touchpoint": null}}',
            "thalamus.touchpoint",
        ),
    ],
)
def test_config_file_errors(
    tmp_path: Path, name: str, text: str | bytes | None, message: str
) -> None:
    file = tmp_path / name
    if isinstance(text, bytes):
        file.write_bytes(text)
    elif text is not None:
        file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        MockConfig.load(file, environ={})


def test_a_config_error_never_quotes_a_secret(tmp_path: Path) -> None:
    file = tmp_path / "secret.toml"
    file.write_text('[thalamus]\ntoken = ["very-secret-token"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        MockConfig.load(file, environ={})
    assert "very-secret-token" not in str(raised.value)


# -- generated data -------------------------------------------------------------------------


def every_record(app: Flask) -> list[dict[str, Any]]:
    http = client(app)
    login(http)
    body = http.get(STATUS, params={**CLIENT, "pageSize": "1000", "orderBy": "creationDate"})
    assert body.status_code == 200
    page = body.json()
    assert_valid("import-page", page)
    records: list[dict[str, Any]] = page["items"]
    return records


def generated(app: Flask) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in every_record(app) if r["id"] not in SEEDED_IDS}


def test_the_same_seed_serves_the_same_records() -> None:
    first = generated(create_app({"seed": 42}))
    second = generated(create_app({"seed": 42}))
    assert sorted(first) == list(range(1000, 1020))
    assert first == second
    for record in first.values():
        assert_valid("import-record", record)


def test_a_different_seed_serves_different_records() -> None:
    first, second = generated(create_app({"seed": 1})), generated(create_app({"seed": 2}))
    assert sorted(first) == sorted(second)
    assert first != second
    assert all(first[i] != second[i] for i in first)


def test_generated_count() -> None:
    assert sorted(generated(create_app({"generated": 3}))) == [1000, 1001, 1002]
    only_fixtures = every_record(create_app({"generated": 0}))
    assert sorted(r["id"] for r in only_fixtures) == SEEDED_IDS
    assert {r["id"]: r for r in only_fixtures} == {r["id"]: r for r in SEEDED}


def test_generated_records_are_coherent() -> None:
    for record in generated(create_app({"generated": 200, "seed": 9})).values():
        done = record["rowsOk"] + record["rowsWithErrors"] + record["rowsSkipped"]
        assert done <= record["rows"]
        if record["state"] == "PROCESSED":
            assert done == record["rows"]
        if record["state"] == "WAITING":
            assert record["rows"] == 0
        assert record["modificationDate"] >= record["creationDate"]


# -- shared state ---------------------------------------------------------------------------


def test_apps_on_one_state_file_share_uploads_and_sessions(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    one, two = create_app({"state_path": path}), create_app({"state_path": path})
    first, second = client(one), client(two)
    login(first)
    # The session made through one worker is good on the other.
    cookie = first.cookies[COOKIE]
    second.cookies.set(COOKIE, cookie)
    assert second.get(f"{STATUS}/274", params=CLIENT).json() == EXAMPLE
    assert_error(
        second.post(LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": PASSWORD}),
        400,
        "party",
        "PartyAlreadyLoggedin",
    )
    made = first.post(
        UPLOAD, params={**CLIENT, "name": "shared", "type": "25006"}, files={"file": ("f", b"x")}
    ).json()
    assert second.get(f"{STATUS}/{made['id']}", params=CLIENT).json() == made
    # Ids come from one counter.
    other = second.post(
        UPLOAD, params={**CLIENT, "name": "shared2", "type": "25006"}, files={"file": ("f", b"x")}
    ).json()
    assert other["id"] == made["id"] + 1
    # Logging out through one ends the session for both.
    assert second.get("/api/v3/logout", params=CLIENT).status_code == 204
    assert_unauthorized(first.get(f"{STATUS}/274", params=CLIENT))


def test_state_path_may_be_a_path(tmp_path: Path) -> None:
    config = MockConfig.from_env({}, state_path=tmp_path / "state.db")
    assert config.state_path == str(tmp_path / "state.db")
    login(client(create_app(config)))
    assert (tmp_path / "state.db").is_file()


def test_a_state_file_is_seeded_once(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    one = create_app({"state_path": path, "seed": 1})
    made = client(one)
    login(made)
    upload = made.post(
        UPLOAD, params={**CLIENT, "name": "kept", "type": "25006"}, files={"file": ("f", b"x")}
    ).json()
    before = every_record(one)
    # A later worker, even with another seed, neither reseeds nor overwrites.
    two = create_app({"state_path": path, "seed": 2, "generated": 50})
    after = every_record(two)
    assert after == before
    assert upload in after
    assert len(after) == len(SEEDED) + 20 + 1


def test_a_state_file_survives_the_apps(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    app = create_app({"state_path": path})
    http = client(app)
    login(http)
    made = http.post(
        UPLOAD, params={**CLIENT, "name": "durable", "type": "25006"}, files={"file": ("f", b"x")}
    ).json()
    state = app.extensions["statuskit"]
    state.store.close()
    again = client(create_app({"state_path": path}))
    login(again)
    assert again.get(f"{STATUS}/{made['id']}", params=CLIENT).json() == made


def test_separate_state_files_are_separate(tmp_path: Path) -> None:
    # Characters that mean something in an SQLite URI must not merge two files into one.
    apps = [create_app({"state_path": str(tmp_path / name)}) for name in ("s#1.db", "s#2.db")]
    apps.append(create_app({"state_path": str(tmp_path / "s?mode=memory.db")}))
    apps.append(create_app({"state_path": str(tmp_path / "100%25.db")}))
    http = [client(app) for app in apps]
    for h in http:
        login(h)
    made = (
        http[0]
        .post(
            UPLOAD,
            params={**CLIENT, "name": "only-here", "type": "25006"},
            files={"file": ("f", b"x")},
        )
        .json()
    )
    for h in http[1:]:
        assert_error(h.get(f"{STATUS}/{made['id']}", params=CLIENT), 404, "id", "NotFound")
    names = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db")
    assert names == ["100%25.db", "s#1.db", "s#2.db", "s?mode=memory.db"]


def test_in_memory_apps_are_separate() -> None:
    second_app = create_app({})
    one, two = client(create_app({})), client(second_app)
    login(one)
    login(two)
    made = one.post(
        UPLOAD, params={**CLIENT, "name": "private", "type": "25006"}, files={"file": ("f", b"x")}
    ).json()
    assert_error(two.get(f"{STATUS}/{made['id']}", params=CLIENT), 404, "id", "NotFound")
    cookie = one.cookies[COOKIE]
    three = client(second_app)
    three.cookies.set(COOKIE, cookie)
    assert_unauthorized(three.get(f"{STATUS}/274", params=CLIENT))

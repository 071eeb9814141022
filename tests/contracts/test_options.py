"""The contract options: command line first, then STATUSKIT_CONTRACT_*, then defaults."""

from __future__ import annotations

import pytest

from statuskit.contracts.options import ContractOptions, is_loopback, target_kind
from statuskit.errors import ConfigError


def test_defaults_test_both_apis_in_process_with_the_dev_profile() -> None:
    options = ContractOptions.resolve({}, {})
    assert (options.api, options.base_url, options.kind) == ("all", None, "in-process")
    assert (options.budget, options.rate, options.profile) == (200, 5.0, "dev")
    assert options.apis() == ("thalamus", "tealium")
    assert not options.guarded


def test_every_option_falls_back_to_its_variable() -> None:
    env = {
        "STATUSKIT_CONTRACT_API": "tealium",
        "STATUSKIT_CONTRACT_BASE_URL": "https://staging.example.com/api/",
        "STATUSKIT_CONTRACT_ALLOW_WRITES": "yes",
        "STATUSKIT_CONTRACT_BUDGET": "50",
        "STATUSKIT_CONTRACT_RATE": "0.5",
        "STATUSKIT_CONTRACT_DRY_RUN": "1",
        "STATUSKIT_CONTRACT_COVERAGE_JSON": "out.json",
        "STATUSKIT_CONTRACT_PROFILE": "ci",
    }
    options = ContractOptions.resolve({}, env)
    assert options == ContractOptions(
        api="tealium",
        base_url="https://staging.example.com/api",
        allow_writes=True,
        budget=50,
        rate=0.5,
        dry_run=True,
        coverage_json="out.json",
        profile="ci",
    )
    assert options.kind == "remote"
    assert options.guarded


def test_the_command_line_wins_over_the_environment() -> None:
    env = {"STATUSKIT_CONTRACT_API": "tealium", "STATUSKIT_CONTRACT_BUDGET": "50"}
    options = ContractOptions.resolve({"contract_api": "thalamus", "contract_budget": "7"}, env)
    assert (options.api, options.budget) == ("thalamus", 7)


def test_off_loopback_the_profile_defaults_to_live() -> None:
    remote = ContractOptions.resolve({"contract_base_url": "https://api.example.com"}, {})
    local = ContractOptions.resolve({"contract_base_url": "http://127.0.0.1:8080"}, {})
    assert (remote.profile, local.profile) == ("live", "dev")
    assert ContractOptions.resolve({"contract_serve": True}, {}).kind == "loopback"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"contract_api": "both"}, "--contract-api"),
        ({"contract_base_url": "ftp://x"}, "absolute http"),
        ({"contract_budget": "-1"}, "positive int"),
        ({"contract_rate": "fast"}, "positive float"),
        ({"contract_rate": "nan"}, "positive float"),
        ({"contract_profile": "prod"}, "--contract-profile"),
        ({"contract_serve": True, "contract_base_url": "http://localhost"}, "starts its own"),
    ],
)
def test_a_bad_value_is_one_config_error(given: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ContractOptions.resolve(given, {})


def test_a_bad_variable_names_the_variable_and_no_url() -> None:
    with pytest.raises(ConfigError, match=r"STATUSKIT_CONTRACT_DRY_RUN") as raised:
        ContractOptions.resolve({}, {"STATUSKIT_CONTRACT_DRY_RUN": "maybe"})
    assert "maybe" in str(raised.value)
    with pytest.raises(ConfigError) as raised:
        ContractOptions.resolve({}, {"STATUSKIT_CONTRACT_BASE_URL": "user:SECRET@host"})
    assert "SECRET" not in str(raised.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.2", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("a.b", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert target_kind(f"http://{host}:1") == ("loopback" if loopback else "remote")


def test_the_options_are_in_the_plugins_group_with_their_variables(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "statuskit fake upstreams and contract tests:",
            "*--contract-api={thalamus,tealium,all}*",
            "*--contract-base-url=URL*",
            "*(env: STATUSKIT_CONTRACT_BUDGET)*",
        ]
    )

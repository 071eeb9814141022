"""The OpenAPI export: valid 3.1, generated from schemas/, and in step with the mock's routes."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig

from mockserver import create_app
from mockserver.tealium.api import MAX_NAME
from statuskit import catalogue
from statuskit.cli import main
from statuskit.errors import SchemaLoadError, UnknownSchemaError
from statuskit.fixtures import fixtures
from statuskit.openapi import APIS, build_document, dumps
from statuskit.openapi._cases import EXTENSION as CASES
from statuskit.openapi.schemathesis_config import HOOKS, POSITIVE_DATA_ACCEPTANCE, render
from statuskit.registry import SchemaRegistry
from tests.helpers import edited_catalogue, token_documented_and_id_case

DOCUMENTS = {
    "all": build_document("all"),
    "thalamus": build_document("thalamus"),
    "tealium": build_document("tealium"),
    "admin": build_document(admin=True),
}
METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def component_validator(document: dict[str, Any], ref: str) -> Draft202012Validator:
    # The document is the root, so '#/components/...' pointers resolve inside it.
    return Draft202012Validator(
        {"components": document["components"], "$ref": ref},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.mark.parametrize("which", DOCUMENTS)
def test_every_document_is_valid_openapi_3_1(which: str) -> None:
    document = DOCUMENTS[which]
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_admin_api_has_its_own_document() -> None:
    assert all(path.startswith("/__admin/v1/") for path in DOCUMENTS["admin"]["paths"])
    assert not any("/__admin/" in path for path in DOCUMENTS["all"]["paths"])
    assert set(DOCUMENTS["all"]["paths"]) == {
        *DOCUMENTS["thalamus"]["paths"],
        *DOCUMENTS["tealium"]["paths"],
    }


# -- the catalogue and the mock's real routes ------------------------------------------------

_PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?[^<>]+>|\{[^{}]+\}")
# Flask adds OPTIONS to every rule and HEAD to every GET; docs/wire.md documents both.
_AUTOMATIC = {"HEAD", "OPTIONS"}


def _shape(path: str) -> str:
    """A route with each placeholder, Flask's or OpenAPI's, as '{}'."""
    return _PLACEHOLDER.sub("{}", path)


def _owner(path: str) -> str:
    if path.startswith("/__admin/"):
        return "admin"
    return "tealium" if path.startswith(("/v1/", "/v2/")) else "thalamus"


def flask_routes() -> dict[str, set[tuple[str, str]]]:
    app = create_app({"generated": 0})
    found: dict[str, set[tuple[str, str]]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue  # Flask's own static route: the mock has no static folder, so no API
        if rule.endpoint.startswith("admin_ui."):
            continue  # the dashboard's pages (/__admin/ui/): HTML for a person, not an API
        methods = set(rule.methods or ()) - _AUTOMATIC
        assert "OPTIONS" in (rule.methods or ()), rule.rule
        assert ("HEAD" in (rule.methods or ())) == ("GET" in methods), rule.rule
        for method in methods:
            found.setdefault(_owner(rule.rule), set()).add((method, _shape(rule.rule)))
    return found


def catalogue_routes(registry: SchemaRegistry, api: str) -> set[tuple[str, str]]:
    return {
        (op["method"].upper(), _shape(op["path"])) for op in registry.catalogue(api)["operations"]
    }


@pytest.mark.parametrize("api", [*APIS, "admin"])
def test_the_catalogue_and_the_flask_routes_agree_both_ways(
    registry: SchemaRegistry, api: str
) -> None:
    served = flask_routes()[api]
    catalogued = catalogue_routes(registry, api)
    assert sorted(served - catalogued) == [], "served but missing from the catalogue"
    assert sorted(catalogued - served) == [], "catalogued but not served"


def test_every_path_parameter_is_declared() -> None:
    for which, document in DOCUMENTS.items():
        for method, path, op in operations(document):
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{([^}]+)\}", path)), (which, method, path)


# -- generated from schemas/ -----------------------------------------------------------------


def test_components_are_the_strict_schemas(registry: SchemaRegistry) -> None:
    component = DOCUMENTS["all"]["components"]["schemas"]["thalamus.import-record"]
    strict = registry.schema("thalamus", "import-record")
    assert component["additionalProperties"] is False
    assert component["required"] == strict["required"]
    assert component["properties"]["id"] == {
        **strict["properties"]["id"],
        "$ref": "#/components/schemas/thalamus.common.id",
    }
    text = json.dumps(DOCUMENTS)
    assert "statuskit.invalid" not in text, "every $ref is bundled into components"


@pytest.mark.parametrize("which", DOCUMENTS)
def test_every_ref_points_inside_the_document(which: str) -> None:
    document = DOCUMENTS[which]
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"]


def test_every_documented_fixture_is_an_example_that_validates() -> None:
    document = DOCUMENTS["all"]
    attached: set[str] = set()
    for _, _, op in operations(document):
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            for name, example in media.get("examples", {}).items():
                attached.add(f"{op['x-statuskit-operation']}/{name}")
                validator = component_validator(document, media["schema"]["$ref"])
                assert list(validator.iter_errors(example["value"])) == [], (status, name)
    expected = {
        f"{f.operation}/{f.path.stem}" for f in fixtures(kind="documented") if f.api in APIS
    }
    assert expected <= attached


def test_the_schemas_x_operations_match_the_catalogue(registry: SchemaRegistry) -> None:
    for api in APIS:
        catalogue = registry.catalogue(api)
        logical = {op.get("operation", op["operationId"]): op for op in catalogue["operations"]}
        for name in registry.names(api):
            for operation in registry.source(api, name).get("x-operations", []):
                assert operation in logical, f"{api}/{name}: x-operations names {operation!r}"


def test_responses_carry_their_provenance() -> None:
    for _, _, op in operations(DOCUMENTS["all"]):
        assert op.get("x-source"), op["operationId"]
        for status, response in op["responses"].items():
            assert response["description"], (op["operationId"], status)


# -- error cases ------------------------------------------------------------------------------


def document_cases(document: dict[str, Any]) -> set[tuple[str, str, int, str, str, str | None]]:
    """(api, operation, status, case, provenance, code) of every response's error cases."""
    return {
        (
            op["tags"][0],
            op["x-statuskit-operation"],
            int(status),
            case["name"],
            case["provenance"],
            case.get("code"),
        )
        for _, _, op in operations(document)
        for status, response in op["responses"].items()
        for case in response.get(CASES, [])
    }


def test_every_error_case_of_the_catalogue_is_on_its_response_and_no_other() -> None:
    expected = {
        (
            op.api,
            op.name,
            case.status,
            case.name,
            "documented" if case.documented else "kit",
            case.code,
        )
        for op in catalogue.operations()
        for case in op.errors
    }
    assert document_cases(DOCUMENTS["all"]) == expected


def test_an_error_case_carries_its_request_and_source() -> None:
    responses = DOCUMENTS["thalamus"]["paths"]["/api/v4/import/status/{id}"]["get"]["responses"]
    by_name = {case["name"]: case for case in responses["400"][CASES]}
    # FACTS.md: a missing token is a kit decision; a missing touchpoint is documented.
    assert by_name["tokenMissing"]["provenance"] == "kit"
    assert by_name["tokenMissing"]["request"] == {"credentials": {"token": None}}
    assert by_name["touchpointMissing"]["provenance"] == "documented"
    assert by_name["touchpointMissing"]["source"].startswith("thalamus-get-status.txt")


def test_each_route_carries_its_own_cases() -> None:
    # One logical operation, two routes: v1's session case is not v2's bearer case.
    paths = DOCUMENTS["tealium"]["paths"]
    for version, mine, other in (
        ("v1", "badSession", "badBearer"),
        ("v2", "badBearer", "badSession"),
    ):
        route = paths[
            f"/{version}/omnichannel/accounts/{{account}}/profiles/{{profile}}/files/count"
        ]
        names = {case["name"] for case in route["get"]["responses"]["401"][CASES]}
        assert mine in names, version
        assert other not in names, version


def test_a_documented_status_with_a_kit_body_says_so() -> None:
    route = DOCUMENTS["tealium"]["paths"][
        "/v1/omnichannel/accounts/{account}/profiles/{profile}/files/{name}"
    ]
    (case,) = route["get"]["responses"]["404"][CASES]
    assert (case["provenance"], case["codeProvenance"]) == ("documented", "kit")


def test_the_document_follows_a_change_to_the_error_cases(tmp_path: Path) -> None:
    change = token_documented_and_id_case({"path": {"id": " "}})
    document = build_document("thalamus", registry=edited_catalogue(tmp_path, "thalamus", change))
    cases = document_cases(document)
    assert ("thalamus", "get-status", 400, "tokenMissing", "documented", "token:Required") in cases
    assert (
        "thalamus",
        "list-imports",
        400,
        "tokenMissing",
        "documented",
        "token:Required",
    ) in cases
    assert ("thalamus", "get-status", 400, "400 id:Required", "kit", "id:Required") in cases
    assert not any(c[1] != "get-status" and c[3] == "400 id:Required" for c in cases)


# -- parameters and credentials ---------------------------------------------------------------


def test_thalamus_credentials_are_query_or_header_alternatives() -> None:
    op = DOCUMENTS["all"]["paths"]["/api/v4/import/status/{id}"]["get"]
    places = {frozenset(requirement) for requirement in op["security"]}
    assert places == {
        frozenset({f"thalamus.{tp}", f"thalamus.{tok}", "thalamus.session"})
        for tp in ("touchpointQuery", "touchpointHeader")
        for tok in ("tokenQuery", "tokenHeader")
    }
    schemes = DOCUMENTS["all"]["components"]["securitySchemes"]
    assert schemes["thalamus.touchpointHeader"] == {
        **schemes["thalamus.touchpointHeader"],
        "type": "apiKey",
        "in": "header",
        "name": "Thalamus-Touchpoint",
    }
    assert schemes["thalamus.session"]["in"] == "cookie"


def test_tealium_v1_needs_utk_and_cookie_and_v2_a_bearer() -> None:
    paths = DOCUMENTS["all"]["paths"]
    v1 = paths["/v1/omnichannel/accounts/{account}/profiles/{profile}/files/{name}"]["get"]
    v2 = paths["/v2/omnichannel/accounts/{account}/profiles/{profile}/files/{name}"]["get"]
    assert v1["security"] == [{"tealium.utk": [], "tealium.jsessionid": []}]
    assert v2["security"] == [{"tealium.bearer": []}]
    assert paths["/v1/login"]["post"]["security"] == []
    bearer = DOCUMENTS["all"]["components"]["securitySchemes"]["tealium.bearer"]
    assert (bearer["scheme"], bearer["bearerFormat"]) == ("bearer", "JWT")


def test_the_admin_token_is_optional() -> None:
    op = DOCUMENTS["admin"]["paths"]["/__admin/v1/clock"]["get"]
    assert op["security"] == [{"admin.adminToken": []}, {}]


# -- the registry keeps the catalogue apart from the schemas -------------------------------


def test_the_registry_skips_the_catalogue(registry: SchemaRegistry) -> None:
    for api in registry.apis():
        assert "operations" not in registry.names(api)
    assert registry.catalogued() == ("admin", "tealium", "thalamus")
    with pytest.raises(UnknownSchemaError, match="no operation catalogue for API 'nope'"):
        registry.catalogue("nope")


def test_a_catalogue_naming_an_unknown_schema_fails_in_one_line(tmp_path: Path) -> None:
    def rename(catalogue: dict[str, Any]) -> None:
        catalogue["operations"][2]["responses"]["200"]["schema"] = "no-such-schema"

    registry = edited_catalogue(tmp_path, "thalamus", rename)
    with pytest.raises(SchemaLoadError, match="no schema thalamus/no-such-schema") as caught:
        build_document("thalamus", registry=registry)
    assert "\n" not in str(caught.value)


def test_a_catalogue_of_the_wrong_shape_fails_in_one_line(tmp_path: Path) -> None:
    def break_it(catalogue: dict[str, Any]) -> None:
        catalogue["operations"][0]["method"] = "fetch"

    registry = edited_catalogue(tmp_path, "tealium", break_it)
    with pytest.raises(SchemaLoadError, match=r"operations/0/method: 'fetch' is not one of"):
        build_document("tealium", registry=registry)


# -- the command -------------------------------------------------------------------------------


def test_the_command_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "--api", "tealium"]) == 0
    assert json.loads(capsys.readouterr().out) == DOCUMENTS["tealium"]


def test_the_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "admin.json"
    assert main(["openapi", "--admin", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == dumps(DOCUMENTS["admin"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--admin", "--api", "thalamus"], "--admin makes the admin API's own document"),
        (["--output", "/nonexistent/dir/x.json"], "cannot write /nonexistent/dir/x.json"),
    ],
)
def test_command_failures_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["openapi", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


# -- Schemathesis's configuration, derived from the document ----------------------------------

LOGIN_IDS = {"thalamus.login", "tealium.v1-login", "tealium.v2-auth"}


def _config(document: dict[str, Any]) -> dict[str, Any]:
    return tomllib.loads(render(document))


def _entries(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["include-operation-id"]: entry for entry in config.get("operations", [])}


def test_schemathesis_accepts_the_config_and_its_hooks_module_exists() -> None:
    config = _config(DOCUMENTS["all"])
    assert config.pop("hooks") == HOOKS
    assert importlib.util.find_spec(HOOKS) is not None
    # Schemathesis validates the rest against its own schema (loading the hooks would
    # register them in this process, so they are checked apart, above).
    SchemathesisConfig.from_dict(config)


def test_thalamus_credentials_refused_with_400_turn_ignored_auth_off() -> None:
    # docs/wire.md: every Thalamus route checks touchpoint and token first, and a missing or
    # wrong one is 400; Tealium's credentials are refused with 401.
    entries = _entries(_config(DOCUMENTS["all"]))
    off = {op for op, e in entries.items() if e.get("checks", {}).get("ignored_auth")}
    thalamus = {op["operationId"] for _, _, op in operations(DOCUMENTS["thalamus"])}
    assert off == thalamus
    for op in off:
        assert entries[op]["checks"]["ignored_auth"] == {"enabled": False}


def test_rules_beyond_the_schema_accept_their_400() -> None:
    entries = _entries(_config(DOCUMENTS["all"]))
    accepting = {
        op: e["checks"]["positive_data_acceptance"]["expected-statuses"]
        for op, e in entries.items()
        if "positive_data_acceptance" in e.get("checks", {})
    }
    # Login without Basic or body, upload without name or type, an end before the start.
    assert set(accepting) == {
        "thalamus.login",
        "thalamus.upload",
        *(f"tealium.v{v}-{op}" for v in (1, 2) for op in ("count", "search")),
    }
    for statuses in accepting.values():
        assert statuses == [*POSITIVE_DATA_ACCEPTANCE, "400"]


def test_logins_are_spared_the_only_401_warning() -> None:
    entries = _entries(_config(DOCUMENTS["all"]))
    assert {op for op, e in entries.items() if e.get("warnings") is False} == LOGIN_IDS


def test_every_credential_name_is_masked_in_schemathesis_output(registry: SchemaRegistry) -> None:
    masked = set(_config(DOCUMENTS["all"])["output"]["sanitization"]["keys-to-sanitize"])
    secret_fields = {
        key.lower()
        for api in APIS
        for name in registry.names(api)
        for key, sub in registry.source(api, name).get("properties", {}).items()
        if sub.get("x-secret")
    }
    assert secret_fields >= {"password", "key", "utk", "token"}
    assert masked >= secret_fields | {"thalamus-token", "jsessionid", "authorization", "cookie"}


def test_the_tealium_file_name_bound_is_the_mocks() -> None:
    op = DOCUMENTS["all"]["paths"][
        "/v1/omnichannel/accounts/{account}/profiles/{profile}/files/{name}"
    ]["get"]
    (name,) = [p for p in op["parameters"] if p["name"] == "name"]
    assert name["schema"]["maxLength"] == MAX_NAME


def test_the_command_writes_the_schemathesis_config(tmp_path: Path) -> None:
    document, config = tmp_path / "openapi.json", tmp_path / "schemathesis.toml"
    argv = ["openapi", "-o", str(document), "--schemathesis-config", str(config)]
    assert main(argv) == 0
    assert document.read_text(encoding="utf-8") == dumps(DOCUMENTS["all"])
    assert config.read_text(encoding="utf-8") == render(DOCUMENTS["all"])


def test_a_refusal_that_is_not_a_client_error_status_fails_in_one_line(tmp_path: Path) -> None:
    def break_it(catalogue: dict[str, Any]) -> None:
        catalogue["securitySchemes"]["tokenQuery"]["x-statuskit-refused-with"] = "400"

    registry = edited_catalogue(tmp_path, "thalamus", break_it)
    with pytest.raises(SchemaLoadError, match="tokenQuery/x-statuskit-refused-with") as caught:
        build_document("thalamus", registry=registry)
    assert "\n" not in str(caught.value)

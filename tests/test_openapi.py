"""The OpenAPI export: valid 3.1, generated from schemas/, and in step with the mock's routes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from mockserver import create_app
from statuskit.cli import main
from statuskit.errors import SchemaLoadError, UnknownSchemaError
from statuskit.fixtures import fixtures
from statuskit.openapi import APIS, build_document, dumps
from statuskit.registry import CATALOGUE, SchemaRegistry

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


@pytest.fixture
def schemas_copy(tmp_path: Path, registry: SchemaRegistry) -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(registry.root, root)
    return root


def _edit(root: Path, api: str, change: Any) -> SchemaRegistry:
    path = root / api / CATALOGUE
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    change(catalogue)
    path.write_text(json.dumps(catalogue), encoding="utf-8")
    return SchemaRegistry(root)


def test_a_catalogue_naming_an_unknown_schema_fails_in_one_line(schemas_copy: Path) -> None:
    def rename(catalogue: dict[str, Any]) -> None:
        catalogue["operations"][2]["responses"]["200"]["schema"] = "no-such-schema"

    registry = _edit(schemas_copy, "thalamus", rename)
    with pytest.raises(SchemaLoadError, match="no schema thalamus/no-such-schema") as caught:
        build_document("thalamus", registry=registry)
    assert "\n" not in str(caught.value)


def test_a_catalogue_of_the_wrong_shape_fails_in_one_line(schemas_copy: Path) -> None:
    def break_it(catalogue: dict[str, Any]) -> None:
        catalogue["operations"][0]["method"] = "fetch"

    registry = _edit(schemas_copy, "tealium", break_it)
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

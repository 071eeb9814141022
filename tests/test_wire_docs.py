"""docs/wire.md's error-case tables are the catalogues', rendered, and follow a change."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuskit import catalogue
from statuskit.catalogue_tables import BLOCK, main, render, replace
from tests.helpers import edited_catalogue, token_documented_and_id_case

WIRE = Path(__file__).resolve().parents[1] / "docs" / "wire.md"


def _rows(table: str) -> list[list[str]]:
    """The table's data rows, as cells (``\\|`` inside a cell kept)."""
    rows = []
    for line in table.splitlines():
        if line.startswith("| ") and not line.startswith("| operation "):
            cells = line.strip("|").replace("\\|", "\0").split("|")
            rows.append([c.strip().replace("\0", "|") for c in cells])
    return rows


def test_the_tables_in_docs_wire_md_are_the_rendered_ones() -> None:
    text = WIRE.read_text(encoding="utf-8")
    assert sorted(m["api"] for m in BLOCK.finditer(text)) == ["tealium", "thalamus"]
    for found in BLOCK.finditer(text):
        assert found["table"] == render(found["api"]), (
            f"docs/wire.md's {found['api']} table is stale: "
            "run python -m statuskit.catalogue_tables docs/wire.md"
        )


@pytest.mark.parametrize("api", ["thalamus", "tealium"])
def test_every_case_of_every_operation_has_a_row(api: str) -> None:
    rows = _rows(render(api))
    for op in catalogue.operations(api):
        for case in op.errors:
            code = f"`{case.code}`" if case.code else "no body"
            mark = "**[DOC" if case.documented else "**[KIT]**"
            assert any(
                f"`{op.name}`" in row[0]
                and row[1] == str(case.status)
                and row[2] == code
                and row[4].startswith(mark)
                and case.provenance.source in row[4]
                for row in rows
            ), (op.name, str(case))


def test_the_thalamus_token_cases_read_as_kit_decisions() -> None:
    rows = {row[2]: row for row in _rows(render("thalamus"))}
    assert rows["`token:Required`"][3] == "credential `token` left out"
    assert rows["`token:Required`"][4].startswith("**[KIT]**")
    assert rows["`partnerDataSource:TouchpointCodeRequired`"][4].startswith("**[DOC]**")


def test_a_case_on_some_routes_names_them() -> None:
    rows = [row for row in _rows(render("tealium")) if "statuskit-wrong-token" in row[3]]
    assert [row[0] for row in rows] == [
        "`count` (`v2-count`), `search` (`v2-search`), `get-file-status` (`v2-get-file-status`)"
    ]


def test_a_tealium_over_long_name_says_how_long() -> None:
    limit = catalogue.operation("tealium", "get-file-status").parameters["path", "name"]
    over = int(limit["schema"]["maxLength"]) + 1
    assert f"path `name` = {over} characters" in render("tealium")


def test_the_tables_follow_a_catalogue_change(tmp_path: Path) -> None:
    change = token_documented_and_id_case(
        {"path": {"id": "x|y"}, "headers": {"Thalamus-Activity": None}}
    )
    table = render("thalamus", registry=edited_catalogue(tmp_path, "thalamus", change))
    rows = {row[2]: row for row in _rows(table)}
    assert rows["`token:Required`"][4] == "**[DOC]** a vendor page"
    added = rows["`id:Required`"]
    assert added[0] == "`get-status`"
    assert added[3] == "path `id` = `x|y`; header `Thalamus-Activity` left out"
    assert added[4] == "**[KIT]** a new decision"
    assert table != render("thalamus")


def test_replace_leaves_the_prose_alone() -> None:
    page = "Intro.\n<!-- error-cases:tealium -->\nold\n<!-- /error-cases -->\nOutro.\n"
    fresh = replace(page)
    assert fresh.startswith("Intro.\n<!-- error-cases:tealium -->\nOperations: ")
    assert fresh.endswith(render("tealium") + "<!-- /error-cases -->\nOutro.\n")


def test_the_command_rewrites_a_stale_page_and_check_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "wire.md"
    page.write_text("# x\n<!-- error-cases:thalamus -->\nstale\n<!-- /error-cases -->\n")
    assert main(["--check", str(page)]) == 1
    assert "stale" in page.read_text()
    assert main([str(page)]) == 0
    assert (
        page.read_text()
        == "# x\n<!-- error-cases:thalamus -->\n" + render("thalamus") + "<!-- /error-cases -->\n"
    )
    assert main(["--check", str(page)]) == 0
    assert f"{page}: stale" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no block here\n", "no <!-- error-cases:<api> --> block"),
        ("<!-- error-cases:nope -->\n<!-- /error-cases -->\n", "no operation catalogue"),
    ],
)
def test_a_page_the_command_cannot_use_is_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    page = tmp_path / "wire.md"
    page.write_text(text)
    assert main([str(page)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert main([str(tmp_path / "missing.md")]) == 2

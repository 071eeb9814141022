"""``--record DIR``: the answers saved as fixtures, every secret and identifying value
replaced, and each fixture still valid against its schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask

from statuskit.registry import SchemaRegistry
from tests.drift.conftest import run_against

# What the documented examples and the default credentials identify.
IDENTIFYING = [
    "acme",
    "vantasHoySep",
    "PARTNERSaleImporter_Hoy",
    "mmorena",
    "thalamus-imports",
    "com.thalamus.aaa",
    "sales-transaction_2016feb4v50",
    "5702ea6db993f8f8cbea334c",
    "44b12d35ea9fffdeeb69f98b03004f22",
    "johndoe",
    "bulk_downloader_i-cd504b49",
    "consumer@example.com",
    "user@example.com",
    '"touchpoint": "test"',
    '"id": 274',
    "/274",
    '"id": 265',
]


def test_recordings_hold_no_identifying_value_and_still_validate(
    mock_app: Flask, tmp_path: Path, registry: SchemaRegistry
) -> None:
    folder = tmp_path / "recorded"
    run_against(mock_app, "thalamus", ids=[274], record=folder)
    run_against(mock_app, "tealium", files=["sales-transaction_2016feb4v50.csv"], record=folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = manifest["fixtures"]
    assert {e["api"] for e in entries} == {"thalamus", "tealium"}  # both recordings listed
    texts = [(folder / "manifest.json").read_text()]
    for entry in entries:
        path = folder / entry["file"]
        texts.append(path.read_text())
        body = json.loads(texts[-1])
        if entry["schema"] is not None and body is not None:
            assert registry.validate(entry["api"], entry["schema"], body) == [], entry["file"]
    for value in IDENTIFYING:
        # Whole values only: a scrambled value may hold the same characters (2744, xacmeq).
        before = r"(?<![A-Za-z0-9])" if value[0].isalnum() else ""
        after = r"(?![A-Za-z0-9])" if value[-1].isalnum() else ""
        found = re.compile(before + re.escape(value) + after)
        assert not any(found.search(text) for text in texts), value
    login = json.loads((folder / "tealium" / "login.login.1.200.json").read_text())
    assert login == {"utk": "***"}
    cookies = [e["headers"].get("set-cookie") for e in entries if e["probe"] == "login"]
    assert cookies == [
        "JSESSIONID=***; Path=/urest_service; Secure; HttpOnly",
        "JSESSIONID=***; HttpOnly; Path=/",
    ] or sorted(c or "" for c in cookies) == sorted(
        [
            "JSESSIONID=***; Path=/urest_service; Secure; HttpOnly",
            "JSESSIONID=***; HttpOnly; Path=/",
        ]
    )


def test_scrambling_keeps_shape_and_is_consistent(mock_app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "recorded"
    run_against(mock_app, "tealium", files=["sales-transaction_2016feb4v50.csv"], record=folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    [entry] = [e for e in manifest["fixtures"] if e["probe"] == "file"]
    body = json.loads((folder / entry["file"]).read_text())
    name = body["file"]["name"]
    # The name in the body and in the path are the same scramble; a .csv stays a .csv.
    assert entry["request"]["path"].endswith("/" + name)
    assert name.endswith(".csv")
    assert len(name) == len("sales-transaction_2016feb4v50.csv")
    assert body["status"][0]["state"] == "DOWNLOADING"  # vocabulary is kept
    assert body["created_at"] == {"$date": "2016-04-04T22:27:56.993Z"}  # dates are kept

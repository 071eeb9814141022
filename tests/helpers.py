"""Helpers for the kit's own tests: walking schemas and instances, editing a copy of a
catalogue, serving an app on a loopback port, running the command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from statuskit.registry import CATALOGUE, SchemaRegistry, default_registry

REGISTRY = default_registry()
# Every (api, name) pair, for parametrising at import time.
SCHEMAS = list(REGISTRY)


def subschemas(schema: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ``schema`` with a JSON-pointer-like location."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for key in ("additionalProperties", "items", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield from subschemas(schema[key], f"{where}/{key}")
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from subschemas(sub, f"{where}/{key}/{name}")


def key_paths(instance: Any, key: str, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in ``instance`` that ends in an object key named ``key``."""
    if isinstance(instance, dict):
        for k, v in instance.items():
            if k == key:
                yield (*path, k)
            yield from key_paths(v, key, (*path, k))
    elif isinstance(instance, list):
        for i, v in enumerate(instance):
            yield from key_paths(v, key, (*path, i))


def set_at(instance: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set the value at ``path`` inside ``instance``, in place."""
    for part in path[:-1]:
        instance = instance[part]
    instance[path[-1]] = value


def statuskit(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m statuskit ARGS`` in ``cwd``, with ``env`` added to this environment."""
    return subprocess.run(
        [sys.executable, "-m", "statuskit", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def edited_catalogue(
    tmp_path: Path, api: str, change: Callable[[dict[str, Any]], None]
) -> SchemaRegistry:
    """A registry over a copy of ``schemas/`` in ``tmp_path``, ``api``'s operation catalogue
    passed through ``change`` (which edits it in place); ``.root`` is the copy."""
    root = tmp_path / "schemas"
    shutil.copytree(default_registry().root, root)
    path = root / api / CATALOGUE
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return SchemaRegistry(root)


def token_documented_and_id_case(request: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A change to Thalamus's catalogue: ``tokenMissing`` becomes documented, and get-status
    gains a kit-decided ``400 id:Required`` case sent as ``request``."""

    def change(data: dict[str, Any]) -> None:
        data["errorCases"]["tokenMissing"]["provenance"] = {"documented": "a vendor page"}
        (get,) = (op for op in data["operations"] if op["operationId"] == "get-status")
        get["errors"].append(
            {
                "status": 400,
                "code": "id:Required",
                "request": request,
                "provenance": {"kit": "a new decision"},
            }
        )

    return change


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log on the test's stderr (errors are still logged)."""


@contextmanager
def served(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    """Serve ``app`` on an ephemeral port of 127.0.0.1 until the block ends; its base URL.

    Threaded, so a client holding a kept-alive connection open never blocks another."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()

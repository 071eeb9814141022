"""The kit's fixtures: the vendors' documented examples, verbatim, and the mocks' seed data.

``fixtures/manifest.json`` says which schema each file conforms to; this module is the one
reader of it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statuskit._resources import data_path
from statuskit.errors import SchemaLoadError, UnknownSchemaError

__all__ = ["Fixture", "documented", "fixtures", "seed", "tealium_seed"]


@dataclass(frozen=True, slots=True)
class Fixture:
    """One fixture file and what it is an instance of.

    ``kind`` is ``"documented"`` (a vendor's example, byte for byte) or ``"seed"`` (an array
    of instances the mocks start with). ``raw`` fixtures are kept as text because they are
    not a usable JSON object as written; :meth:`load` parses them as any JSON parser would.
    """

    api: str
    kind: str
    path: Path
    schema: str
    operation: str | None = None
    status: int | None = None
    raw: bool = False
    source: str | None = None
    note: str | None = None

    def text(self) -> str:
        """The file's text, exactly as stored."""
        return self.path.read_text(encoding="utf-8")

    def load(self) -> Any:
        """The parsed JSON. For a raw fixture with a repeated key, the last value wins."""
        return json.loads(self.text())

    def instances(self) -> list[Any]:
        """The instances this fixture holds: the array of a seed, or the one document."""
        data = self.load()
        return list(data) if self.kind == "seed" else [data]


@functools.cache
def _manifest(root: Path) -> tuple[Fixture, ...]:
    try:
        entries = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["fixtures"]
        return tuple(Fixture(path=root / entry.pop("file"), **entry) for entry in entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaLoadError(
            f"{root / 'manifest.json'}: unreadable fixture manifest: {exc}"
        ) from None


def fixtures(*, api: str | None = None, kind: str | None = None) -> tuple[Fixture, ...]:
    """The fixtures, optionally only those of one API and/or one kind."""
    return tuple(
        f
        for f in _manifest(data_path("fixtures"))
        if (api is None or f.api == api) and (kind is None or f.kind == kind)
    )


def documented(api: str, operation: str, status: int) -> Fixture:
    """The documented example of ``operation``'s ``status`` response."""
    for f in fixtures(api=api, kind="documented"):
        if f.operation == operation and f.status == status:
            return f
    raise UnknownSchemaError(f"no documented {api} example for {operation} {status}")


def seed(api: str) -> list[Any]:
    """The seed instances for ``api``'s mock, in file order."""
    found = [item for f in fixtures(api=api, kind="seed") for item in f.instances()]
    if not found:
        raise UnknownSchemaError(f"no seed fixtures for API {api!r}")
    return found


def tealium_seed(account: str, profile: str) -> list[Any]:
    """The Tealium seed files, in ``account`` and ``profile``.

    [KIT] The seed is the kit's own data, not the vendor's, so a mock keeps it where its
    configured user (``STATUSKIT_TEALIUM_ACCOUNT``/``_PROFILE``) reads, and the suites look
    for it there; the documented example stays in the account and profile it names.
    """
    return [{**status, "account": account, "profile": profile} for status in seed("tealium")]

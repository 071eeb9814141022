"""Where the kit's data lives: inside the installed package, or beside it in a checkout."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from statuskit.errors import SchemaLoadError

__all__ = ["data_path"]

_PACKAGE = Path(__file__).resolve().parent


def data_path(kind: Literal["schemas", "fixtures"]) -> Path:
    """Return the folder holding the kit's ``schemas`` or ``fixtures``.

    A wheel carries them as ``statuskit/_data/<kind>``; a source checkout (or an editable
    install) keeps them at the top of the repository, one level above the package.
    """
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise SchemaLoadError(
        f"cannot find the statuskit {kind} folder next to {_PACKAGE}; reinstall the kit"
    )

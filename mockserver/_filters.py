"""Structured filters over records, which each store backend renders as SQL.

The API modules say *what* a list, count or search keeps (``Equals("category", "25006")``,
``Contains("name", "jan")``); the store says *how*, in its own dialect, with every value a
bound parameter. Only the columns in :data:`COLUMNS` may be filtered on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COLUMNS",
    "TIMED",
    "AtLeast",
    "Below",
    "Contains",
    "Equals",
    "Filter",
    "Prefix",
    "operands",
    "render",
    "successor",
]

#: The record columns a filter may name.
COLUMNS = frozenset({"key", "name", "category", "created_ms", "state", "has_errors"})
#: The columns whose value depends on the mock clock (they come from a record's snapshot).
TIMED = frozenset({"state", "has_errors"})
_TOP = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


def successor(prefix: str) -> str | None:
    """The least string greater than every string that starts with ``prefix`` (code-point
    order), or ``None`` when there is none: a prefix is then the range ``[prefix, successor)``,
    which an index finds, exactly."""
    chars = [ord(c) for c in prefix]
    while chars and chars[-1] == _TOP:
        chars.pop()
    if not chars:
        return None
    chars[-1] += 1
    if chars[-1] in _SURROGATES:  # not characters: nothing a name holds sorts among them
        chars[-1] = _SURROGATES.stop
    return "".join(map(chr, chars))


def _check(column: str) -> None:
    if column not in COLUMNS:
        raise ValueError(f"cannot filter records on {column!r}")


@dataclass(frozen=True, slots=True)
class Equals:
    """``column = value`` (``has_errors`` takes a bool)."""

    column: str
    value: Any

    def __post_init__(self) -> None:
        _check(self.column)


@dataclass(frozen=True, slots=True)
class Contains:
    """``text`` anywhere in ``column``, ignoring case (Unicode case folding); only ``name``."""

    column: str
    text: str

    def __post_init__(self) -> None:
        if self.column != "name":
            raise ValueError(f"cannot search {self.column!r} ignoring case")


@dataclass(frozen=True, slots=True)
class Prefix:
    """``column`` starts with ``text``, case-sensitive; ``""`` keeps every record."""

    column: str
    text: str

    def __post_init__(self) -> None:
        _check(self.column)


@dataclass(frozen=True, slots=True)
class AtLeast:
    """``column >= value``."""

    column: str
    value: Any

    def __post_init__(self) -> None:
        _check(self.column)


@dataclass(frozen=True, slots=True)
class Below:
    """``column < value``."""

    column: str
    value: Any

    def __post_init__(self) -> None:
        _check(self.column)


Filter = Equals | Contains | Prefix | AtLeast | Below


def operands(filters: Sequence[Filter]) -> list[Any]:
    """The value or text each filter compares with."""
    return [f.text if isinstance(f, Contains | Prefix) else f.value for f in filters]


def _value(column: str, value: Any) -> Any:
    return int(value) if column == "has_errors" else value


def render(
    filters: Sequence[Filter],
    *,
    instr: str,
    snapshot: str | None = None,
    plain: frozenset[str] = frozenset(),
) -> tuple[str, list[Any]]:
    """``filters`` as one SQL condition (``?`` placeholders) over ``records r``, and its
    parameters. ``instr`` is the dialect's substring-position function; with ``snapshot``,
    the clock-dependent columns are read from that alias instead of the record's row;
    the ``plain`` columns are written ``+r.column``, which SQLite never looks up by index."""
    conditions: list[str] = []
    params: list[Any] = []
    for f in filters:
        source = snapshot if snapshot is not None and f.column in TIMED else "r"
        column = f"{'+' if f.column in plain else ''}{source}.{f.column}"
        if isinstance(f, Equals):
            conditions.append(f"{column} = ?")
            params.append(_value(f.column, f.value))
        elif isinstance(f, Contains):
            conditions.append(f"{instr}(r.folded, ?) > 0")
            params.append(f.text.casefold())
        elif isinstance(f, Prefix):
            if f.text:
                conditions.append(f"{column} >= ?")
                params.append(f.text)
                top = successor(f.text)
                if top is not None:
                    conditions.append(f"{column} < ?")
                    params.append(top)
        elif isinstance(f, AtLeast):
            conditions.append(f"{column} >= ?")
            params.append(_value(f.column, f.value))
        else:
            conditions.append(f"{column} < ?")
            params.append(_value(f.column, f.value))
    return " AND ".join(conditions) or "1 = 1", params

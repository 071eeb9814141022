"""Inline SVG charts for the HTML reports: stacked horizontal bars (findings by operation
and severity) and progress bars (coverage observed out of documented).

Plain shapes with fill colours and a ``<title>`` on each, so a chart needs no script, no
font and no file, and says the same to a screen reader as to the eye. Coordinates are
rounded to one decimal, so the same data draws the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from statuskit._html import Markup, join, tag

__all__ = ["Series", "progress_bars", "stacked_bars"]

_WIDTH = 760
_LABEL = 230  # the left column, for the row labels
_TAIL = 150  # the right column, for the counts
_ROW = 28
_BAR = 16


@dataclass(frozen=True)
class Series:
    """One kind of segment in a stacked bar: its name (in the legend) and its colour."""

    name: str
    color: str


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text(x: float, y: float, text: str, **attrs: str | None) -> Markup:
    return tag("text", text, x=_n(x), y=_n(y), **attrs)


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str, **attrs: str) -> Markup:
    return tag(
        "rect",
        tag("title", title),
        x=_n(x),
        y=_n(y),
        width=_n(w),
        height=_n(h),
        fill=fill,
        rx="2",
        **attrs,
    )


def _svg(title: str, height: float, *shapes: Markup, kind: str) -> Markup:
    return tag(
        "svg",
        tag("title", title),
        *shapes,
        viewBox=f"0 0 {_WIDTH} {_n(height)}",
        width=str(_WIDTH),
        height=_n(height),
        role="img",
        data_chart=kind,
    )


def _legend(series: Sequence[Series]) -> Markup:
    parts, x = [], _LABEL
    for s in series:
        parts.append(_rect(x, 4, 12, 12, s.color, s.name))
        parts.append(_text(x + 16, 14, s.name))
        x += 28 + 7 * len(s.name)
    return join(parts)


def stacked_bars(
    title: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[Series]
) -> Markup:
    """One bar per row, its segments the row's counts in ``series``' order; each segment a
    ``rect`` with ``data-series`` and ``data-count``, the total written after the bar."""
    top = 28
    scale = (_WIDTH - _LABEL - _TAIL) / max([sum(counts) for _, counts in rows] + [1])
    shapes = [_legend(series)]
    for index, (label, counts) in enumerate(rows):
        y = top + index * _ROW
        shapes.append(_text(_LABEL - 8, y + _BAR - 3, label, text_anchor="end"))
        x = float(_LABEL)
        for s, count in zip(series, counts, strict=True):
            if count:
                width = count * scale
                shapes.append(
                    _rect(
                        x,
                        y,
                        width,
                        _BAR,
                        s.color,
                        f"{label}: {count} {s.name}",
                        data_series=s.name,
                        data_count=str(count),
                    )
                )
                x += width
        total = sum(counts)
        shapes.append(_text(x + 6, y + _BAR - 3, str(total), class_="muted" if not total else None))
    return _svg(title, top + len(rows) * _ROW, *shapes, kind="stacked-bars")


def progress_bars(
    title: str, rows: Sequence[tuple[str, int, int]], *, color: str = "#1a7f37"
) -> Markup:
    """One bar per ``(label, observed, total)``: a grey track of the total, filled for the
    observed part (``data-observed``, ``data-total``), and ``observed/total`` after it."""
    shapes = []
    track = _WIDTH - _LABEL - _TAIL
    for index, (label, observed, total) in enumerate(rows):
        y = 4 + index * _ROW
        shapes.append(_text(_LABEL - 8, y + _BAR - 3, label, text_anchor="end"))
        shapes.append(_rect(_LABEL, y, track, _BAR, "#e3e7ed", f"{label}: {total} documented"))
        if total and observed:
            shapes.append(
                _rect(
                    _LABEL,
                    y,
                    track * min(observed / total, 1.0),
                    _BAR,
                    color,
                    f"{label}: {observed} of {total} observed",
                    data_observed=str(observed),
                    data_total=str(total),
                )
            )
        share = f" ({round(100 * observed / total)}%)" if total else " (none documented)"
        shapes.append(_text(_LABEL + track + 6, y + _BAR - 3, f"{observed}/{total}{share}"))
    return _svg(title, 8 + len(rows) * _ROW, *shapes, kind="progress-bars")

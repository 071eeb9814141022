"""Self-contained HTML pages for the kit's reports: escaping, the page with its inline CSS,
summaries, tables and badges. The charts are in :mod:`statuskit._html_svg`.

A page loads nothing: its style is inline, its pictures are inline SVG, its favicon is
``data:``, and its Content-Security-Policy forbids every other source, so a report opens
offline and a CI artifact cannot phone home. Nothing here reads a clock: the same report
renders the same bytes, as the text and Markdown formats do.

Every text goes through :func:`escape`; only :class:`Markup` (what these helpers build)
passes through as it is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = [
    "Cell",
    "Markup",
    "badge",
    "escape",
    "join",
    "page",
    "section",
    "summary",
    "table",
    "tag",
]


class Markup(str):
    """HTML that is already safe: built by these helpers, never from raw input."""

    __slots__ = ()


Cell = str | int | float | Markup


def escape(value: Cell) -> Markup:
    """``value`` as HTML text (quotes included, for attributes); :class:`Markup` unchanged."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(parts: Iterable[Cell], sep: str = "") -> Markup:
    """The parts, each escaped, one after the other."""
    return Markup(sep.join(escape(part) for part in parts))


def _attributes(attrs: dict[str, Cell | None]) -> str:
    # class_ and data_kind: Python names for the attributes class and data-kind.
    return "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not None
    )


def tag(name: str, *children: Cell, **attrs: Cell | None) -> Markup:
    """``<name attrs>children</name>``, children and attribute values escaped."""
    return Markup(f"<{name}{_attributes(attrs)}>{join(children)}</{name}>")


def breakable(text: str, after: str = "_:/[.") -> Markup:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) after each of ``after``:
    a long identifier (a test's node id) wraps in a narrow column instead of widening it."""
    out = []
    for char in text:
        out.append(escape(char))
        if char in after:
            out.append(Markup("<wbr>"))
    return join(out)


_CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5;
  --paper: #ffffff; --wash: #f5f7fa; --good: #1a7f37; --bad: #c62828; --kit: #6b5b95; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--wash); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 16px 0 8px; }
table + h3, details + h3 { margin-top: 24px; }
p.sub { color: var(--muted); margin: 0 0 20px; }
section { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  padding: 16px 20px; margin: 0 0 20px; overflow-x: auto; }
dl.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
  gap: 12px; margin: 0; }
dl.summary div { background: var(--wash); border-radius: 6px; padding: 8px 12px; }
dl.summary dt { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; }
dl.summary dd { margin: 2px 0 0; font-size: 17px; font-weight: 600; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 13px;
  font-weight: 600; color: #fff; background: var(--muted); white-space: nowrap; }
.badge.good { background: var(--good); } .badge.bad { background: var(--bad); }
.badge.kit { background: var(--kit); } .badge.warn { background: #b26a00; }
.badge.info { background: #1f6feb; } .badge.muted { background: #8a94a3; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 0 0 8px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { background: var(--wash); font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--wash); padding: 1px 4px; border-radius: 4px; }
.note { color: var(--muted); margin: 8px 0 0; }
details { margin-top: 12px; } summary { cursor: pointer; color: var(--muted); }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: var(--ink); }
svg text.muted { fill: var(--muted); }
"""


def page(title: str, subtitle: Cell, *sections: Markup) -> str:
    """A whole HTML document: ``title``, a subtitle line, then ``sections``."""
    head = join(
        [
            Markup('<meta charset="utf-8">'),
            Markup('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            # Nothing but this document and inline data: a report never loads anything.
            Markup(
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                "style-src 'unsafe-inline'; img-src data:\">"
            ),
            tag("title", title),
            Markup('<link rel="icon" href="data:,">'),
            Markup(f"<style>{_CSS}</style>"),
        ],
        "\n",
    )
    body = tag("main", tag("h1", title), tag("p", subtitle, class_="sub"), join(sections, "\n"))
    document = f'<html lang="en">\n<head>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>'
    return f"<!DOCTYPE html>\n{document}\n"


def section(title: str, *content: Cell, id_: str | None = None) -> Markup:
    """A titled card."""
    return tag("section", tag("h2", title), *content, id=id_)


def badge(text: str, tone: str = "") -> Markup:
    """A small coloured label; ``tone`` is ``good``, ``bad``, ``warn``, ``info``, ``kit`` or
    ``muted``."""
    return tag("span", text, class_=f"badge {tone}".strip())


def summary(items: Sequence[tuple[str, Cell]]) -> Markup:
    """Label and value pairs, as tiles."""
    return tag("dl", *(tag("div", tag("dt", k), tag("dd", v)) for k, v in items), class_="summary")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    caption: str | None = None,
    kind: str | None = None,
) -> Markup:
    """A table with a header row; ``kind`` becomes ``data-kind``, for tests and styles."""
    head = tag("thead", tag("tr", *(tag("th", h, scope="col") for h in headers)))
    body = tag("tbody", *(tag("tr", *(tag("td", cell) for cell in row)) for row in rows))
    return tag("table", tag("caption", caption) if caption else "", head, body, data_kind=kind)

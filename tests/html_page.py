"""An HTML report read back as a browser would see its structure: every URL it could load,
its tables' rows and its charts' shapes, parsed with :mod:`html.parser` (no regex over
markup)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: ``url(...)`` in a style: a resource a stylesheet would load.
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I)
#: Attributes whose value a browser may fetch or follow.
_URL_ATTRIBUTES = frozenset(
    {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset", "background"}
)


@dataclass
class Shape:
    """One element inside an ``svg``: its tag, attributes and text."""

    tag: str
    attrs: dict[str, str]
    text: str = ""


class Report(HTMLParser):
    """The parsed page: ``urls`` (every ``src``/``href``/``url()``...), ``tags`` (every
    element's name), ``tables`` (``data-kind`` -> body rows, each a list of cell texts),
    ``charts`` (``data-chart`` -> each chart's shapes), ``texts`` (every text node)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, list[list[Shape]]] = {}
        self.texts: list[str] = []
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None
        self._chart: list[Shape] | None = None
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.urls += [v for k, v in values.items() if k in _URL_ATTRIBUTES]
        self.urls += [m[2] for m in _CSS_URL.finditer(values.get("style", ""))]
        self._style = tag == "style"
        if tag == "table":
            self._table = values.get("data-kind", "")
            self.tables.setdefault(self._table, [])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "svg":
            self._chart = []
            self.charts.setdefault(values.get("data-chart", ""), []).append(self._chart)
        elif self._chart is not None:
            self._chart.append(Shape(tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None
        elif tag == "svg":
            self._chart = None
        elif tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.urls += [m[2] for m in _CSS_URL.finditer(data)]
        if self._cell is not None:
            self._cell.append(data)
        if self._chart:
            self._chart[-1].text += data
        self.texts.append(data)


def parse(text: str) -> Report:
    """The page ``text`` parsed."""
    report = Report()
    report.feed(text)
    report.close()
    return report


def offline(report: Report) -> list[str]:
    """The URLs the page could load or follow that are not inline data: none, for a
    report that opens offline (a ``data:`` favicon is inline)."""
    return [url for url in report.urls if not url.startswith("data:")]

"""The HTML reports' builder (``statuskit/_html.py``, ``statuskit/_html_svg.py``): text is
escaped, a page loads nothing, and the charts draw their numbers to scale."""

from __future__ import annotations

from statuskit._html import Markup, badge, escape, page, section, summary, table, tag
from statuskit._html_svg import Series, progress_bars, stacked_bars
from tests.html_page import offline, parse

HOSTILE = '<script>alert("x")</script> & <img src="https://evil.example/x.png">'


def test_text_is_escaped_everywhere_and_markup_is_not() -> None:
    built = page(
        HOSTILE,
        HOSTILE,
        section(HOSTILE, summary([(HOSTILE, HOSTILE)]), badge(HOSTILE)),
        table([HOSTILE], [[HOSTILE, tag("code", HOSTILE)]], kind="t"),
    )
    parsed = parse(built)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert offline(parsed) == []
    # Every copy arrives as text, whole: the browser shows what was written.
    # The title, h1, subtitle, h2, dt, dd, badge, th and both cells.
    assert sum(HOSTILE in text for text in parsed.texts) == 10
    assert parsed.tables["t"] == [[HOSTILE, HOSTILE]]
    assert escape(Markup("<b>kept</b>")) == "<b>kept</b>"
    assert tag("a", title='"quoted"') == '<a title="&quot;quoted&quot;"></a>'


def test_a_page_forbids_every_source_but_itself() -> None:
    built = page("t", "s")
    assert "default-src 'none'" in built
    assert offline(parse(built)) == []
    assert "://" not in built  # no URL at all, not even a namespace


def test_stacked_bars_draw_each_count_to_scale() -> None:
    series = [Series("breaking", "#c00"), Series("info", "#00c")]
    chart = stacked_bars("t", [("get-status", [2, 1]), ("login", [0, 0]), ("list", [0, 4])], series)
    [shapes] = parse(chart).charts["stacked-bars"]
    segments = [s for s in shapes if "data-series" in s.attrs]
    drawn = [(s.attrs["data-series"], int(s.attrs["data-count"])) for s in segments]
    assert drawn == [("breaking", 2), ("info", 1), ("info", 4)]  # no empty segment
    unit = float(segments[0].attrs["width"]) / 2
    assert [float(s.attrs["width"]) for s in segments] == [2 * unit, unit, 4 * unit]
    labels = [s for s in parse(chart).texts if s in ("get-status", "login", "list")]
    assert labels == ["get-status", "login", "list"]


def test_progress_bars_fill_the_observed_share() -> None:
    chart = progress_bars("t", [("statuses", 3, 12), ("states", 5, 5), ("codes", 0, 0)])
    [shapes] = parse(chart).charts["progress-bars"]
    rects = [s for s in shapes if s.tag == "rect"]
    tracks = [float(r.attrs["width"]) for r in rects if "data-total" not in r.attrs]
    filled = [r for r in rects if "data-total" in r.attrs]
    assert len(tracks) == 3
    assert len(set(tracks)) == 1
    assert [(f.attrs["data-observed"], f.attrs["data-total"]) for f in filled] == [
        ("3", "12"),
        ("5", "5"),
    ]
    assert [float(f.attrs["width"]) for f in filled] == [tracks[0] / 4, tracks[0]]
    assert "3/12 (25%)" in parse(chart).texts
    assert "0/0 (none documented)" in parse(chart).texts


def test_the_same_input_renders_the_same_bytes() -> None:
    def build() -> str:
        series = [Series("a", "#111")]
        return page("t", "s", section("c", stacked_bars("t", [("x", [3])], series)))

    assert build() == build()

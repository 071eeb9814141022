"""``statuskit check --html FILE``: the contract run as one self-contained HTML page.

The summary (the target, the counts, the exit verdict), the picture (each API's contract
coverage as bars: documented statuses, error cases, error codes, states and fields
observed out of the documented total, from :mod:`statuskit.contracts.coverage`'s summary)
and the outcomes table (each test, its outcome, whether it is about a kit decision, the
first line of why). It reads what the pytest child wrote: each test's result
(``_outcome.Results``) and the coverage summary (``--contract-coverage-json``). Every text
passes through :mod:`._scrub`, and nothing carries a timestamp.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from statuskit._html import Cell, Markup, badge, breakable, page, section, summary, table, tag
from statuskit._html_svg import progress_bars

__all__ = ["KINDS", "render"]

#: The coverage summary's kinds, in the order the terminal summary prints them.
KINDS = ("statuses", "error_cases", "error_codes", "states", "fields")
#: Worst first: the outcomes table lists what needs a look at the top.
_ORDER = ("failed", "error", "xpassed", "xfailed", "skipped", "passed")
_TONES = {
    "failed": "bad",
    "error": "bad",
    "xpassed": "warn",
    "xfailed": "kit",
    "skipped": "muted",
    "passed": "good",
}


def _coverage(api: str, entry: dict[str, Any]) -> Markup:
    rows = [
        (kind.replace("_", " "), len(entry[kind]["observed"]), int(entry[kind]["documented"]))
        for kind in KINDS
    ]
    title = f"{api}: contract coverage ({entry.get('requests', 0)} requests)"
    kit = set(entry.get("kit_decisions", ()))
    notes = entry.get("notes", {})
    never = [
        [kind.replace("_", " "), tag("code", key),
         badge("kit decision", "kit") if key in kit else badge("documented", "muted"),
         notes.get(key, "")]
        for kind in KINDS if kind != "fields" for key in entry[kind]["never"]
    ]  # fmt: skip
    fields = entry["fields"]["never"]
    parts: list[Cell] = [tag("h3", title), progress_bars(title, rows)]
    if never:
        headers = ("kind", "never observed", "provenance", "note")
        listed = table(headers, never, kind=f"never-{api}")
        parts.append(tag("details", tag("summary", f"Never observed ({len(never)})"), listed))
    if fields:
        shown = tag("p", *(tag("code", f) for f in fields), class_="note")
        parts.append(
            tag("details", tag("summary", f"Fields never observed ({len(fields)})"), shown)
        )
    return tag("div", *parts, class_="coverage", data_api=api)


def _picture(coverage: dict[str, Any] | None) -> Markup:
    title = "Contract coverage"
    apis = (coverage or {}).get("apis") or {}
    if not apis:
        why = "a dry run sends nothing" if (coverage or {}).get("dry_run") else "none was written"
        return section(title, tag("p", f"No coverage: {why}.", class_="note"), id_="picture")
    return section(title, *(_coverage(api, apis[api]) for api in sorted(apis)), id_="picture")


def _outcomes(results: Sequence[dict[str, Any]], scrub: Callable[[str], str]) -> Markup:
    ranked = sorted(results, key=lambda r: _ORDER.index(r["outcome"]))
    rows = [
        [tag("code", breakable(r["nodeid"])), badge(r["outcome"], _TONES[r["outcome"]]),
         badge("kit decision", "kit") if r["kit"] else badge("documented", "muted"),
         scrub(r["message"])]
        for r in ranked
    ]  # fmt: skip
    if not rows:
        return section("Outcomes", tag("p", "No test ran.", class_="note"), id_="outcomes")
    headers = ("test", "outcome", "provenance", "message")
    return section("Outcomes", table(headers, rows, kind="outcomes"), id_="outcomes")


def _summary(
    target: str, code: int, verdict: str, results: Sequence[dict[str, Any]], requests: Any
) -> Markup:
    counts = Counter(r["outcome"] for r in results)
    differ = sum(r["kit"] and r["outcome"] == "xfailed" for r in results)
    tone = "good" if code == 0 else "bad"
    tiles: list[tuple[str, Cell]] = [
        ("target", target),
        ("verdict", badge(verdict.split(":", 1)[0], tone)),
        ("exit code", code),
        ("passed", counts["passed"]),
        ("failed", counts["failed"]),
        ("errors", counts["error"]),
        ("skipped", counts["skipped"]),
        ("kit decisions differ", tag("span", str(differ), " ", badge("not failures", "kit"))),
        ("tests", len(results)),
        ("requests", requests if requests is not None else "unknown"),
    ]
    return section("Summary", summary(tiles), id_="summary")


def render(
    *,
    target: str,
    code: int,
    verdict: str,
    results: Sequence[dict[str, Any]],
    coverage: dict[str, Any] | None,
    scrub: Callable[[str], str],
) -> str:
    """The page. ``verdict`` is one line (``passed``, ``FAILED: ...``, ``could not run:
    ...``), ``code`` the exit code it stands for; ``results`` each test's outcome;
    ``coverage`` the coverage summary file's contents, ``None`` when none was written."""
    where = scrub(str((coverage or {}).get("target") or target))
    requests = (coverage or {}).get("requests")
    return page(
        f"statuskit check: {where}",
        scrub(verdict),
        _summary(where, code, scrub(verdict), results, requests),
        _picture(coverage),
        _outcomes(results, scrub),
    )

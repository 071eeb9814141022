"""The soak's verdict: records read back, suspects explained by the journal, canaries
looked for everywhere, and the summary with its four pass criteria."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from bench._soak_admin import Admin
from bench._soak_requests import Pools
from bench._soak_state import Context, Suspect, Tally
from bench._soak_traffic import TAG, Worker

__all__ = ["Figures", "attribute", "read_back", "scan_log", "summary"]

#: The operation that reads each API's records back, the parameters that name a record (the
#: last one is its id or name), and where the answer says which record it is.
READ_BACK: dict[str, tuple[str, tuple[str, ...], Callable[[Any], object]]] = {
    "thalamus": ("get-status", ("id",), lambda body: str(body.get("id"))),
    "tealium": (
        "v1-get-file-status",
        ("account", "profile", "name"),
        lambda body: (body.get("file") or {}).get("name"),
    ),
}


@dataclass
class Figures:
    """Everything the summary reports."""

    budget: int
    seconds: float = 0.0
    tally: Tally = field(default_factory=Tally)
    acknowledged: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)
    foreign: Counter[str] = field(default_factory=Counter)
    unexplained: list[Suspect] = field(default_factory=list)
    explained: int = 0
    journal_entries: int = 0
    journaled: int = 0
    switched: int = 0
    never_fired: list[str] = field(default_factory=list)
    log_lines: int | None = None
    tracebacks: Counter[str] = field(default_factory=Counter)
    secrets: list[str] = field(default_factory=list)
    timed_out: bool = False
    errors: list[str] = field(default_factory=list)

    def sent(self, api: str) -> int:
        """API requests sent (and answered or dropped) for ``api``."""
        return sum(n for (a, _, _), n in self.tally.statuses.items() if a == api)


def _acknowledged(ctx: Context, api: str) -> Counter[tuple[str, ...]]:
    if api == "thalamus":
        return Counter((str(record_id),) for record_id, _ in ctx.ledger.imports)
    return Counter(ctx.ledger.files)


def read_back(ctx: Context, pools: dict[str, Pools], figures: Figures) -> None:
    """Read every acknowledged record through the API; note the lost and the duplicated."""
    for api, (op_id, names, which) in READ_BACK.items():
        reader = Worker(ctx, api, 0, pools[api], budgeted=False)
        counts = _acknowledged(ctx, api)
        figures.acknowledged[api] = len(counts)
        for values, n in counts.items():
            if n > 1:
                figures.duplicated.append(f"{api} {'/'.join(values)} acknowledged {n} times")
            response, problem = reader.once(
                reader.ops[op_id], valid=True, path_values=dict(zip(names, values, strict=True))
            )
            if response is None or response.status_code != 200 or problem is not None:
                answer = "no answer" if response is None else str(response.status_code)
                figures.lost.append(f"{api} {'/'.join(values)}: read back answered {answer}")
            elif which(response.json()) != values[-1]:
                figures.lost.append(f"{api} {'/'.join(values)}: read back another record")
        reader.client.close()
        figures.tally.merge(reader.tally)


def _tag(query: str) -> str | None:
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == TAG:
            return value
    return None


def attribute(admin: Admin, injected: dict[str, dict[str, Any]], figures: Figures) -> None:
    """Read the journal; explain each suspect answer by the fault the soak injected into it."""
    _, journal, _ = admin.call("journal-read")
    entries: list[dict[str, Any]] = (journal or {}).get("entries", [])
    figures.journal_entries = len(entries)
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        tag = _tag(entry.get("query") or "")
        if tag is not None:
            by_tag.setdefault(tag, []).append(entry)
        fault = entry.get("fault")
        if fault in injected:
            spec = injected[fault]
            figures.injected[spec["kind"] + (f" {spec['status']}" if "status" in spec else "")] += 1
        elif fault is not None:
            figures.foreign[str(fault)] += 1
    figures.journaled = len(by_tag)
    fired = {injected[e["fault"]]["kind"] for e in entries if e.get("fault") in injected}
    figures.never_fired = sorted({spec["kind"] for spec in injected.values()} - fired)
    figures.switched = len(injected)
    for suspect in figures.tally.suspects:
        found = by_tag.get(suspect.tag, [])
        if found and all(e.get("fault") in injected for e in found):
            figures.explained += 1
        else:
            before = by_tag.get(suspect.previous, []) if suspect.previous else []
            if suspect.previous and not found:  # what else the server did at that moment
                before += [
                    e
                    for e in entries
                    if e.get("fault") and abs(float(e.get("real") or 0) - suspect.at) < 0.2
                ]
            figures.unexplained.append(_journaled(suspect, found, before))


def _described(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "not in the journal"
    return "; ".join(
        f"journal: {e.get('method')} {e.get('path')!r} ?{e.get('query')} {e.get('status')} "
        f"fault={e.get('fault')} hint={e.get('hint')!r} worker={e.get('worker')}"
        for e in entries
    )


def _journaled(
    suspect: Suspect, entries: list[dict[str, Any]], before: list[dict[str, Any]]
) -> Suspect:
    """The suspect, with what the journal says of it (no entry: the server never saw it)
    and, for a dropped connection, of the request before it on the same thread."""
    said = _described(entries)
    if suspect.previous:
        said += f"; before it, {suspect.previous}: {_described(before)}"
    return dataclasses.replace(suspect, detail=f"{suspect.detail} ({said})")


def scan_log(raw: bytes, secrets: dict[str, bytes], figures: Figures) -> None:
    """Look for every canary in all the server printed; count its tracebacks by exception."""
    figures.log_lines = raw.count(b"\n")
    lines = raw.decode(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next((x for x in lines[i + 1 :] if x and not x.startswith(" ")), "?")
            figures.tracebacks[end.split(":", 1)[0]] += 1
    for variable, canary in secrets.items():
        if canary in raw:
            figures.tally.leaks.append((variable, "the server's output"))


def _examples(items: list[Any], n: int = 5) -> str:
    shown = "; ".join(str(i) for i in items[:n])
    return shown + (f"; and {len(items) - n} more" if len(items) > n else "")


def by_operation(figures: Figures) -> list[str]:
    """One line per operation: how often each status came back."""
    ops: dict[tuple[str, str], Counter[str]] = {}
    for (api, op, status), n in figures.tally.statuses.items():
        ops.setdefault((api, op), Counter())[status] += n
    return [
        f"    {api} {op}: " + ", ".join(f"{s} {n}" for s, n in sorted(c.items()))
        for (api, op), c in sorted(ops.items())
    ]


def summary(figures: Figures, where: str) -> tuple[list[str], bool]:
    """The summary's lines, and whether every criterion passed."""
    t = figures.tally
    api_total = sum(figures.sent(api) for api in ("thalamus", "tealium"))
    rate = api_total / figures.seconds if figures.seconds else 0.0
    lines = [
        f"statuskit soak against {where}",
        f"  load: {figures.seconds:.1f} s, {rate:.0f} req/s",
    ]
    for api in ("thalamus", "tealium", "admin", "thalamus read-back", "tealium read-back"):
        statuses: Counter[str] = Counter()
        for (a, _, status), n in t.statuses.items():
            if a == api:
                statuses[status] += n
        shown = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()))
        lines.append(f"  {api}: {sum(statuses.values())} requests ({shown})")
    injected = ", ".join(f"{k} {n}" for k, n in sorted(figures.injected.items()))
    total = sum(figures.injected.values())
    lines.append(f"  faults switched on {figures.switched} times; injected {total}: {injected}")
    tagged = sum(n for (a, _, _), n in t.statuses.items() if a != "admin")
    lines.append(
        f"  journal: {figures.journal_entries} entries, {figures.journaled} of the {tagged} "
        f"tagged requests in it; {figures.explained} odd answers explained by injected faults"
    )
    lines.append(
        f"  records: {figures.acknowledged['thalamus']} imports and "
        f"{figures.acknowledged['tealium']} files acknowledged and read back"
    )
    log = "not ours to read" if figures.log_lines is None else f"{figures.log_lines} lines"
    if figures.tracebacks:
        log += ", tracebacks: " + ", ".join(f"{k} {n}" for k, n in figures.tracebacks.items())
    lines.append(f"  canaries: {', '.join(figures.secrets)}; server output {log}")
    fives = [s for s in figures.unexplained if s.kind in ("5xx", "dropped")]
    invalid = [s for s in figures.unexplained if s.kind == "invalid"]
    records = figures.lost + figures.duplicated + t.admin_refusals
    leaks = Counter(t.leaks)
    criteria: list[tuple[str, list[Any]]] = [
        ("zero 5xx (or dropped connections) apart from injected faults", fives),
        ("every body valid against the schema for its status", invalid),
        ("zero lost or duplicated records (and no admin write refused)", records),
        ("no canary secret in any output", [f"{v} in {w} ({n}x)" for (v, w), n in leaks.items()]),
    ]
    passed = True
    for name, failures in criteria:
        verdict = "PASS" if not failures else "FAIL"
        passed = passed and not failures
        count = sum(leaks.values()) if failures and name.startswith("no canary") else len(failures)
        lines.append(f"{verdict}  {name}: {count}")
        if failures:
            lines.append(f"      {_examples(failures)}")
    return lines, passed

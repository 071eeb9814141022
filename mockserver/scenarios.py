"""Import lifecycles: what an import or file goes through, and when.

A :class:`Scenario` says how long each step takes, how it ends and how many rows it has.
:func:`timeline` turns it into the moments at which what the API shows changes, as
API-neutral :class:`Step`\\ s; each API maps those to its own states and bodies, once, when
the import is created (see ``mockserver.thalamus.records`` and ``mockserver.tealium``).
Serving is then a lookup of the last step at or before the clock's time: no write on a read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar, Literal

from statuskit.errors import ConfigError

__all__ = [
    "PRESETS",
    "Outcome",
    "Phase",
    "Recorded",
    "RecordedStep",
    "Scenario",
    "Step",
    "scenario",
    "timeline",
]

Outcome = Literal[
    "processed",  # every row handled; errors and skips as the rates say
    "bad-format",  # the file cannot be parsed: Thalamus ERROR_IN_FILE_FORMAT
    "cancelled",  # stopped part-way: Thalamus CANCELED
    "configuration-pending",  # waits for configuration: Thalamus CONFIGURATION_PENDING
    "download-failure",  # the file never arrives: Tealium fails while downloading
    "processing-failure",  # processing breaks part-way: Tealium FAILED_PROCESSING
]
Phase = Literal["waiting", "downloaded", "processing", "finished"]


@dataclass(frozen=True)
class Scenario:
    """How one import unfolds. Durations are seconds of the mock's clock."""

    #: Generated from its settings; see :class:`Recorded` for a lifecycle seen on a real API.
    kind: ClassVar[str] = "generated"

    name: str = "custom"
    rows: int = 500
    #: Before processing starts (Thalamus WAITING; Tealium DOWNLOADING then DOWNLOADED).
    wait_seconds: float = 5.0
    #: Processing, from the first row to the last (or to the failure).
    process_seconds: float = 20.0
    outcome: Outcome = "processed"
    #: Shares of the processed rows that fail, and that are skipped for missing data.
    error_rate: float = 0.0
    skip_rate: float = 0.0
    #: How far processing gets before a cancel or a processing failure (0 to 1).
    stop_at: float = 0.5
    #: How many progress snapshots processing shows.
    progress_steps: int = 10

    def __post_init__(self) -> None:
        problems = []
        if self.rows < 0:
            problems.append("rows must be >= 0")
        if self.wait_seconds < 0 or self.process_seconds < 0:
            problems.append("durations must be >= 0")
        if not (0 <= self.error_rate <= 1 and 0 <= self.skip_rate <= 1):
            problems.append("error_rate and skip_rate must be between 0 and 1")
        if self.error_rate + self.skip_rate > 1:
            problems.append("error_rate + skip_rate must be at most 1")
        if not 0 <= self.stop_at <= 1:
            problems.append("stop_at must be between 0 and 1")
        if not 1 <= self.progress_steps <= 100:
            problems.append("progress_steps must be between 1 and 100")
        if self.outcome not in _OUTCOMES:
            problems.append(f"outcome must be one of {', '.join(_OUTCOMES)}")
        if problems:
            raise ConfigError(f"scenario {self.name!r}: {'; '.join(problems)}")

    def as_dict(self) -> dict[str, Any]:
        """The scenario as JSON-ready data (the admin API's form)."""
        return asdict(self)


_OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]

PRESETS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("fast-success", rows=100, wait_seconds=1, process_seconds=2, progress_steps=2),
        Scenario("slow-success", rows=20_000, wait_seconds=60, process_seconds=600),
        Scenario(
            "partial-errors",
            rows=1_000,
            wait_seconds=2,
            process_seconds=10,
            error_rate=0.05,
            skip_rate=0.02,
        ),
        Scenario("bad-format", rows=0, wait_seconds=2, process_seconds=1, outcome="bad-format"),
        Scenario("cancelled", rows=800, wait_seconds=2, process_seconds=10, outcome="cancelled"),
        Scenario(
            "configuration-pending",
            rows=300,
            wait_seconds=2,
            process_seconds=0,
            outcome="configuration-pending",
        ),
        Scenario(
            "download-failure",
            rows=0,
            wait_seconds=3,
            process_seconds=0,
            outcome="download-failure",
        ),
        Scenario(
            "processing-failure",
            rows=400,
            wait_seconds=2,
            process_seconds=6,
            outcome="processing-failure",
            stop_at=0.25,
        ),
    )
}


def scenario(spec: str | Mapping[str, Any] | Scenario | None) -> Scenario:
    """A preset by name, a custom scenario from a mapping (optionally ``"preset"``-based),
    or the default ``fast-success``."""
    if isinstance(spec, Scenario):
        return spec
    if spec is None:
        return PRESETS["fast-success"]
    if isinstance(spec, str):
        try:
            return PRESETS[spec]
        except KeyError:
            known = ", ".join(sorted(PRESETS))
            raise ConfigError(f"unknown scenario {spec!r}; presets: {known}") from None
    fields = dict(spec)
    base = scenario(fields.pop("preset", None)) if "preset" in fields else Scenario()
    unknown = sorted(set(fields) - set(Scenario.__dataclass_fields__))
    if unknown:
        raise ConfigError(f"unknown scenario keys: {', '.join(unknown)}")
    try:
        return replace(base, **{"name": "custom", **fields})
    except TypeError as exc:
        raise ConfigError(f"bad scenario: {exc}") from None


@dataclass(frozen=True)
class Step:
    """What an import shows from ``at`` seconds after its creation on.

    ``done`` rows were handled so far, of which ``ok``, ``errors`` and ``skipped``;
    ``rows`` is how many the file has once known (0 while waiting).
    """

    at: float
    phase: Phase
    rows: int
    done: int
    ok: int
    errors: int
    skipped: int
    outcome: Outcome | None = None

    @property
    def terminal(self) -> bool:
        return self.phase == "finished"


def _counts(checkpoints: list[int], s: Scenario) -> dict[int, tuple[int, int, int]]:
    """(ok, errors, skipped) after each number of handled rows in ``checkpoints``.

    Rows are handled one at a time and each adds to exactly one counter, so every counter
    only grows; errors and skips keep as close to their rates as whole rows allow.
    """
    out: dict[int, tuple[int, int, int]] = {}
    ok = errors = skipped = 0
    wanted = sorted(set(checkpoints))
    handled = 0
    for target in wanted:
        while handled < target:
            handled += 1
            if errors < int(handled * s.error_rate):
                errors += 1
            elif skipped < int(handled * s.skip_rate):
                skipped += 1
            else:
                ok += 1
        out[target] = (ok, errors, skipped)
    return out


def timeline(s: Scenario) -> list[Step]:
    """The steps of ``s``, in time order; the last one, and only it, is terminal."""
    steps = [Step(0.0, "waiting", 0, 0, 0, 0, 0)]
    t = s.wait_seconds
    if s.outcome == "download-failure":
        return [*steps, Step(t, "finished", 0, 0, 0, 0, 0, s.outcome)]
    steps.append(Step(t * 0.9, "downloaded", 0, 0, 0, 0, 0))
    if s.outcome in ("bad-format", "configuration-pending"):
        return [*steps, Step(t, "finished", s.rows, 0, 0, 0, 0, s.outcome)]
    stop = s.stop_at if s.outcome in ("cancelled", "processing-failure") else 1.0
    n = max(1, round(s.progress_steps * stop))
    fractions = [stop * i / n for i in range(n)]
    final = int(s.rows * stop)
    counts = _counts([int(s.rows * f) for f in fractions] + [final], s)
    for fraction in fractions:
        done = int(s.rows * fraction)
        at = t + s.process_seconds * fraction
        steps.append(Step(at, "processing", s.rows, done, *counts[done]))
    end = t + s.process_seconds * stop
    steps.append(Step(end, "finished", s.rows, final, *counts[final], s.outcome))
    return steps


@dataclass(frozen=True)
class RecordedStep:
    """What a recorded resource showed from ``at_ms`` after its first sight on."""

    at_ms: int
    state: str | None
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Recorded:
    """A lifecycle seen on a real API (``statuskit proxy --record``), to replay as it was.

    Nothing is generated: each step's body, as the API answered it (scrubbed), is what the
    resource shows from ``at_ms`` after the replay on. Each API checks and stores the bodies
    as it stores a generated lifecycle's (``mockserver.replay``).
    """

    kind: ClassVar[str] = "recorded"

    api: str
    #: The key the mock stores the resource under (a Thalamus id, a Tealium
    #: ``account/profile/name``).
    key: str
    steps: tuple[RecordedStep, ...]

    def snapshots(self, start_ms: int) -> list[tuple[int, dict[str, Any]]]:
        """The bodies with the times they start, the first at ``start_ms``."""
        return [(start_ms + step.at_ms, dict(step.body)) for step in self.steps]

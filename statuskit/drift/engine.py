"""One drift run: log in, discover, probe, compare, classify, apply the baseline.

:func:`run` is what ``statuskit drift`` calls, and what a contract suite or a script calls
from Python. It raises :class:`~statuskit.errors.DriftError` when the target cannot be
measured and otherwise returns a :class:`~statuskit.drift.model.DriftReport`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

import httpx

from statuskit.catalogue import login_path as default_login_path
from statuskit.credentials import TealiumCredentials, ThalamusCredentials, thalamus_login_path
from statuskit.drift._http import Http, safe_target
from statuskit.drift._tealium import TealiumProber
from statuskit.drift._thalamus import ThalamusProber
from statuskit.drift.baseline import Baseline
from statuskit.drift.compare import DEFAULT_MIN_ENUM_SAMPLES, Comparison
from statuskit.drift.describe import Redactor
from statuskit.drift.evaluate import Evaluator
from statuskit.drift.model import DriftFinding, DriftReport, ProbeRecord, Severity, merge
from statuskit.drift.probes import Context, Prober
from statuskit.drift.progress import Progress
from statuskit.drift.record import Recorder, Scrubber
from statuskit.errors import ConfigError
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.wire import tealium as wire_tealium

__all__ = ["DriftOptions", "run"]

Api = Literal["thalamus", "tealium"]
#: The kit's own default credentials, printed by ``statuskit serve``: nothing to hide.
_PUBLIC_DEFAULTS = frozenset(
    secret.reveal()
    for secret in (
        ThalamusCredentials().token,
        ThalamusCredentials().password,
        TealiumCredentials().password,
        TealiumCredentials().api_key,
    )
)


@dataclass(frozen=True)
class DriftOptions:
    """How a run behaves towards its target.

    ``pace`` is the least time between two requests and ``budget`` the most requests in
    all; ``discover`` is how many resources to probe when none are named, and
    ``page_size`` how many Thalamus records the list probe asks for. An enum value never
    seen is reported only over ``min_enum_samples`` samples.
    """

    pace: float = 0.25
    budget: int = 60
    timeout: float = 10.0
    discover: int = 3
    page_size: int = 25
    min_enum_samples: int = DEFAULT_MIN_ENUM_SAMPLES
    #: ``None``: ``$STATUSKIT_THALAMUS_LOGIN_PATH``, else the catalogue's default.
    login_path: str | None = None
    api_version: int = 1

    def __post_init__(self) -> None:
        if self.pace < 0 or self.timeout <= 0:
            raise ConfigError("pace must be >= 0 and timeout > 0 seconds")
        if self.budget < 1 or self.discover < 0 or self.page_size < 1:
            raise ConfigError("budget and page size must be >= 1, discover >= 0")
        if self.api_version not in (1, 2):
            raise ConfigError(f"the Tealium API version is 1 or 2, not {self.api_version}")


def _prober(
    api: Api,
    http: Http,
    context: Context,
    environ: Mapping[str, str] | None,
    options: DriftOptions,
    account: str | None,
    profile: str | None,
) -> tuple[Prober, list[str]]:
    """The API's probes, and the values that identify the caller (for ``--record``)."""
    if api == "thalamus":
        creds = ThalamusCredentials.from_env(environ)
        assert options.login_path is not None  # resolved by run()
        prober: Prober = ThalamusProber(http, context, creds, options.login_path)
        return prober, [creds.touchpoint, creds.principal, *context.ids]
    if api == "tealium":
        tcreds = TealiumCredentials.from_env(environ)
        account, profile = account or tcreds.account, profile or tcreds.profile
        prober = TealiumProber(
            http, context, tcreds, account=account, profile=profile, version=options.api_version
        )
        return prober, [account, profile, tcreds.username, *context.files]
    raise ConfigError(f"unknown API {api!r}: drift knows thalamus and tealium")


def _logins(login_path: str, registry: SchemaRegistry) -> frozenset[str]:
    """The paths a run may POST to: the logins that make its GETs possible (Thalamus's at
    ``login_path``, Tealium's v1 login and v2 auth)."""
    tealium = (wire_tealium.login(v, registry=registry).path for v in (1, 2))
    return frozenset({login_path, *tealium})


def http_path(path: str) -> str:
    """A path as probes send it: one leading slash."""
    return "/" + path.lstrip("/")


def run(
    api: Api,
    base_url: str,
    *,
    ids: Sequence[int | str] = (),
    files: Sequence[str] = (),
    account: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    options: DriftOptions | None = None,
    baseline: Baseline | str | os.PathLike[str] | None = None,
    fail_on: Severity = "breaking",
    fail_on_kit_decisions: bool = False,
    transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
    record: str | os.PathLike[str] | None = None,
    registry: SchemaRegistry | None = None,
) -> DriftReport:
    """Measure ``base_url`` against the contract of ``api`` and report every difference.

    Credentials come from ``environ`` (default ``os.environ``) exactly as the client's
    ``from_env`` reads them. ``ids`` (Thalamus) or ``files`` (Tealium) name the resources to
    probe; without them a few are discovered. ``transport`` reaches an in-process app.
    Findings with ``documented: false`` (kit decisions) fail the run only with
    ``fail_on_kit_decisions``.
    Raises :class:`~statuskit.errors.DriftError` when the target cannot be measured.
    """
    opts = options or DriftOptions()
    registry = registry or default_registry()
    if isinstance(baseline, str | os.PathLike):
        baseline = Baseline.load(baseline, registry=registry)
    progress = progress or Progress(enabled=False)
    # Every STATUSKIT_* secret, whichever API this run measures: a target may echo any.
    thalamus, tealium = ThalamusCredentials.from_env(environ), TealiumCredentials.from_env(environ)
    secrets = [getattr(c, name) for c in (thalamus, tealium) for name in c.secret_fields()]
    redactor = Redactor(secrets, public=_PUBLIC_DEFAULTS)
    # Resolved once: the probes log in where the logins are counted.
    login_path = http_path(
        opts.login_path or thalamus_login_path(environ) or default_login_path(registry=registry)
    )
    opts = replace(opts, login_path=login_path)
    http = Http(
        base_url,
        logins=_logins(login_path, registry),
        transport=transport,
        timeout=opts.timeout,
        pace=opts.pace,
        budget=opts.budget,
    )
    context = Context(
        ids=[str(i) for i in ids],
        files=list(files),
        discover=opts.discover,
        page_size=opts.page_size,
        registry=registry,
        redactor=redactor,
        progress=progress,
        environ=os.environ if environ is None else environ,
    )
    prober, identifying = _prober(api, http, context, environ, opts, account, profile)
    comparison = Comparison(api, registry=registry, min_enum_samples=opts.min_enum_samples)
    evaluator = Evaluator(comparison)
    recorder = None
    if record is not None:
        recorder = Recorder(record, Scrubber(api, registry, redactor), api)
    started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    report = DriftReport(
        api, safe_target(base_url), started, fail_on, fail_on_kit_decisions=fail_on_kit_decisions
    )
    try:
        found = _observe(prober, evaluator, report, redactor, recorder)
    finally:
        http.close()
        progress.close()
    report.requests = http.sent
    report.notes.extend(_notes(report, found, exhausted=http.exhausted, budget=opts.budget))
    findings = [_redacted(f, redactor) for f in merge([*found, *comparison.findings()])]
    if isinstance(baseline, Baseline):
        report.findings, report.suppressed = baseline.split(findings)
        report.baseline_file = baseline.path or "(in memory)"
        report.baseline_accepted = len(baseline.entries)
    else:
        report.findings = findings
    if recorder is not None:
        recorder.write(identifying)
    return report


def _observe(
    prober: Prober,
    evaluator: Evaluator,
    report: DriftReport,
    redactor: Redactor,
    recorder: Recorder | None,
) -> list[DriftFinding]:
    """Send every probe, judge each answer, and note it in ``report``; the findings."""
    found: list[DriftFinding] = []
    for observation in prober.observations():
        extra, in_body = evaluator.evaluate(observation)
        found.extend(extra)
        probe, response = observation.probe, observation.response
        report.probes.append(
            ProbeRecord(
                probe=probe.name,
                operation=probe.operation,
                method=probe.method,
                path=redactor(probe.path),
                expected_status=probe.expect.status,
                status=response.status_code if response is not None else None,
                findings=len(extra) + in_body,
                skipped=observation.skipped,
            )
        )
        if recorder is not None:
            recorder.add(observation)
    return found


def _notes(
    report: DriftReport, found: list[DriftFinding], *, exhausted: bool, budget: int
) -> list[str]:
    """What a reader should know about how far the run got."""
    notes = []
    if exhausted:
        notes.append(f"the request budget ({budget}) ran out; later probes were not sent")
    if any(f.kind == "auth-behaviour-changed" and f.path == "<session>" for f in found):
        notes.append("the login gave no session, so no probe behind it was sent")
    elif not any(p.probe in ("record", "file") for p in report.probes) and not exhausted:
        notes.append("no resource was found to probe; name some with --id or --file")
    return notes


def _redacted(finding: DriftFinding, redactor: Redactor) -> DriftFinding:
    return replace(
        finding,
        expected=redactor(finding.expected),
        observed=redactor(finding.observed),
        hint=redactor(finding.hint) if finding.hint else None,
    )

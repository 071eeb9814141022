"""``statuskit proxy``: a validating, recording proxy in front of a live or staging API.

:func:`create_proxy_app` builds the proxy's WSGI app from :class:`ProxyOptions`: it
forwards every request to the upstream byte for byte (``docs/proxy.md``), hands each
exchange to its observers (the validator; the recorder with ``record``), gathers their
findings, and serves the mock's admin API (faults, journal) with the live findings and the
report. ``statuskit proxy`` serves it (``statuskit.commands.proxy``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from statuskit.proxy._app import ProxyApp
from statuskit.proxy._exchange import Exchange, FindingsSink, Observer, Verdict
from statuskit.proxy._forward import Upstream
from statuskit.proxy._options import APIS, ProxyOptions

if TYPE_CHECKING:
    from statuskit.proxy._serving import State

__all__ = [
    "APIS",
    "Exchange",
    "FindingsSink",
    "Observer",
    "ProxyApp",
    "ProxyOptions",
    "Upstream",
    "Verdict",
    "build_worker_app",
    "create_proxy_app",
]


def create_proxy_app(
    options: ProxyOptions,
    *,
    observers: Sequence[Observer] | None = None,
    sink: FindingsSink | None = None,
) -> ProxyApp:
    """The proxy's WSGI app for ``options``.

    Without ``observers`` and ``sink``, the options' own: the validator, whose aggregator
    (``--fail-on``, ``--baseline``) is the sink, and the recorder when ``record`` is set.
    Raises :class:`~statuskit.errors.ConfigError` (one line) for an option that cannot be
    used: an invalid upstream URL, an unreadable baseline, a recording directory that
    cannot be written.
    """
    upstream = Upstream.parse(options.upstream)
    if observers is None and sink is None:
        from statuskit.proxy._validate import validating

        validator = validating(options, upstream.url)
        observers, sink = [validator, *_recorder(options)], validator.findings
    return ProxyApp(options, observers=observers or (), sink=sink)


def build_worker_app(options: ProxyOptions, state: State) -> ProxyApp:
    """One ``statuskit proxy`` worker's app (``statuskit.proxy._serving``): its findings in
    the state directory's findings files, its recording in the state's parts with the run's
    salt, the admin API's faults and journal in the state's shared store."""
    from mockserver.config import MockConfig
    from mockserver.serving import is_loopback
    from statuskit.proxy._validate import validating

    validator = validating(options, Upstream.parse(options.upstream).url, directory=state.findings)
    observers: list[Observer] = [validator]
    if options.record is not None:
        from statuskit.proxy._record import Recorder

        observers.append(Recorder(options.record, parts=state.parts, salt=state.salt()))
    config = MockConfig.from_env().replace(
        admin_requires_token=not is_loopback(options.host), state_path=state.store
    )
    return ProxyApp(options, observers=observers, sink=validator.findings, config=config)


def _recorder(options: ProxyOptions) -> list[Observer]:
    if options.record is None:
        return []
    from statuskit.proxy._record import Recorder

    return [Recorder(options.record)]

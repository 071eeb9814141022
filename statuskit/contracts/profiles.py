"""The hypothesis profiles of the contract suites: ``dev``, ``ci`` and ``live``.

* ``dev``: quick, for working on a mock or the suites themselves.
* ``ci``: more examples, derandomized (each test's examples follow from its own source, so
  a run is reproducible without an example database), no database, no deadline, and the
  health checks that only measure a slow machine suppressed.
* ``live``: a handful of examples and no shrinking, for a target off this machine, where
  every request counts against the budget and the rate.

They are registered under ``statuskit-<name>``, so a project's own ``dev`` or ``ci``
profile is never overwritten; :func:`load` makes one the default. Hypothesis reads the
default when a test is decorated, so the suites load theirs before their modules import.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from statuskit.contracts.options import CONTRACT_PROFILES

__all__ = ["load", "profile_name", "register"]
_SLOW_MACHINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def profile_name(name: str) -> str:
    """The registered name of a contract profile."""
    if name not in CONTRACT_PROFILES:
        raise ValueError(
            f"unknown contract profile {name!r}; known: {', '.join(CONTRACT_PROFILES)}"
        )
    return f"statuskit-{name}"


def register() -> None:
    """Register the three profiles (again: registering is idempotent)."""
    settings.register_profile(
        profile_name("dev"),
        max_examples=10,
        deadline=None,
        stateful_step_count=10,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        profile_name("ci"),
        max_examples=100,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        stateful_step_count=25,
        suppress_health_check=_SLOW_MACHINE,
    )
    settings.register_profile(
        profile_name("live"),
        max_examples=3,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        stateful_step_count=5,
        suppress_health_check=_SLOW_MACHINE,
    )


def load(name: str) -> settings:
    """Register the profiles and make ``name``'s the default; return it."""
    register()
    settings.load_profile(profile_name(name))
    return settings.get_profile(profile_name(name))

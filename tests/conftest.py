"""Shared fixtures for the kit's own tests, and their hypothesis profile.

Every property test here is derandomized (its examples follow from its own source) and keeps
no example database, so two runs of the suite test the same examples and a failure seen once
is seen again. Explicit ``@settings(...)`` inherit this profile. To explore beyond the fixed
examples, run ``pytest --hypothesis-profile=default`` (random; a failure prints
``--hypothesis-seed=N`` to reproduce it); ``tests/contracts/test_suite.py`` passes the same
seed to the contract suites it runs.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from statuskit.registry import SchemaRegistry, default_registry

PROFILE = "statuskit-tests"
settings.register_profile(PROFILE, derandomize=True, database=None, print_blob=True)
# Loaded on import, before any test module builds its settings; hypothesis's own
# --hypothesis-profile option is applied later, so it still wins.
settings.load_profile(PROFILE)


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    """The kit's schema registry, loaded once for the whole run."""
    return default_registry()

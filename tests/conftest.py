"""Shared fixtures for the kit's own tests."""

from __future__ import annotations

import pytest

from statuskit.registry import SchemaRegistry, default_registry


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    """The kit's schema registry, loaded once for the whole run."""
    return default_registry()

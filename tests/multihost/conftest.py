"""Fixtures of the multi-host test: one setup shared by the traffic tests, reset before each.

The setup needs root (network namespaces), ``ip``, nginx and PostgreSQL. Outside CI a
missing one skips with the reason; in CI (``CI`` set) it fails, since ``.ci/run`` installs
them: there this test is never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from statuskit.mock import MockServer
from tests.multihost.balancer import nginx_binary
from tests.multihost.cluster import Cluster, cluster
from tests.postgres import binaries, unavailable


def missing() -> str | None:
    """Why the setup cannot be made on this machine, or ``None``."""
    if os.geteuid() != 0:
        return "the multi-host test makes network namespaces, which needs root"
    if shutil.which("ip") is None:
        return "ip is not installed (apt-get install iproute2)"
    if nginx_binary() is None:
        return "nginx is not installed (apt-get install nginx)"
    if binaries() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    return None


def require() -> None:
    """Skip (outside CI) or fail (in CI) when the setup cannot be made."""
    reason = missing()
    if reason is not None:
        unavailable(reason)


@pytest.fixture(scope="package")
def shared() -> Iterator[Cluster]:
    """Two instances on PostgreSQL behind nginx, for every traffic test of the package."""
    require()
    with cluster() as running:
        yield running


@pytest.fixture
def mock(shared: Cluster) -> Iterator[MockServer]:
    """The admin API through the balancer, the shared state reset first."""
    with shared.admin() as admin:
        admin.reset()
        yield admin

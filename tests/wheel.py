"""Building the kit's wheel from this checkout, for the tests that install it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pip(python: str | Path = sys.executable) -> tuple[str, ...]:
    """Quiet pip, run by ``python``."""
    return (str(python), "-m", "pip", "--disable-pip-version-check", "--quiet")


PIP = pip()


def build_wheel(dist: Path) -> Path:
    """The wheel of this checkout, built into ``dist`` (with no build isolation: hatchling
    comes from the test environment, so nothing is downloaded to build it)."""
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(REPO)],
        check=True,
    )
    [wheel] = dist.glob("statuskit-*.whl")
    return wheel

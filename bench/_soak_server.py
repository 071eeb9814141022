"""The server under soak, and the canary secrets it runs with.

Every ``STATUSKIT_*`` credential variable comes from ``statuskit.credentials.settings``, so
a credential added there is soaked without an edit here. Each gets a unique, non-default
value; the ones the kit holds as secrets are the canaries, which must never come back in
any answer, journal entry or server log.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from statuskit.credentials import TealiumCredentials, ThalamusCredentials, settings

__all__ = [
    "Served",
    "canary_env",
    "credential_variables",
    "secret_values",
    "secret_variables",
    "served",
    "variables",
]

_BANNER = "fake upstreams on "


def credential_variables() -> set[str]:
    """The variables the credentials of both APIs are read from."""
    return {*ThalamusCredentials.variables(), *TealiumCredentials.variables()}


def secret_variables() -> set[str]:
    """The variables whose values the kit keeps as secrets."""
    return {name for name, secret in settings().items() if secret}


def variables() -> list[str]:
    """Every ``STATUSKIT_*`` credential variable: the credentials, and any other setting
    the kit keeps as a secret (the admin token)."""
    return sorted(credential_variables() | secret_variables())


def secret_values(environ: Mapping[str, str]) -> dict[str, str]:
    """``{variable: value}`` of the set variables whose values the configuration keeps secret."""
    return {name: environ[name] for name in sorted(secret_variables()) if environ.get(name)}


def canary_env(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with every variable the mock reads set to a unique canary value."""
    env = dict(base)
    for name in variables():
        short = name.removeprefix("STATUSKIT_").lower().replace("_", "")
        env[name] = f"canary{short}{secrets.token_hex(6)}"
    return env


@dataclasses.dataclass
class Served:
    """A running server's base URL; once it has stopped, all it printed."""

    base_url: str
    output: bytes | None = None


@contextmanager
def served(
    env: Mapping[str, str], args: list[str], config: Mapping[str, int], timeout: float = 120
) -> Iterator[Served]:
    """``statuskit serve --port 0 ARGS`` with ``config`` as its config file. When the block
    ends the server is stopped and :attr:`Served.output` holds everything it printed to
    stdout and stderr, all of it."""
    with tempfile.TemporaryDirectory(prefix="statuskit-soak-") as tmp:
        config_file = Path(tmp) / "soak.toml"
        config_file.write_text("".join(f"{k} = {v}\n" for k, v in config.items()))
        log = Path(tmp) / "server.log"
        command = [sys.executable, "-m", "statuskit", "serve", "--port", "0"]
        with log.open("w") as out:
            process = subprocess.Popen(
                [*command, "--config", str(config_file), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env),
                start_new_session=True,  # its workers share its group: stopped together
            )
        running: Served | None = None
        try:
            running = Served(_wait_for_banner(process, log, timeout))
            yield running
        finally:
            _stop(process)
            if running is not None:
                running.output = log.read_bytes()


def _wait_for_banner(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if _BANNER in line:
                return line.split(_BANNER, 1)[1].split()[0]
        if process.poll() is not None:
            raise RuntimeError(f"statuskit serve exited with {process.returncode} before serving")
        time.sleep(0.05)
    raise RuntimeError(f"statuskit serve did not start within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

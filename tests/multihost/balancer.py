"""nginx in front of the instances, configured by the one nginx block of ``docs/deploy.md``.

The test runs the documented configuration, so the documentation shows the tested one: only
the two upstream addresses and the listen address are filled in, and the paths nginx writes
(pid, logs, temporary files) are moved into the test's own folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["DEPLOY_DOC", "NGINX", "balancer", "documented_config", "nginx_binary"]

DEPLOY_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
NGINX = "/usr/sbin/nginx"
_BLOCK = re.compile(r"^```nginx\n(.*?)^```", re.S | re.M)
_UPSTREAM_SERVER = re.compile(r"^(\s*server\s+)(\S+?)(\s*;)", re.M)
_LISTEN = re.compile(r"^(\s*listen\s+)(\S+?)(\s*;)", re.M)
#: nginx's compiled-in paths (Debian's are under /var) moved into the test's folder.
_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str | None:
    """The nginx to run, or ``None`` when it is not installed."""
    return NGINX if os.access(NGINX, os.X_OK) else shutil.which("nginx")


def documented_config(upstreams: Sequence[str], listen: str, folder: Path) -> str:
    """``docs/deploy.md``'s nginx configuration with these upstreams (``host:port``, in the
    order the document lists its own) and listen address, writing only into ``folder``."""
    (block,) = _BLOCK.findall(DEPLOY_DOC.read_text(encoding="utf-8"))
    documented = _UPSTREAM_SERVER.findall(block)
    if len(documented) != len(upstreams):
        raise AssertionError(f"docs/deploy.md lists {len(documented)} upstreams, not 2")
    given = iter(upstreams)
    config = _UPSTREAM_SERVER.sub(lambda m: f"{m[1]}{next(given)}{m[3]}", block)
    config, listens = _LISTEN.subn(lambda m: f"{m[1]}{listen}{m[3]}", config)
    if listens != 1:
        raise AssertionError(f"docs/deploy.md's server has {listens} listen lines, not 1")
    paths = "".join(f"    {name}_temp_path {folder / name};\n" for name in _PATHS)
    paths += f"    access_log {folder / 'access.log'};\n"
    config, https = re.subn(r"^http \{\n", lambda m: m[0] + paths, config, flags=re.M)
    if https != 1:
        raise AssertionError("docs/deploy.md's nginx configuration has no http block")
    return config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within 20 s")


@contextmanager
def balancer(upstreams: Sequence[str], folder: Path) -> Iterator[str]:
    """nginx on a free port of 127.0.0.1 in front of ``upstreams``; its base URL."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    # nginx's workers run as nobody: they must reach the temporary folders under it.
    folder.chmod(0o755)
    port = _free_port()
    conf = folder / "nginx.conf"
    conf.write_text(documented_config(upstreams, f"127.0.0.1:{port}", folder), encoding="utf-8")
    log = folder / "error.log"
    globals_ = f"daemon off; pid {folder / 'nginx.pid'};"
    argv = [binary, "-p", str(folder), "-c", str(conf), "-e", str(log), "-g", globals_]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()  # nginx's fast shutdown; its workers go with it
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

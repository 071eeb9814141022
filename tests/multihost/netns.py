"""Network namespaces joined to the root namespace by veth pairs: one "host" each.

Every name carries a per-run random suffix and every subnet is one the machine does not use
yet, so two runs side by side never clash. :func:`hosts` removes what it made (the processes
left inside, the namespaces and the veths) even when the block fails.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import random
import secrets
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass

__all__ = ["Host", "hosts", "ip"]

#: The /16 the test's subnets are drawn from (private, and unlikely on a CI machine).
_POOL = ipaddress.IPv4Network("10.213.0.0/16")


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One ``ip`` command; its output (a failure raises, with ip's own message)."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done


@dataclass(frozen=True)
class Host:
    """One network namespace: its name, its address, and the root namespace's end."""

    namespace: str
    #: The namespace's own address (where its server listens).
    address: str
    #: The root namespace's end of the veth pair (where PostgreSQL listens for it).
    gateway: str
    #: The veth's name in the root namespace.
    veth: str

    def command(self, *argv: str) -> list[str]:
        """``argv`` run inside the namespace."""
        return ["ip", "netns", "exec", self.namespace, *argv]

    def pids(self) -> list[int]:
        """The processes running inside the namespace."""
        listed = ip("netns", "pids", self.namespace, check=False).stdout.split()
        return [int(pid) for pid in listed if pid.isdigit()]


def _used_networks() -> list[ipaddress.IPv4Network]:
    shown = ip("-o", "-4", "addr", "show").stdout.split()
    # Each address follows the word "inet".
    pairs = itertools.pairwise(shown)
    return [ipaddress.IPv4Interface(word).network for key, word in pairs if key == "inet"]


def _free_block() -> ipaddress.IPv4Network:
    """A /24 of the pool that no address of this machine falls in."""
    used = _used_networks()
    blocks: list[ipaddress.IPv4Network] = list(_POOL.subnets(new_prefix=24))
    random.SystemRandom().shuffle(blocks)
    for block in blocks:
        if not any(block.overlaps(net) for net in used):
            return block
    raise RuntimeError(f"no free /24 left in {_POOL} for the test's namespaces")


def _make(stack: ExitStack, label: str, suffix: str, net: ipaddress.IPv4Network) -> Host:
    gateway, address = (str(a) for a in list(net.hosts())[:2])
    namespace, veth, peer = f"skmh-{suffix}-{label}", f"skh{suffix}{label}", f"skn{suffix}{label}"
    ip("netns", "add", namespace)
    stack.callback(_remove_namespace, namespace)
    ip("link", "add", veth, "type", "veth", "peer", "name", peer, "netns", namespace)
    # Deleting the namespace deletes its end and so the pair; this is for a half-made one.
    stack.callback(ip, "link", "del", veth, check=False)
    ip("addr", "add", f"{gateway}/{net.prefixlen}", "dev", veth)
    ip("link", "set", veth, "up")
    ip("-n", namespace, "addr", "add", f"{address}/{net.prefixlen}", "dev", peer)
    ip("-n", namespace, "link", "set", peer, "up")
    # A server bound to its own address still wants lo for anything local it does.
    ip("-n", namespace, "link", "set", "lo", "up")
    return Host(namespace, address, gateway, veth)


def _remove_namespace(namespace: str) -> None:
    """Kill what is still running in it (only the test's own servers can be), then delete."""
    listed = ip("netns", "pids", namespace, check=False).stdout.split()
    for pid in (int(p) for p in listed if p.isdigit()):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    ip("netns", "del", namespace, check=False)


@contextmanager
def hosts(labels: Sequence[str] = ("a", "b")) -> Iterator[list[Host]]:
    """One namespace per label, each on its own /30, all removed when the block ends."""
    suffix = secrets.token_hex(3)
    block = _free_block()
    with ExitStack() as stack:
        nets = block.subnets(new_prefix=30)
        yield [_make(stack, label, suffix, next(nets)) for label in labels]

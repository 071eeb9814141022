"""Building Tealium file-status objects.

A new status is the documented example with the fields that identify and describe this
file replaced, so every field the schema requires is present without a field list in
code. The states, their order and the failure messages come from the schema.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from datetime import UTC, datetime
from typing import Any

from mockserver._generated import Draws
from mockserver.scenarios import Scenario, timeline
from statuskit.fixtures import documented
from statuskit.registry import SchemaRegistry

__all__ = ["FileFactory", "created_ms", "format_ms", "lifecycle", "parse_ms"]

#: [INF] The one state the docs do not show; a file that failed stops there.
FAILED = "FAILED_PROCESSING"
#: Counters of a finished step, in the schema's names.
COUNTERS = ("lines_successfully_processed", "lines_skipped", "lines_failed_processing")
DAY_MS = 86_400_000
#: Generated files are created from 2025-01-01 on, over 600 days.
GENERATED_FROM_MS = 1_735_689_600_000
#: The prefixes of generated files' names.
GENERATED_PREFIXES = ("sales-transaction", "orders", "customers", "loyalty", "returns")


def format_ms(ms: int) -> str:
    """Epoch milliseconds as the wire's ``$date``: ISO-8601 UTC with milliseconds."""
    moment = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def parse_ms(text: str) -> int:
    """The epoch milliseconds of a ``$date`` string."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return round(moment.timestamp() * 1000)


def created_ms(status: dict[str, Any]) -> int:
    """When a file status says its file was created, in epoch milliseconds."""
    return parse_ms(status["created_at"]["$date"])


class FileFactory:
    """Makes schema-complete file statuses from the documented example."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.template: dict[str, Any] = documented("tealium", "get-file-status", 200).load()
        states = registry.enum("tealium", "state", schema="status-entry")
        # The schema lists the states in the order a file passes through them.
        self.progression = tuple(s for s in states if s != FAILED)
        failure = registry.definition("tealium", "last_failure", schema="status-entry")
        self.failures: tuple[str, ...] = tuple(failure["examples"])

    def build(
        self,
        *,
        account: str,
        profile: str,
        name: str,
        created_ms: int,
        steps_ms: list[int],
        failed: bool = False,
        line_count: int = 0,
        counters: tuple[int, int, int] | None = None,
        failure: str | None = None,
        size: int = 0,
        host: str = "acme-omnichannel-uploads",
    ) -> dict[str, Any]:
        """A status whose history has one step per time in ``steps_ms``.

        The steps follow the documented progression; with ``failed`` the last step is
        ``FAILED_PROCESSING``. ``counters`` (successful, skipped, failed lines) and
        ``failure`` go on the last step.
        """
        if failed:
            states = [*self.progression[: len(steps_ms) - 1], FAILED]
        else:
            states = list(self.progression[: len(steps_ms)])
        if len(states) != len(steps_ms):
            raise ValueError(f"a history has at most {len(self.progression)} steps")
        digest = hashlib.md5(f"{account}/{profile}/{name}".encode(), usedforsecurity=False)
        status = copy.deepcopy(self.template)
        status.update(
            _id={"$oid": digest.hexdigest()[:24]},
            account=account,
            profile=profile,
            created_at={"$date": format_ms(created_ms)},
            node_id=f"bulk_downloader_i-{digest.hexdigest()[24:]}",
            status=[
                {"state": state, "timestamp": {"$date": format_ms(at)}}
                for state, at in zip(states, steps_ms, strict=True)
            ],
        )
        status["file"].update(
            name=name,
            size=size,
            checksum=hashlib.md5(name.encode(), usedforsecurity=False).hexdigest(),
            source={**status["file"]["source"], "host": host},
            line_count=line_count,
        )
        last = status["status"][-1] if status["status"] else {}
        if counters is not None:
            last.update(zip(COUNTERS, counters, strict=True))
        if failure is not None:
            last["last_failure"] = failure
        return status

    @property
    def states(self) -> tuple[str, ...]:
        """Every state, the failure last."""
        return (*self.progression, FAILED)

    def restate(self, status: dict[str, Any], state: str, *, at_ms: int) -> dict[str, Any]:
        """``status`` moved to ``state`` at ``at_ms``: the history keeps the times it has and
        gains the steps up to ``state``; a failure carries the first documented message."""
        seen = {entry["state"]: parse_ms(entry["timestamp"]["$date"]) for entry in status["status"]}
        failed = state == FAILED
        if failed:
            states = [s for s in self.progression if s in seen] + [FAILED]
        else:
            states = list(self.progression[: self.progression.index(state) + 1])
        created, times = created_ms(status), list[int]()
        for name in states:
            at = seen.get(name, at_ms) if name != FAILED else at_ms
            times.append(max(at, times[-1] if times else created))
        lines = status["file"]["line_count"]
        last = status["status"][-1] if status["status"] else {}
        counters: tuple[int, int, int] | None = None
        if all(c in last for c in COUNTERS):
            counters = (last[COUNTERS[0]], last[COUNTERS[1]], last[COUNTERS[2]])
        elif state == self.progression[-1]:
            counters = (lines, 0, 0)
        return self.build(
            account=status["account"],
            profile=status["profile"],
            name=status["file"]["name"],
            created_ms=created,
            steps_ms=times,
            failed=failed,
            line_count=lines,
            counters=counters,
            failure=self.failures[0] if failed else None,
            size=status["file"]["size"],
            host=status["file"]["source"]["host"],
        )

    def draw(
        self, n: int, *, seed: int, account: str, profile: str, columns_only: bool = False
    ) -> dict[str, Any]:
        """The :meth:`build` arguments of generated file ``n`` in ``account``: drawn from
        ``(seed, n)`` alone, so any one file can be made without the others. Most are in
        ``profile``, some in a ``dev`` one.

        Every value is in its schema's range by construction: each step is 1 to 5,000 ms after
        the one before, counters add up to the line count, names end in ``.csv`` and hold
        ``n``, so no two are alike. The values the store's columns hold are drawn first; with
        ``columns_only`` only those are returned (``account``, ``profile``, ``name``,
        ``created_ms``, and the ``state`` the file shows), and the rest is not drawn.
        """
        rng = Draws("tealium", seed, n)
        created = GENERATED_FROM_MS + rng.randint(0, 600) * DAY_MS + rng.randint(0, DAY_MS)
        failed = rng.chance(15)
        # A failed file got at least as far as processing; others may still be under way.
        steps = len(self.progression) if failed else rng.randint(1, len(self.progression))
        prefix = rng.choice(GENERATED_PREFIXES)
        drawn: dict[str, Any] = {
            "account": account,
            "profile": rng.choice((profile, profile, "dev")),
            "name": f"{prefix}_{_day(created // DAY_MS)}_{n:05d}.csv",
            "created_ms": created,
        }
        if columns_only:
            drawn["state"] = FAILED if failed else self.progression[steps - 1]
            return drawn
        times, at = [], created
        for _ in range(steps):
            at += rng.randint(1, 5_000)
            times.append(at)
        lines = rng.randint(1, 20_000)
        counters, failure = None, None
        if failed:
            ok = rng.randint(0, lines - 1)
            counters = (ok, 0, lines - ok)
            failure = rng.choice(self.failures)
        elif steps == len(self.progression):
            skipped = rng.randint(0, lines // 20)
            bad = rng.randint(0, (lines - skipped) // 20)
            counters = (lines - skipped - bad, skipped, bad)
        drawn.update(
            steps_ms=times,
            failed=failed,
            line_count=lines,
            counters=counters,
            failure=failure,
            size=lines * rng.randint(40, 120),
        )
        return drawn

    def generated(
        self, count: int, *, seed: int, account: str = "acme", profile: str = "main"
    ) -> list[dict[str, Any]]:
        """``count`` varied statuses, the same for the same ``seed``: the stored-record path
        of what ``mockserver.tealium._generated`` synthesises (a few, for tests)."""
        return [
            self.build(**self.draw(n, seed=seed, account=account, profile=profile))
            for n in range(count)
        ]


@functools.lru_cache(maxsize=1024)
def _day(day: int) -> str:
    # A file's name holds its creation day; a million names share a few hundred days.
    return f"{datetime.fromtimestamp(day * DAY_MS // 1000, tz=UTC):%Y%m%d}"


#: [KIT] How each failing outcome ends, as an index into the schema's last_failure examples.
_FAILURE_MESSAGE = {
    "processing-failure": 0,  # "Failed to find attribute for column with id"
    "cancelled": 0,  # Tealium has no cancel: processing stops with a failure
    "bad-format": 1,  # "Unknown file prefix, unable to parse file"
    "download-failure": 2,  # "Failed to download (SFTP, S3) file"
}


def lifecycle(
    factory: FileFactory,
    scenario: Scenario,
    *,
    account: str,
    profile: str,
    name: str,
    created_ms: int,
    size: int = 0,
) -> list[tuple[int, dict[str, Any]]]:
    """The file statuses a file shows over its lifecycle, each with the time it starts.

    ``status[]`` grows DOWNLOADING → DOWNLOADED → PROCESSING → PROCESSED, or ends with
    FAILED_PROCESSING and a ``last_failure``; the PROCESSING entry's counters grow while
    processing runs. A ``configuration-pending`` outcome stays DOWNLOADED.
    """
    out: list[tuple[int, dict[str, Any]]] = []
    started: dict[str, int] = {}
    for step in timeline(scenario):
        at = created_ms + round(step.at * 1000)
        counters = (step.ok, step.skipped, step.errors)
        if step.phase == "waiting":
            started["DOWNLOADING"] = at
        elif step.phase == "downloaded":
            started["DOWNLOADED"] = at
        elif step.phase == "processing":
            started.setdefault("PROCESSING", at)
        outcome = step.outcome
        failed = outcome in _FAILURE_MESSAGE
        if outcome == "configuration-pending":
            continue  # nothing changes: the file waits, downloaded, for configuration
        times = list(started.values()) + ([at] if step.terminal else [])
        status = factory.build(
            account=account,
            profile=profile,
            name=name,
            created_ms=created_ms,
            steps_ms=times,
            failed=failed,
            line_count=step.rows if "DOWNLOADED" in started else 0,
            counters=counters if step.phase in ("processing", "finished") and step.rows else None,
            failure=factory.failures[_FAILURE_MESSAGE[outcome]] if failed and outcome else None,
            size=size,
        )
        out.append((at, status))
    return out

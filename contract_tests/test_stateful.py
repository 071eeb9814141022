"""Lifecycles as state machines against the mock: upload → poll → clock → faults.

Mock only: the machines freeze the mock's clock and move it themselves, create imports and
files that follow the mock's scenarios, and inject failures through the admin API. The
reference clients run on the mock's clock: their ``sleep`` advances it, so a
``wait_for_completion`` of ten minutes takes milliseconds. Invariants, on every poll:

* progress never goes backwards (state, counters, percentage, history);
* a terminal state stays terminal, with the same counters;
* counters are coherent (no more rows handled than the file has; all of them once done);
* ``wait_for_completion`` ends in the state the scenario ends in, and the mock then
  answers that same state.

Fault rules run where the mock's admin API lists ``/faults`` (a precondition);
:func:`test_fault_injection_is_available` fails if a statuskit mock ever lacks it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mockserver.scenarios import PRESETS
from mockserver.thalamus.records import FINAL_STATE_ID, PROCESSED, PROCESSING, WAITING
from statuskit.client import FileStatus, ImportRecord, RetryPolicy, TealiumClient, ThalamusClient
from statuskit.client.polling import is_terminal
from statuskit.contracts.target import ContractTarget
from statuskit.errors import RateLimitedError, ServerError, WaitTimeoutError
from statuskit.mock import MockServer
from statuskit.registry import default_registry

#: [KIT] How each scenario outcome ends on Tealium (mockserver/tealium/files.py): processed
#: files are PROCESSED, a configuration-pending one waits, DOWNLOADED, and never finishes.
TEALIUM_FINAL = {"processed": "PROCESSED", "configuration-pending": None}
#: The state each Thalamus scenario outcome ends in, by its wire value (the schema's).
_STATE_IDS: dict[str, int] = default_registry().definition("thalamus", "state")["x-state-ids"]
_STATE = {sid: state for state, sid in _STATE_IDS.items()}
FINAL_STATE = {outcome: _STATE[final] for outcome, final in FINAL_STATE_ID.items()}
IMPORT_TYPES = default_registry().enum("thalamus", "importType")
#: Tealium's first two states, in the schema's order: a file downloading, then downloaded.
_TEALIUM_FIRST = default_registry().enum("tealium", "state", schema="status-entry")[:2]
FAULTS = (429, 502, 503, 504)
ATTEMPTS = 3
#: How far along a state that is not final is: a state never goes back.
_RANK = {_STATE[WAITING]: 0, _STATE[PROCESSING]: 1, **{s: i for i, s in enumerate(_TEALIUM_FIRST)}}


def has_faults(mock: MockServer) -> bool:
    """Whether the mock's admin API can inject faults (it lists ``/faults``)."""
    endpoints = mock.call("GET", "/").get("endpoints", [])
    return any("/faults" in endpoint for endpoint in endpoints)


@pytest.mark.contract_api("thalamus", "tealium")
def test_fault_injection_is_available(mock: MockServer) -> None:
    # The state machines' fault rules run only where the admin API injects faults.
    assert has_faults(mock), "the mock's admin API lists no /__admin/v1/faults route"


class _Machine(RuleBasedStateMachine):
    """What both machines share: the mock's frozen clock, and the fault rule's checks."""

    def __init__(self, mock: MockServer, contract: ContractTarget, faults: bool) -> None:
        super().__init__()
        mock.reset()
        self.now = float(mock.freeze()["now"])
        self.mock, self.faults, self.coverage = mock, faults, contract.coverage
        self.retry = RetryPolicy(max_attempts=ATTEMPTS, jitter=lambda: 1.0)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now = float(self.mock.advance(seconds)["now"])

    @rule(seconds=st.floats(0, 90))
    def advance(self, seconds: float) -> None:
        self.sleep(seconds)

    def through_fault(
        self, client: ThalamusClient | TealiumClient, status: int, times: int, fetch: Any
    ) -> Any:
        """Fetch while the next ``times`` requests fail with ``status``: the client's
        retries outlast fewer than its attempts; otherwise it raises the typed error."""
        if not client.logged_in:
            client.login()  # a login is not retried: keep the faults for the GET
        api = "thalamus" if isinstance(client, ThalamusClient) else "tealium"
        self.mock.fail_next(times, status=status, api=api)
        failed: ServerError | RateLimitedError | None = None
        try:
            with self.coverage.paused():
                return fetch()
        except (ServerError, RateLimitedError) as exc:
            failed = exc
        finally:
            self.mock.clear_faults()
        assert times >= ATTEMPTS, f"{times} faults outlasted {ATTEMPTS} attempts"
        assert failed.status_code == status
        assert isinstance(failed, RateLimitedError) == (status == 429)
        return None


class ImportLifecycles(_Machine):
    """Thalamus imports: uploaded through the API or made by the admin API, then polled."""

    imports = Bundle("imports")

    def __init__(self, mock: MockServer, contract: ContractTarget, faults: bool) -> None:
        super().__init__(mock, contract, faults)
        self.client = ThalamusClient.from_env(
            contract.base_url,
            login_path=contract.resources.login_path,
            transport=contract.transport,
            retry=self.retry,
            clock=self.clock,
            sleep=self.sleep,
            strict=True,
        )
        self.seen: dict[int, ImportRecord] = {}
        self.final: dict[int, str] = {}

    def teardown(self) -> None:
        self.client.close()

    @rule(target=imports, import_type=st.sampled_from(IMPORT_TYPES))
    def upload(self, import_type: int) -> int:
        record = self.client.upload(b"sku,qty\n1,2\n", "statuskit-stateful", import_type)
        assert record.state == _STATE[WAITING]
        self.final[record.id] = FINAL_STATE["processed"]  # uploads follow fast-success
        self.observe(record)
        return record.id

    @rule(target=imports, preset=st.sampled_from(sorted(PRESETS)))
    def add_import(self, preset: str) -> int:
        record_id = int(self.mock.add_import(preset)["id"])
        self.final[record_id] = FINAL_STATE[PRESETS[preset].outcome]
        return record_id

    @rule(import_id=imports)
    def poll(self, import_id: int) -> None:
        self.observe(self.client.get_status(import_id))

    @rule(import_id=imports)
    def wait(self, import_id: int) -> None:
        done = self.client.wait_for_completion(import_id, timeout=900, poll_interval=30)
        self.observe(done)
        assert done.state == self.final[import_id]
        again = self.client.get_status(import_id)
        self.observe(again)
        assert (again.state, again.rows_ok) == (done.state, done.rows_ok)

    @precondition(lambda self: self.faults)
    @rule(import_id=imports, status=st.sampled_from(FAULTS), times=st.integers(1, ATTEMPTS))
    def poll_through_fault(self, import_id: int, status: int, times: int) -> None:
        record = self.through_fault(
            self.client, status, times, lambda: self.client.get_status(import_id)
        )
        if record is not None:
            self.observe(record)

    def observe(self, record: ImportRecord) -> None:
        before = self.seen.get(record.id)
        self.seen[record.id] = record
        if before is None:
            return
        if before.state in FINAL_STATE.values():
            assert record.state == before.state, f"{before.state} is terminal"
            assert record.rows_ok == before.rows_ok
        assert _RANK.get(record.state, 2) >= _RANK.get(before.state, 2), "the state went back"
        for name in ("rows_ok", "rows_with_errors", "rows_skipped", "percentage_processed"):
            assert getattr(record, name) >= getattr(before, name), f"{name} went back"
        assert record.modification_date >= before.modification_date

    @invariant()
    def counters_are_coherent(self) -> None:
        for record in self.seen.values():
            done = record.rows_ok + record.rows_with_errors + record.rows_skipped
            assert 0 <= done <= record.rows
            assert 0 <= record.percentage_processed <= 100
            if record.state == _STATE[WAITING]:
                assert done == 0
            if record.state == _STATE[PROCESSED]:
                assert done == record.rows


class FileLifecycles(_Machine):
    """Tealium files made by the admin API, then polled."""

    files = Bundle("files")

    def __init__(self, mock: MockServer, contract: ContractTarget, faults: bool) -> None:
        super().__init__(mock, contract, faults)
        self.client = TealiumClient.from_env(
            contract.base_url,
            transport=contract.transport,
            retry=self.retry,
            clock=self.clock,
            sleep=self.sleep,
            strict=True,
        )
        self.account, self.profile = contract.resources.account, contract.resources.profile
        self.seen: dict[str, FileStatus] = {}
        self.final: dict[str, str | None] = {}

    def teardown(self) -> None:
        self.client.close()

    @rule(target=files, preset=st.sampled_from(sorted(PRESETS)))
    def add_file(self, preset: str) -> str:
        name = f"statuskit-stateful-{len(self.final):03d}.csv"
        self.mock.add_file(name, preset, account=self.account, profile=self.profile)
        outcome = PRESETS[preset].outcome
        self.final[name] = TEALIUM_FINAL.get(outcome, "FAILED_PROCESSING")
        return name

    @rule(name=files)
    def poll(self, name: str) -> None:
        self.observe(self.client.get_file_status(name))

    @rule(name=files)
    def wait(self, name: str) -> None:
        final = self.final[name]
        try:
            done = self.client.wait_for_completion(name, timeout=900, poll_interval=30)
        except WaitTimeoutError as exc:
            assert final is None, f"{name} should end {final}"
            self.observe(exc.last)
            return
        self.observe(done)
        assert done.status[-1].state == final
        self.observe(self.client.get_file_status(name))
        assert self.seen[name].status[-1].state == final

    @precondition(lambda self: self.faults)
    @rule(name=files, status=st.sampled_from(FAULTS), times=st.integers(1, ATTEMPTS))
    def poll_through_fault(self, name: str, status: int, times: int) -> None:
        found = self.through_fault(
            self.client, status, times, lambda: self.client.get_file_status(name)
        )
        if found is not None:
            self.observe(found)

    def observe(self, status: FileStatus) -> None:
        name = status.file.name
        before = self.seen.get(name)
        self.seen[name] = status
        if before is None:
            return
        states = [entry.state for entry in status.status]
        earlier = [entry.state for entry in before.status]
        assert states[: len(earlier)] == earlier, "the history was rewritten"
        if is_terminal(before):
            assert status.status == before.status, "a finished file changed"
        last, first = status.status[-1], before.status[-1]
        if last.state == first.state:
            for name_ in ("lines_successfully_processed", "lines_skipped"):
                assert (getattr(last, name_) or 0) >= (getattr(first, name_) or 0)

    @invariant()
    def counters_are_coherent(self) -> None:
        for status in self.seen.values():
            last = status.status[-1]
            handled = sum(
                value or 0
                for value in (
                    last.lines_successfully_processed,
                    last.lines_skipped,
                    last.lines_failed_processing,
                )
            )
            assert 0 <= handled <= status.file.line_count


def _run(factory: Any) -> None:
    # The profile's settings, with fewer examples: each one resets the mock and logs in.
    current = settings()
    run_state_machine_as_test(
        factory, settings=settings(current, max_examples=max(3, current.max_examples // 3))
    )


@pytest.mark.contract_api("thalamus")
def test_import_lifecycles(mock: MockServer, contract: ContractTarget) -> None:
    faults = has_faults(mock)
    _run(lambda: ImportLifecycles(mock, contract, faults))


@pytest.mark.contract_api("tealium")
def test_file_lifecycles(mock: MockServer, contract: ContractTarget) -> None:
    faults = has_faults(mock)
    _run(lambda: FileLifecycles(mock, contract, faults))

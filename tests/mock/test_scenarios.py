"""Scenarios and their timelines: presets, custom specs, and monotonic progress."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.scenarios import PRESETS, Scenario, Step, scenario, timeline
from statuskit.errors import ConfigError


def assert_coherent(steps: list[Step]) -> None:
    assert [s.terminal for s in steps] == [False] * (len(steps) - 1) + [True]
    for before, after in itertools.pairwise(steps):
        assert before.at <= after.at
        for counter in ("done", "ok", "errors", "skipped", "rows"):
            assert getattr(before, counter) <= getattr(after, counter), counter
    for step in steps:
        assert step.ok + step.errors + step.skipped == step.done <= max(step.rows, 0)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_has_a_coherent_timeline(name: str) -> None:
    steps = timeline(PRESETS[name])
    assert_coherent(steps)
    assert steps[-1].outcome == PRESETS[name].outcome


def test_success_processes_every_row_and_failures_stop_part_way() -> None:
    assert timeline(PRESETS["partial-errors"])[-1].done == 1_000
    assert timeline(PRESETS["partial-errors"])[-1].errors == 50
    assert timeline(PRESETS["cancelled"])[-1].done == 400
    assert timeline(PRESETS["download-failure"])[-1].phase == "finished"
    assert [s.phase for s in timeline(PRESETS["download-failure"])] == ["waiting", "finished"]


def test_custom_scenarios_build_on_presets() -> None:
    custom = scenario({"preset": "slow-success", "rows": 10})
    assert (custom.name, custom.rows, custom.process_seconds) == ("custom", 10, 600)
    assert scenario(None) is PRESETS["fast-success"]
    assert scenario("bad-format").outcome == "bad-format"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope", "unknown scenario 'nope'; presets: "),
        ({"rows": -1}, "rows must be >= 0"),
        ({"error_rate": 0.7, "skip_rate": 0.7}, r"error_rate \+ skip_rate must be at most 1"),
        ({"outcome": "exploded"}, "outcome must be one of"),
        ({"colour": "red"}, "unknown scenario keys: colour"),
    ],
)
def test_bad_scenarios_are_clear_errors(spec: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        scenario(spec)  # type: ignore[arg-type]


@given(
    st.builds(
        Scenario,
        rows=st.integers(0, 10_000),
        wait_seconds=st.floats(0, 1e4),
        process_seconds=st.floats(0, 1e4),
        outcome=st.sampled_from(sorted({s.outcome for s in PRESETS.values()})),
        error_rate=st.floats(0, 0.5),
        skip_rate=st.floats(0, 0.5),
        stop_at=st.floats(0, 1),
        progress_steps=st.integers(1, 100),
    )
)
def test_any_scenario_has_a_coherent_timeline(s: Scenario) -> None:
    assert_coherent(timeline(s))

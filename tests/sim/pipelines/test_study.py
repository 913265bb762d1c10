"""sim/pipelines/study.py — the acceptance: a goodput table across failure rates with the three strategies."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.pipelines import PipelineStudy, run_study

FAST = dict(failures_per_day=(0.5, 4.0, 32.0), horizon_days=20.0)


def test_goodput_table_shape_and_trends():
    r = run_study(PipelineStudy(**FAST))
    assert [row["failures_per_day"] for row in r["rows"]] == [0.5, 4.0, 32.0]
    for name in ("checkpoint-restart", "oobleck", "bamboo"):
        g = [row["strategies"][name]["goodput"] for row in r["rows"]]
        assert all(0 < x <= 1 for x in g) and g[0] > g[-1]
    high = r["rows"][-1]["strategies"]
    # at a failure a day per node, re-instantiating beats rolling back, and never rolls back itself
    assert high["oobleck"]["goodput"] > high["checkpoint-restart"]["goodput"]
    assert high["oobleck"]["rollbacks"] == 0 < high["checkpoint-restart"]["rollbacks"]
    assert r["instantiation"]["sizes"] == [8, 8, 8, 8]


def test_seeded():
    assert run_study(PipelineStudy(seed=1, **FAST)) == run_study(PipelineStudy(seed=1, **FAST))
    assert run_study(PipelineStudy(seed=1, **FAST)) != run_study(PipelineStudy(seed=2, **FAST))


@pytest.mark.parametrize("kwargs, option", [
    (dict(nodes=4), "--nodes"), (dict(failures_per_day=(0.0,)), "--failures-per-day"),
    (dict(bamboo_overhead=1.0), "--bamboo-overhead"), (dict(horizon_days=0), "--days"),
    (dict(restart_s=float("nan")), "--restart"), (dict(max_layers=0), "--max-layers"),
])
def test_invalid(kwargs, option):
    with pytest.raises(InvalidValue, match=option):
        PipelineStudy(**kwargs)

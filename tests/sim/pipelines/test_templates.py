"""sim/pipelines/templates.py: exact partitions, template coverage, batch distribution."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.sim.pipelines.templates import Template, build_templates, instantiate, partition


def brute_force(costs, stages, max_layers):
    best = None
    n = len(costs)
    for cuts in itertools.combinations(range(1, n), stages - 1):
        bounds = (0, *cuts, n)
        sizes = [b - a for a, b in itertools.pairwise(bounds)]
        if max(sizes) > max_layers:
            continue
        value = max(sum(costs[a:b]) for a, b in itertools.pairwise(bounds))
        best = value if best is None else min(best, value)
    return best


@given(st.lists(st.integers(1, 9), min_size=1, max_size=9), st.integers(1, 9), st.integers(1, 9))
def test_partition_is_optimal(costs, stages, max_layers):
    found = partition(tuple(float(c) for c in costs), stages, max_layers)
    expected = brute_force(costs, stages, max_layers) if stages <= len(costs) else None
    if expected is None:
        assert found is None
    else:
        assert found[0] == expected
        assert sum(found[1]) == len(costs) and max(found[1]) <= max_layers and len(found[1]) == stages


def test_templates_by_hand():
    # 32 equal layers, ≤ 4 per node: n_min = 8, templates 8…15; 8 stages of 4 layers (t = 4),
    # 11 nodes get the slowest stage down to 3 layers.
    t = build_templates(tuple([1.0] * 32), 4)
    assert sorted(t) == list(range(8, 16))
    assert t[8] == Template(8, 4.0, (4,) * 8)
    assert t[11].stage_time == 3.0
    # 4 pipelines of 8 with 64 microbatches: 16 each, (16 + 8 − 1)·4 = 92 per iteration
    inst = instantiate(t, 32, 64)
    assert inst.sizes == (8, 8, 8, 8) and inst.microbatches == (16,) * 4
    assert inst.iteration_time == 92.0 and inst.throughput == pytest.approx(64 / 92)


@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 40))
def test_templates_cover_every_node_count(layers_per_node_cap, extra, batch):
    layers = 12
    templates = build_templates(tuple([1.0] * layers), layers_per_node_cap)
    n_min = min(templates)
    previous = 0.0
    for available in range(n_min, n_min + 6 * extra + 1):
        inst = instantiate(templates, available, batch)
        assert inst is not None  # never stuck while ≥ n_min nodes are alive
        assert sum(inst.sizes) <= available
        assert sum(inst.microbatches) == batch
        assert inst.throughput >= previous - 1e-12  # adding a node never slows the job
        previous = inst.throughput
    assert instantiate(templates, n_min - 1, batch) is None


def test_batch_split_is_optimal_for_two_pipelines():
    t = build_templates(tuple([1.0] * 12), 3)
    inst = instantiate(t, 9, 10)  # sizes (5, 4): t = 3 and 3; (m + n − 1)·3
    best = min(max((m + 4) * t[5].stage_time, (10 - m + 3) * t[4].stage_time) for m in range(11))
    if inst.sizes == (5, 4):
        assert inst.iteration_time == best
    assert inst.iteration_time <= best


def test_invalid():
    with pytest.raises(InvalidValue, match="--max-layers"):
        build_templates((1.0,), 0)
    with pytest.raises(InvalidValue, match="--layers"):
        build_templates((), 4)

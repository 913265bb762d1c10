"""sim/gang/placement.py: first-fit vs topology-aware packing."""

from hypothesis import given
from hypothesis import strategies as st

from infraprep.sim.gang import Shape, first_fit, pack

SHAPE = Shape(racks=2, nodes_per_rack=2, gpus_per_node=8)


def test_first_fit_takes_the_lowest_nodes():
    assert first_fit([8, 8, 8, 8], SHAPE, 3, 4) == [0, 0, 1]
    assert first_fit([2, 8, 8, 8], SHAPE, 1, 4) == [1]
    assert first_fit([4, 0, 0, 4], SHAPE, 3, 4) is None


def test_pack_prefers_one_rack_then_fewest_nodes():
    # rack 0 = nodes 0,1 (free 2, 8); rack 1 = nodes 2,3 (free 8, 8). Two 4-GPU pods: rack 0 fits
    # them tightly (best fit) on node 1 alone.
    assert pack([2, 8, 8, 8], SHAPE, 2, 4) == [1, 1]
    # four 4-GPU pods: only rack 1 holds them all
    assert sorted(pack([2, 8, 8, 8], SHAPE, 4, 4)) == [2, 2, 3, 3]
    # five: no single rack can, so the biggest racks first
    assert sorted(pack([4, 8, 8, 8], SHAPE, 5, 4)) == [1, 2, 2, 3, 3]  # rack 1 whole, then node 1
    # first-fit would have spread the two pods over two racks
    assert first_fit([4, 0, 8, 8], SHAPE, 2, 4) == [0, 2]
    assert pack([4, 0, 8, 8], SHAPE, 2, 4) == [2, 2]


@given(st.lists(st.integers(0, 8), min_size=4, max_size=4), st.integers(1, 8), st.sampled_from([1, 2, 4, 8]))
def test_both_placers_agree_on_feasibility_and_respect_capacity(free, pods, gpus):
    a, b = first_fit(free, SHAPE, pods, gpus), pack(free, SHAPE, pods, gpus)
    assert (a is None) == (b is None) == (sum(f // gpus for f in free) < pods)
    for nodes in (a, b):
        if nodes is not None:
            assert len(nodes) == pods
            assert all(nodes.count(n) * gpus <= free[n] for n in set(nodes))
            assert len({n // 2 for n in b}) <= len({n // 2 for n in a})  # packing never uses more racks

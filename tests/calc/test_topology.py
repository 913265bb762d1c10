"""Fat-tree and rail-optimized fabric counts (calc/topology.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.result import CalcResult
from infraprep.calc.topology import fat_tree, rail_optimized
from infraprep.errors import InvalidValue

EVEN_K = st.integers(2, 64).map(lambda h: 2 * h)


@given(EVEN_K)
def test_three_tier_counts_are_integers_consistent_with_k(k):
    tree = fat_tree(k)
    assert all(isinstance(n, int) for n in (tree.hosts, tree.switches, tree.links, tree.optics))
    assert 4 * tree.hosts == k**3
    assert 4 * tree.switches == 5 * k**2
    assert tree.switches_per_tier == {"edge": k * k // 2, "aggregation": k * k // 2, "core": (k // 2) ** 2}
    # Non-blocking: every port of every switch is used, and each tier carries all hosts' traffic.
    ports_used = tree.links_per_tier["host-edge"] + 2 * (tree.links - tree.links_per_tier["host-edge"])
    assert ports_used == k * tree.switches
    assert set(tree.links_per_tier.values()) == {tree.hosts}


@given(EVEN_K, st.sampled_from([1, 2, 3, 5]), st.sampled_from([2, 3]))
def test_oversubscribed_trees_use_every_port_and_scale_hosts(k, r, tiers):
    if k % (r + 1):
        with pytest.raises(InvalidValue, match="--oversubscription"):
            fat_tree(k, tiers, r)
        return
    tree = fat_tree(k, tiers, r)
    host_links = tree.hosts
    assert host_links + 2 * (tree.links - host_links) == k * tree.switches
    assert tree.hosts == fat_tree(k, tiers).hosts * 2 * r // (r + 1)  # R:1 turns uplinks into host ports
    assert tree.bisection_bandwidth == pytest.approx(tree.hosts * 50e9 / (2 * r))


def test_two_tier_leaf_spine():
    tree = fat_tree(64, tiers=2)
    assert (tree.hosts, tree.switches_per_tier) == (64 * 32, {"leaf": 64, "spine": 32})
    assert isinstance(tree, CalcResult)
    assert "k²/2" in tree.explain()


def test_optics_count_two_per_optical_link():
    tree = fat_tree(4)
    assert tree.links == 48 and tree.optics == 96
    assert fat_tree(4, host_links_optical=False).optics == 2 * (48 - 16)


def test_rail_optimized_small_cluster_is_two_tiers():
    # 1,024 GPUs, 8 per node, 64-port leaves: 128 nodes in 4 units of 32; 8 rails -> 32 leaves,
    # 32 leaves · 32 uplinks / 64 ports = 16 spines.
    fabric = rail_optimized(1024, radix=64)
    assert (fabric.nodes, fabric.rails, fabric.units, fabric.tiers) == (128, 8, 4, 2)
    assert fabric.switches_per_tier == {"leaf": 32, "spine": 16}
    assert fabric.to_dict()["switch_hops"] == {"same_rail_same_unit": 1, "otherwise": 3}


def test_rail_optimized_large_cluster_adds_a_core_tier():
    fabric = rail_optimized(16384, radix=64)
    # 2,048 nodes -> 64 units -> 512 leaves -> 16 pods of 32 leaves and 32 spines -> 256 cores
    assert fabric.switches_per_tier == {"leaf": 512, "spine": 512, "core": 256}
    assert fabric.endpoints == 16384
    assert fabric.bisection_bandwidth == pytest.approx(16384 * 50e9 / 2)
    # leaf-spine-leaf inside a pod, leaf-spine-core-spine-leaf across pods
    assert fabric.to_dict()["switch_hops"] == {"same_rail_same_unit": 1, "same_pod": 3, "otherwise": 5}


def test_rail_nics_per_gpu_multiply_rails():
    assert rail_optimized(64, gpus_per_node=8, nics_per_gpu=2, radix=16).rails == 16


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fat_tree(7), "--radix=7"),
        (lambda: fat_tree(48, tiers=4), "--tiers=4"),
        (lambda: fat_tree(48, link_bandwidth=-1), "--link"),
        (lambda: rail_optimized(1004, gpus_per_node=8, radix=64), "multiple of --gpus-per-node=8"),
        (lambda: rail_optimized(0), "--gpus=0"),
        (lambda: rail_optimized(10**7, radix=16), "more than 3 tiers"),
    ],
)
def test_bad_input_names_the_value(call, match):
    with pytest.raises(InvalidValue, match=match):
        call()

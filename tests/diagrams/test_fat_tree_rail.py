"""The fat-tree / rail diagram's wiring realises calc topology's counts, and its rules hold."""

from collections import Counter

import pytest

from infraprep.calc.topology import fat_tree
from infraprep.diagrams.fat_tree_rail import RAIL, fat_tree_wiring, rail_wiring
from infraprep.errors import InfraprepError


@pytest.mark.parametrize("k", [4, 6, 8])
def test_fat_tree_wiring_matches_the_calculator(k):
    wiring = fat_tree_wiring(k)
    counts = fat_tree(k, tiers=3)
    assert len(wiring.tiers["host"]) == counts.hosts == k ** 3 // 4  # Al-Fares et al. 2008, §3.3
    assert {t: len(wiring.tiers[t]) for t in ("edge", "aggregation", "core")} == counts.switches_per_tier
    assert {t: len(pairs) for t, pairs in wiring.links.items()} == counts.links_per_tier


@pytest.mark.parametrize("k", [4, 6, 8])
def test_fat_tree_every_switch_uses_exactly_its_k_ports(k):
    ports = Counter()
    for pairs in fat_tree_wiring(k).links.values():
        for lower, upper in pairs:
            ports[lower] += 1
            ports[upper] += 1
    wiring = fat_tree_wiring(k)
    switches = wiring.tiers["edge"] + wiring.tiers["aggregation"] + wiring.tiers["core"]
    assert {ports[s] for s in switches} == {k}
    # every core switch reaches every pod exactly once
    for core in wiring.tiers["core"]:
        pods = sorted(lower.split(".")[0][1:] for lower, upper in wiring.links["aggregation-core"] if upper == core)
        assert pods == [str(p) for p in range(k)]


def test_rail_wiring_matches_the_calculator_and_the_drawn_size():
    wiring, fabric = rail_wiring(**RAIL)
    assert (fabric.nodes, fabric.rails, fabric.units, fabric.tiers) == (8, 4, 2, 2)
    assert {t: len(wiring.tiers[t]) for t in ("leaf", "spine")} == fabric.switches_per_tier
    assert {t: len(pairs) for t, pairs in wiring.links.items()} == fabric.links_per_tier


@pytest.mark.parametrize("gpus,per_node,radix", [(32, 4, 8), (64, 8, 16), (256, 8, 32)])
def test_rail_nic_i_lands_on_a_rail_i_leaf_of_its_unit(gpus, per_node, radix):
    wiring, fabric = rail_wiring(gpus, per_node, radix)
    for nic, leaf in wiring.links["nic-leaf"]:
        node, gpu = (int(part[1:]) for part in nic.split("."))
        unit, rail = (int(part) for part in leaf[1:].split("."))
        assert rail == gpu and unit == node // fabric.nodes_per_unit
    down = Counter(leaf for _, leaf in wiring.links["nic-leaf"])
    up = Counter(leaf for leaf, _ in wiring.links["leaf-spine"])
    assert set(down.values()) == {radix // 2}  # whole units: k/2 down
    assert set(up.values()) == {radix // 2}  # k/2 up: non-blocking
    assert set(Counter(spine for _, spine in wiring.links["leaf-spine"]).values()) == {radix}  # spines full


def test_rail_diagram_refuses_three_tiers():
    with pytest.raises(InfraprepError, match="two tiers"):
        rail_wiring(64, 4, 8)

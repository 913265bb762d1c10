"""Parallel layout: world size, ZeRO groups, and which groups stay inside a node."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.parallelism import Parallelism
from infraprep.errors import InvalidValue


def test_world_and_groups():
    p = Parallelism(dp=4, tp=8, pp=2, cp=2, ep=16)
    assert p.world == 128
    assert p.grad_dp == 8
    assert p.expert_dp == 4 * 2 * 8 // 16


def test_tensor_parallel_stays_in_the_node_and_data_parallel_leaves_it():
    p = Parallelism(dp=16, tp=8, pp=4)
    assert p.intra_node("tp", 8)
    assert not p.intra_node("dp", 8)
    assert not p.intra_node("pp", 8)
    assert Parallelism(dp=2, tp=4).intra_node("dp", 8)  # 8 consecutive ranks: one node
    assert Parallelism(dp=1, tp=8).intra_node("dp", 8)  # a group of one never communicates


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"tp": 0}, "--tp=0"),
        ({"dp": -2}, "--dp=-2"),
        ({"sp": True}, "--sp=True .* --tp > 1"),
        ({"dp": 3, "ep": 2}, "--ep=2 .* divisor of dp·cp·tp=3"),
        ({"pp": 2**60}, "--pp=.* integer from 1 to 2\\^53"),
    ],
)
def test_bad_degrees_name_the_option(kw, match):
    with pytest.raises(InvalidValue, match=match):
        Parallelism(**kw)


powers = st.sampled_from([1, 2, 4, 8, 16])


@given(powers, powers, powers, powers, st.sampled_from([4, 8, 16]))
def test_groups_nest_tp_inside_cp_inside_dp_inside_pp(tp, cp, dp, pp, node):
    p = Parallelism(dp=dp, tp=tp, pp=pp, cp=cp)
    spans = [p.span(g) for g in ("tp", "cp", "dp", "pp")]
    assert spans == sorted(spans) and spans[-1] == p.world
    # a wider group inside one node implies every narrower one is inside it too
    for narrow, wide in zip(("tp", "cp", "dp"), ("cp", "dp", "pp"), strict=True):
        if p.intra_node(wide, node) and p.size(wide) > 1:
            assert p.intra_node(narrow, node)

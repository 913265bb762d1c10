"""Megatron's rank order and the groups it implies."""

from hypothesis import given
from hypothesis import strategies as st

from infraprep.labs.trainer.layout import Coords, Layout, build_groups

degrees = st.integers(1, 4)


def test_the_2x2x2_layout_of_the_docstring():
    lay = Layout(dp=2, tp=2, pp=2)
    assert lay.groups("tp") == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert lay.groups("dp") == [[0, 2], [1, 3], [4, 6], [5, 7]]
    assert lay.groups("pp") == [[0, 4], [1, 5], [2, 6], [3, 7]]
    assert lay.coords(6) == Coords(dp=1, tp=0, pp=1)


@given(degrees, degrees, degrees)
def test_rank_and_coords_are_inverse_and_groups_partition(dp, tp, pp):
    lay = Layout(dp, tp, pp)
    assert [lay.rank(lay.coords(r)) for r in range(lay.world)] == list(range(lay.world))
    for kind in ("tp", "dp", "pp"):
        groups = lay.groups(kind)
        assert sorted(r for g in groups for r in g) == list(range(lay.world))  # each rank exactly once
        assert all(len(g) == lay.size(kind) for g in groups)
        for g in groups:  # members differ only along `kind`, in index order
            cs = [lay.coords(r) for r in g]
            assert [getattr(c, kind) for c in cs] == list(range(lay.size(kind)))
            assert len({c._replace(**{kind: 0}) for c in cs}) == 1
    assert all(g == list(range(g[0], g[0] + tp)) for g in lay.groups("tp"))  # TP ranks adjacent


def test_one_rank_needs_no_process_group():
    groups = build_groups(Layout(1, 1, 1), 0)  # no torch.distributed init: nothing to create
    assert (groups.tp.handle, groups.dp.size, groups.pp.ranks) == (None, 1, [0])

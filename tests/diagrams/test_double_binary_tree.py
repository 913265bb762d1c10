"""The double-binary-tree diagram's trees, from the collectives lab's NCCL construction."""

import pytest

from infraprep.diagrams.double_binary_tree import roles, trees


def test_eight_rank_trees_follow_nccls_lowest_set_bit_rule():
    first, second = trees(8)
    # ncclGetBtree on 8 ranks: 0 → 4; 4 → 2, 6; 2 → 1, 3; 6 → 5, 7 (worked by hand from the bit rule)
    assert first.children == ((4,), (), (1, 3), (), (2, 6), (), (5, 7), ())
    # ncclGetDtree, even p: the mirror i → 7 − i
    assert second.children == ((), (2, 0), (), (5, 1), (), (6, 4), (), (3,))
    assert first.height == second.height == 3


@pytest.mark.parametrize("p", [8, 16])
def test_every_rank_is_a_leaf_in_exactly_one_tree(p):
    pairs = roles(p)
    assert all(("leaf" in pair) and pair != ("leaf", "leaf") for pair in pairs)
    assert [r for r, pair in enumerate(pairs) if pair[0] == "leaf"] == list(range(1, p, 2))  # odd ranks

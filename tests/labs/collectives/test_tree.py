"""labs/collectives/tree.py: NCCL's binary and double binary trees, checked without spawning ranks."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.labs.collectives.tree import binary_tree, double_binary_tree


def _is_spanning_tree(tree, p):
    assert tree.parent.count(None) == 1
    for i in range(p):
        for c in tree.children[i]:
            assert tree.parent[c] == i
        if tree.parent[i] is not None:
            assert i in tree.children[tree.parent[i]]
    assert sum(len(c) for c in tree.children) == p - 1
    return True


def test_nccl_illustration_for_14_ranks():
    # NCCL src/graph/trees.cc, comment above ncclGetBtree (nranks = 14):
    # 0 → 8; 8 → 4, 12; 4 → 2, 6; 12 → 10, 13; 2 → 1, 3; 6 → 5, 7; 10 → 9, 11.
    t = binary_tree(14)
    expected = {0: (8,), 8: (4, 12), 4: (2, 6), 12: (10, 13), 2: (1, 3), 6: (5, 7), 10: (9, 11)}
    for node, kids in expected.items():
        assert t.children[node] == kids
    assert all(t.children[i] == () for i in (1, 3, 5, 7, 9, 11, 13))


def test_nccl_double_tree_illustration_for_12_ranks():
    # trees.cc, comment above ncclGetDtree (nranks = 12, mirror): second tree rooted at 11 → 3 → 1, 7 …
    _, second = double_binary_tree(12)
    assert second.parent.index(None) == 11
    assert second.children[11] == (3,) and set(second.children[3]) == {1, 7}
    assert set(second.children[7]) == {5, 9} and set(second.children[1]) == {0, 2}


@given(st.integers(1, 300))
def test_binary_tree_spans_with_depth_ceil_lg_p(p):
    t = binary_tree(p)
    assert _is_spanning_tree(t, p)
    assert t.height == (math.ceil(math.log2(p)) if p > 1 else 0)
    assert all(len(c) <= 2 for c in t.children)


@given(st.integers(3, 300))
def test_double_tree_members_have_at_most_two_children_overall(p):
    # What makes the double tree full-bandwidth (Sanders et al. 2009 §3): no member is interior in both.
    first, second = double_binary_tree(p)
    assert _is_spanning_tree(second, p)
    assert max(len(first.children[i]) + len(second.children[i]) for i in range(p)) <= 2


@pytest.mark.parametrize("p", [2, 3, 4, 5])
def test_tiny_double_trees(p):
    first, second = double_binary_tree(p)
    assert first.parent.index(None) == 0
    assert second.parent.index(None) == (1 if p % 2 else p - 1)

"""Tests for the rank-placement kata: toy worlds listed by hand, then Llama 3 405B's layout."""

import itertools
import random

import pytest

from placement import is_rail_aligned, nodes_spanned, process_groups


def test_toy_world_by_hand():
    groups = process_groups({"tp": 2, "pp": 2, "dp": 2}, ["tp", "pp", "dp"])
    assert groups["tp"] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert groups["pp"] == [[0, 2], [1, 3], [4, 6], [5, 7]]
    assert groups["dp"] == [[0, 4], [1, 5], [2, 6], [3, 7]]


def test_order_changes_who_is_contiguous():
    # Megatron-Core's tp-dp-pp puts DP inside PP: the DP group becomes the stride-2 one
    groups = process_groups({"tp": 2, "pp": 2, "dp": 2}, ["tp", "dp", "pp"])
    assert groups["dp"] == [[0, 2], [1, 3], [4, 6], [5, 7]]
    assert groups["pp"] == [[0, 4], [1, 5], [2, 6], [3, 7]]


def test_llama3_405b_layout_on_8_gpu_servers():
    # Llama 3 Table 4: TP 8, CP 1, PP 16, DP 128 on 16,384 GPUs; order [TP, CP, PP, DP] (§3.3.2)
    groups = process_groups({"tp": 8, "cp": 1, "pp": 16, "dp": 128}, ["tp", "cp", "pp", "dp"])
    assert len(groups["tp"]) == 2048 and len(groups["pp"]) == 1024 and len(groups["dp"]) == 128
    assert all(nodes_spanned(g, 8) == 1 for g in groups["tp"])          # TP = one server's NVLink
    assert groups["pp"][0] == list(range(0, 128, 8))                     # 16 consecutive servers
    assert all(is_rail_aligned(g, 8) and nodes_spanned(g, 8) == 16 for g in groups["pp"])
    assert groups["dp"][0] == list(range(0, 16384, 128))
    assert all(is_rail_aligned(g, 8) and nodes_spanned(g, 8) == 128 for g in groups["dp"])
    assert groups["cp"][5] == [5]                                         # degree 1: singleton groups


def test_tp_16_straddles_two_servers():
    groups = process_groups({"tp": 16, "dp": 4}, ["tp", "dp"])
    assert all(nodes_spanned(g, 8) == 2 for g in groups["tp"])
    assert not any(is_rail_aligned(g, 8) for g in groups["tp"])
    assert all(is_rail_aligned(g, 8) for g in groups["dp"])


def test_a_stride_that_is_not_a_multiple_of_the_server_breaks_rails():
    groups = process_groups({"tp": 4, "dp": 4}, ["tp", "dp"])  # DP stride 4 on 8-GPU servers
    assert groups["dp"][0] == [0, 4, 8, 12]
    assert not is_rail_aligned(groups["dp"][0], 8) and nodes_spanned(groups["dp"][0], 8) == 2


def test_every_rank_once_per_dimension_random_layouts():
    rng = random.Random(11)
    for _ in range(200):
        dims = ["tp", "cp", "pp", "dp", "ep"][: rng.randint(1, 5)]
        sizes = {d: rng.choice([1, 2, 3, 4]) for d in dims}
        order = dims[:]
        rng.shuffle(order)
        world = 1
        for s in sizes.values():
            world *= s
        groups = process_groups(sizes, order)
        for dim in dims:
            flat = sorted(itertools.chain.from_iterable(groups[dim]))
            assert flat == list(range(world))
            assert all(len(g) == sizes[dim] for g in groups[dim])
            assert [g[0] for g in groups[dim]] == sorted(g[0] for g in groups[dim])
            # members differ only in this dimension's coordinate
            other = [d for d in dims if d != dim]
            for g in groups[dim]:
                coords = {tuple(_coord(r, d, sizes, order) for d in other) for r in g}
                assert len(coords) == 1
                assert [_coord(r, dim, sizes, order) for r in g] == list(range(sizes[dim]))


def _coord(rank, dim, sizes, order):
    stride = 1
    for d in order[: order.index(dim)]:
        stride *= sizes[d]
    return (rank // stride) % sizes[dim]


@pytest.mark.parametrize(
    ("sizes", "order"),
    [
        ({"tp": 2, "dp": 2}, ["tp", "dp", "dp"]),       # repeated
        ({"tp": 2, "dp": 2}, ["tp"]),                   # missing
        ({"tp": 2, "dp": 2}, ["tp", "dp", "pp"]),       # unknown
        ({"tp": 0, "dp": 2}, ["tp", "dp"]),             # degree < 1
    ],
)
def test_bad_layouts_are_rejected(sizes, order):
    with pytest.raises(ValueError):
        process_groups(sizes, order)


def test_bad_server_size_is_rejected():
    with pytest.raises(ValueError):
        nodes_spanned([0, 1], 0)
    with pytest.raises(ValueError):
        is_rail_aligned([0, 1], 0)

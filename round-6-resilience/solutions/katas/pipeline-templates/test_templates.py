import random

import pytest
from templates import instantiate, split_batch


def test_the_28_node_job_of_r6_q03():
    # 28 nodes, n_min = 4 (templates of 4..7 nodes), f = 3: four pipelines of 7
    assert instantiate(28, 4, 3) == [7, 7, 7, 7]
    assert instantiate(27, 4, 3) == [7, 7, 7, 6]
    assert instantiate(25, 4, 3) == [7, 6, 6, 6]


def test_more_nodes_than_f_plus_1_templates_hold_means_more_pipelines():
    # 4 pipelines hold at most 4·7 = 28 nodes; 29 need a fifth: 29 = 6 + 6 + 6 + 6 + 5
    assert instantiate(29, 4, 3) == [6, 6, 6, 6, 5]
    # f = 0 asks for one pipeline, but 100 nodes need ⌈100/7⌉ = 15: 100 = 15·6 + 10 → ten 7s, five 6s
    assert instantiate(100, 4, 0) == [7] * 10 + [6] * 5


def test_degraded_below_f_plus_1_and_below_n_min():
    assert instantiate(11, 4, 3) == [6, 5]  # only ⌊11/4⌋ = 2 pipelines fit
    assert instantiate(4, 4, 3) == [4]
    assert instantiate(3, 4, 3) == []
    assert instantiate(0, 4, 3) == []


def test_split_batch_by_largest_remainder():
    assert split_batch([7, 7, 7, 7], 1024) == [256] * 4
    # 1024·7/27 = 265.48, 1024·6/27 = 227.56: the 6-node pipeline's remainder is largest
    assert split_batch([7, 7, 7, 6], 1024) == [266, 265, 265, 228]
    # 1024·7/25 = 286.72, 1024·6/25 = 245.76: all three 6-node pipelines round up
    assert split_batch([7, 6, 6, 6], 1024) == [286, 246, 246, 246]
    assert split_batch([7, 7, 7, 4], 1024) == [287, 287, 286, 164]


@pytest.mark.parametrize("call", [
    lambda: instantiate(10, 0, 1), lambda: instantiate(-1, 4, 1), lambda: instantiate(10, 4, -1),
    lambda: split_batch([], 10), lambda: split_batch([4, 0], 10), lambda: split_batch([4], 0),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_laws_on_random_inputs():
    rng = random.Random(6)
    for _ in range(2000):
        n_min, f = rng.randint(1, 9), rng.randint(0, 5)
        nodes = rng.randint(0, 120)
        sizes = instantiate(nodes, n_min, f)
        if nodes < n_min:
            assert sizes == []
            continue
        assert sum(sizes) == nodes
        assert all(n_min <= s <= 2 * n_min - 1 for s in sizes)
        assert sizes == sorted(sizes, reverse=True) and sizes[0] - sizes[-1] <= 1
        k = len(sizes)
        assert k >= min(f + 1, nodes // n_min)  # f + 1 replicas whenever the nodes allow
        # fewest: one pipeline fewer would either drop below f + 1 or be unable to hold every node
        assert k - 1 < f + 1 or (k - 1) * (2 * n_min - 1) < nodes
        batch = rng.randint(1, 4096)
        counts = split_batch(sizes, batch)
        assert sum(counts) == batch
        for s, c in zip(sizes, counts):
            assert abs(c - batch * s / nodes) < 1
        for i in range(k):
            for j in range(k):
                if sizes[i] > sizes[j]:
                    assert counts[i] >= counts[j]

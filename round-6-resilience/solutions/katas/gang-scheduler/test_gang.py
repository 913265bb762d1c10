import random

from gang import schedule


def test_the_classic_deadlock_cannot_happen():
    free = {"n0": 4, "n1": 4, "n2": 4}  # 12 GPUs, two jobs of 8 single-GPU workers
    got = schedule(free, [("a", 8, 1, 8), ("b", 8, 1, 8)])
    assert got == {"a": ["n0"] * 4 + ["n1"] * 4, "b": []}
    assert free == {"n0": 0, "n1": 0, "n2": 4}  # b holds nothing while it waits


def test_min_member_allows_an_elastic_start():
    free = {"n0": 8, "n1": 2}
    got = schedule(free, [("elastic", 8, 2, 4)])
    assert got == {"elastic": ["n0"] * 4 + ["n1"]} and free == {"n0": 0, "n1": 0}


def test_a_pod_never_spans_nodes():
    free = {"n0": 3, "n1": 3}
    assert schedule(free, [("wide", 1, 4, 1)]) == {"wide": []} and free == {"n0": 3, "n1": 3}


def test_random_queues_never_place_a_group_partly():
    rng = random.Random(7)
    for _ in range(300):
        free = {f"n{i}": rng.choice([2, 4, 8]) for i in range(rng.randint(1, 5))}
        before = sum(free.values())
        groups = [(f"g{j}", p, rng.choice([1, 2, 4]), rng.randint(1, p)) for j, p in
                  enumerate(rng.randint(1, 6) for _ in range(rng.randint(1, 5)))]
        got = schedule(free, groups)
        used = 0
        for name, pods, gpus, min_member in groups:
            assert got[name] == [] or min_member <= len(got[name]) <= pods
            used += gpus * len(got[name])
        assert used == before - sum(free.values()) and min(free.values()) >= 0

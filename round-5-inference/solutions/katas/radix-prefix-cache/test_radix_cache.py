import random

from radix_cache import RadixCache


def test_shared_prefixes_are_stored_once():
    cache = RadixCache()
    cache.insert((1, 2, 3, 4, 5))
    cache.insert((1, 2, 3, 9))
    cache.insert((1, 2, 3, 4, 5))  # again: nothing new
    assert cache.size() == 6  # 1 2 3 | 4 5 | 9


def test_match_is_exact_to_the_token():
    cache = RadixCache()
    cache.insert((1, 2, 3, 4, 5))
    assert cache.match_prefix((1, 2, 3, 4, 5, 6)) == 5
    assert cache.match_prefix((1, 2, 7)) == 2  # stops inside an edge
    assert cache.match_prefix((9,)) == 0
    assert cache.match_prefix(()) == 0


def test_evicts_least_recently_used_leaves_first():
    cache = RadixCache()
    cache.insert((1, 2, 3, 4))  # A
    cache.insert((1, 2, 5, 6))  # B
    cache.insert((7, 8))  # C
    cache.match_prefix((1, 2, 3, 4))  # A is now the most recent
    assert cache.evict(1) == 2  # B's leaf (5 6) goes first
    assert cache.match_prefix((1, 2, 5, 6)) == 2
    assert cache.evict(2) == 2  # then C
    assert cache.match_prefix((7, 8)) == 0
    assert cache.match_prefix((1, 2, 3, 4)) == 4
    assert cache.evict(100) == 4 and cache.size() == 0


def test_agrees_with_a_brute_force_set_of_prefixes():
    rng = random.Random(3)
    cache, stored = RadixCache(), []
    for _ in range(200):
        seq = tuple(rng.randint(0, 3) for _ in range(rng.randint(1, 8)))
        cache.insert(seq)
        stored.append(seq)
        probe = tuple(rng.randint(0, 3) for _ in range(rng.randint(0, 9)))
        best = max(next((k for k in range(min(len(s), len(probe)), -1, -1) if s[:k] == probe[:k])) for s in stored)
        assert cache.match_prefix(probe) == best

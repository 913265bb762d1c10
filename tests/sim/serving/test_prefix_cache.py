"""Prefix caches: exact LRU state on a toy pool; hash and radix agree; hits hold the right content."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.sim.serving.block_manager import BlockManager
from infraprep.sim.serving.prefix_cache import HashPrefixCache, RadixPrefixCache, make_prefix_cache


def blocks_of(tokens, bs):
    return [tuple(tokens[i : i + bs]) for i in range(0, len(tokens) // bs * bs, bs)]


def test_hash_cache_lru_state_step_by_step():
    cache = HashPrefixCache()
    bm = BlockManager(num_blocks=6, block_size=4, evictor=cache)
    a = list(range(10))  # 2 full blocks + 2 tokens
    assert bm.allocate("a", 10) and bm.tables["a"] == [0, 1, 2]
    cache.insert(blocks_of(a, 4), bm.tables["a"][:2])
    bm.free("a")  # released tail first: 2 (uncached) -> free list; 1 then 0 -> LRU queue
    assert list(cache._lru) == [1, 0] and list(bm._free) == [3, 4, 5, 2]
    b = a[:8] + [99]
    hits = cache.match(blocks_of(b, 4))
    assert hits == [0, 1]
    assert bm.allocate("b", 9, hits) and bm.tables["b"] == [0, 1, 3]
    assert list(cache._lru) == [] and bm.num_free == 3
    bm.free("b")
    assert list(cache._lru) == [1, 0] and list(bm._free) == [4, 5, 2, 3]
    assert bm.allocate("c", 24)  # 6 blocks: the 4 free ones, then evict 1 (LRU head), then 0
    assert bm.tables["c"] == [4, 5, 2, 3, 1, 0] and cache.stats.evictions == 2
    assert cache.match(blocks_of(a, 4)) == [] and len(cache) == 0
    bm.free("c")
    bm.check()


def test_duplicate_prefix_orphans_a_hash_block_but_never_a_radix_one():
    """p and q compute the shared block X concurrently (no hit for either), then diverge (Y, Z).
    q's own copy of X is not cached. The hash chain still caches Z (its parent hash is X's), under
    p's X; when p finishes first, LRU evicts Y and X in release order, leaving Z cached but
    unreachable. The radix tree stops inserting q at its copy of X (Z is never cached) and evicts
    leaves only, so X survives and still serves both prefixes."""
    for cache in (HashPrefixCache(), RadixPrefixCache()):
        bm = BlockManager(num_blocks=5, block_size=1, evictor=cache)
        assert bm.allocate("p", 2) and bm.allocate("q", 2)  # p: [0, 1], q: [2, 3]
        cache.insert(["X", "Y"], bm.tables["p"])
        cache.insert(["X", "Z"], bm.tables["q"])  # block 2 duplicates X: not cached
        bm.free("p")
        bm.free("q")
        assert bm.allocate("r", 4)  # free list [4, 2], then two evictions
        assert len(cache) == 1
        served = cache.match(["X", "Y"], record=False) + cache.match(["X", "Z"], record=False)
        assert served == ([] if cache.name == "hash" else [0, 0]), cache.name


def test_make_prefix_cache_names():
    assert make_prefix_cache("none") is None
    assert make_prefix_cache("radix").name == "radix"
    with pytest.raises(InvalidValue, match="--prefix-cache='lru'"):
        make_prefix_cache("lru")


sequences = st.lists(st.lists(st.integers(0, 2), min_size=0, max_size=14), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(inserted=sequences, queries=sequences, bs=st.integers(1, 3))
def test_radix_and_hash_agree_on_servable_prefixes(inserted, queries, bs):
    """With no eviction, both serve exactly the same full-block prefix of any query; the token-level
    radix tree (page size 1) knows the longest common prefix, of which whole blocks are servable."""
    hashed, radix, tokens = HashPrefixCache(), RadixPrefixCache(), RadixPrefixCache()
    next_block, next_slot = 0, 10_000
    for seq in inserted:
        keys = blocks_of(seq, bs)
        hit_h, hit_r = hashed.match(keys), radix.match(keys)
        assert hit_h == hit_r  # same blocks, not only the same length
        blocks = hit_h + list(range(next_block, next_block + len(keys) - len(hit_h)))
        next_block += len(keys) - len(hit_h)
        hashed.insert(keys, blocks)
        radix.insert(keys, blocks)
        reused = tokens.match(seq)  # page size 1: a slot per token, reusing the matched ones
        tokens.insert(seq, reused + list(range(next_slot, next_slot + len(seq) - len(reused))))
        next_slot += len(seq) - len(reused)
    for query in queries + inserted:
        keys = blocks_of(query, bs)
        served = hashed.match(keys)
        assert served == radix.match(keys)
        assert len(served) == len(tokens.match(query)) // bs
        longest = max((sum(1 for _ in _common(query, s)) for s in inserted), default=0)
        assert len(tokens.match(query)) == longest


def _common(a, b):
    for x, y in zip(a, b, strict=False):
        if x != y:
            return
        yield x


@settings(max_examples=100, deadline=None)
@given(prompts=st.lists(st.tuples(st.integers(0, 3), st.lists(st.integers(0, 3), max_size=9)), min_size=1, max_size=25),
       kind=st.sampled_from(["hash", "radix"]))
def test_hits_under_eviction_always_hold_the_right_tokens(prompts, kind):
    """Sequences share one of four prefixes; a small pool forces evictions. Every block a cache
    serves must physically hold the tokens asked for, and the pool stays consistent."""
    bs, cache = 2, make_prefix_cache(kind)
    bm = BlockManager(num_blocks=10, block_size=bs, evictor=cache)
    store = {}  # block -> tuple of tokens written
    live, counter = [], 0
    for base, tail in prompts:
        tokens = [base] * 4 + tail
        keys = blocks_of(tokens, bs)
        hits = cache.match(keys[: (len(tokens) - 1) // bs])
        for block, key in zip(hits, keys, strict=False):
            assert store[block] == key
        name = f"s{counter}"
        counter += 1
        while not bm.allocate(name, len(tokens), hits):
            if not live:
                pytest.fail("an empty pool could not hold one sequence")
            old, old_tokens = live.pop(0)
            cache.insert(blocks_of(old_tokens, bs), bm.tables[old])
            bm.free(old)
            hits = cache.match(keys[: (len(tokens) - 1) // bs])
        table = bm.tables[name]
        for j in range(len(hits), len(table)):
            store[table[j]] = tuple(tokens[j * bs : (j + 1) * bs])
        live.append((name, tokens))
        bm.check()
    for name, tokens in live:
        cache.insert(blocks_of(tokens, bs), bm.tables[name])
        bm.free(name)
    bm.check()
    assert bm.num_free == 10

"""The KV block-table diagram's scenario: exact block ids after each step of a real BlockManager run.

Expected states are derived by hand from the BlockManager's rules (FIFO free list 0..9, ⌈tokens/4⌉
blocks per table, copy-on-write of a shared, partly filled last block, tail-first release, cached
blocks kept at refcount 0), as vLLM's tests/v1/core/test_prefix_caching.py does for its pool.
"""

from infraprep.diagrams.kv_block_tables import BLOCK_SIZE, NUM_BLOCKS, scenario


def test_every_step_has_the_hand_derived_block_ids():
    hit, fork, cow, done = scenario()
    # A: 10 tokens -> blocks 0,1,2; C: 9 tokens, 2 cached full blocks + 1 new (the next free: 3)
    assert hit.tables == {"A": [0, 1, 2], "C": [0, 1, 3]}
    assert hit.refcount == [2, 2, 1, 1] + [0] * 6
    assert hit.cached == {0, 1} and hit.copies == []
    # fork: B shares A's three blocks
    assert fork.tables["B"] == [0, 1, 2] and fork.refcount[:4] == [3, 3, 2, 1]
    # B's 11th token: block 2 holds 2 of 4 slots and is shared -> copied to 4 (next free); A writes in place
    assert cow.tables == {"A": [0, 1, 2], "C": [0, 1, 3], "B": [0, 1, 4]}
    assert cow.copies == [(2, 4)] and cow.refcount[:5] == [3, 3, 1, 1, 1]
    assert cow.slots == {"A": 11, "C": 9, "B": 11}
    # everything released: nothing referenced, the prefix blocks still served by the cache
    assert done.tables == {} and done.refcount == [0] * NUM_BLOCKS and done.cached == {0, 1}


def test_refcounts_equal_table_entries_in_every_snapshot():
    for snap in scenario():
        entries = [b for table in snap.tables.values() for b in table]
        assert snap.refcount == [entries.count(b) for b in range(NUM_BLOCKS)], snap.title
        for seq, table in snap.tables.items():
            assert len(table) == -(-snap.slots[seq] // BLOCK_SIZE)


def test_fill_shows_written_slots():
    hit, _, cow, done = scenario()
    assert [hit.fill(b) for b in range(5)] == [4, 4, 2, 1, 0]  # A's 10 tokens: 4+4+2; C's 9th token in block 3
    assert cow.fill(2) == 3 and cow.fill(4) == 3  # A wrote in place; B's copy holds the 2 copied + its new token
    assert done.fill(0) == BLOCK_SIZE and done.fill(2) == 0  # cached blocks stay full; free ones are empty

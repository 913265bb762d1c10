import random

from block_manager import BlockManager


def test_allocate_exact_blocks_and_all_or_nothing():
    bm = BlockManager(num_blocks=6, block_size=4)
    assert bm.allocate("a", 9)  # 3 blocks
    assert bm.block_table("a") == [0, 1, 2] and bm.num_free() == 3
    assert not bm.allocate("b", 13)  # needs 4: nothing taken
    assert bm.num_free() == 3
    assert bm.allocate("b", 12) and bm.block_table("b") == [3, 4, 5]


def test_append_opens_a_block_only_when_full():
    bm = BlockManager(4, 4)
    bm.allocate("a", 3)
    assert bm.append("a") and bm.block_table("a") == [0]  # 4th token fits
    assert bm.append("a") and bm.block_table("a") == [0, 1]  # 5th opens block 1
    bm.allocate("b", 8)
    assert bm.num_free() == 0
    for _ in range(3):
        assert bm.append("a")
    assert not bm.append("a")  # full and no free block
    assert bm.block_table("a") == [0, 1]


def test_fork_shares_then_copy_on_write():
    bm = BlockManager(8, 4)
    bm.allocate("p", 6)  # blocks 0, 1 (last half full)
    bm.fork("p", "c")
    assert bm.ref_count(0) == bm.ref_count(1) == 2 and bm.num_free() == 6
    assert bm.append("c")  # last block shared: copy it
    assert bm.block_table("c") == [0, 2] and bm.copies == [(1, 2)]
    assert bm.ref_count(1) == 1 and bm.ref_count(2) == 1 and bm.ref_count(0) == 2
    assert bm.append("p") and bm.block_table("p") == [0, 1]  # no longer shared: no copy
    bm.free("p")
    assert bm.ref_count(0) == 1 and bm.num_free() == 6
    bm.free("c")
    assert bm.num_free() == 8


def test_random_operations_keep_the_pool_consistent():
    rng = random.Random(0)
    bm = BlockManager(32, 4)
    live = []
    for step in range(2000):
        op = rng.random()
        if op < 0.3:
            if bm.allocate(f"s{step}", rng.randint(1, 12)):
                live.append(f"s{step}")
        elif op < 0.5 and live:
            child = f"f{step}"
            bm.fork(rng.choice(live), child)
            live.append(child)
        elif op < 0.8 and live:
            bm.append(rng.choice(live))
        elif live:
            bm.free(live.pop(rng.randrange(len(live))))
        owners = [b for s in live for b in bm.block_table(s)]
        for block in range(32):
            assert bm.ref_count(block) == owners.count(block)  # counts balance
        assert sorted(set(owners) | set(bm.free_blocks)) == list(range(32))  # never lost
        assert not set(owners) & set(bm.free_blocks)  # never double-allocated
    for seq in live:
        bm.free(seq)
    assert bm.num_free() == 32

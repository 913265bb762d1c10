"""BlockManager: exact block ids on a toy pool, and hypothesis laws over random operation sequences."""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from infraprep.errors import InvalidValue
from infraprep.sim.serving.block_manager import BlockManager, blocks_for


def test_toy_pool_block_ids_step_by_step():
    bm = BlockManager(num_blocks=6, block_size=4, num_cpu_blocks=4)
    assert bm.allocate("a", 6)  # 6 slots -> 2 blocks, FIFO from the free list
    assert bm.tables["a"] == [0, 1]
    assert bm.append_slots("a", 2) == []  # slots 6, 7 fit in block 1
    assert bm.tables["a"] == [0, 1]
    assert bm.append_slots("a", 1) == []  # slot 8 opens block 2
    assert bm.tables["a"] == [0, 1, 2]
    bm.fork("a", "b")
    assert bm.refcount[:3] == [2, 2, 2]
    # b writes slot 9, inside the shared, partly filled block 2: copy-on-write to block 3
    assert bm.append_slots("b", 1) == [(2, 3)]
    assert bm.tables == {"a": [0, 1, 2], "b": [0, 1, 3]}
    assert bm.refcount[:4] == [2, 2, 1, 1]
    # a's block 2 is private again: no copy
    assert bm.append_slots("a", 1) == []
    assert not bm.allocate("c", 12)  # needs 3 blocks, only 2 free: nothing changes
    assert bm.num_free == 2 and "c" not in bm.tables
    assert bm.append_slots("a", 12) is None  # needs 3 more blocks
    assert bm.swap_out("b") == [(0, 0), (1, 1), (3, 2)]
    assert bm.refcount[:4] == [1, 1, 1, 0] and bm.num_free == 3
    bm.free("a")
    assert bm.num_free == 6
    assert bm.swap_in("b") == [(0, 4), (1, 5), (2, 3)]  # free list order: 4, 5, then 3, 2, 1, 0 (tail first)
    bm.free("b")
    bm.check()
    assert bm.num_free == 6 and bm.num_cpu_free == 4


def test_bad_pool_sizes_name_the_value():
    with pytest.raises(InvalidValue, match="--block-size=0"):
        BlockManager(4, 0)


class PagedMemory(RuleBasedStateMachine):
    """Random allocate/append/fork/free/swap against a shadow of every sequence's logical contents.

    Writes go through the block tables into a simulated physical store, copies (CoW, swap) are
    applied as the manager returns them, and every sequence must read back exactly what it wrote.
    """

    def __init__(self):
        super().__init__()
        self.bm = BlockManager(num_blocks=12, block_size=3, num_cpu_blocks=6)
        self.gpu, self.cpu = {}, {}  # (block, offset) -> value
        self.logical = {}  # seq -> values written, in slot order
        self.counter = 0
        self.names = 0

    def _write(self, seq, n):
        table, start = self.bm.tables[seq], len(self.logical[seq])
        for slot in range(start, start + n):
            self.counter += 1
            self.gpu[(table[slot // 3], slot % 3)] = self.counter
            self.logical[seq].append(self.counter)

    def _copy(self, copies, src_store, dst_store):
        for src, dst in copies:
            for off in range(3):
                if (src, off) in src_store:
                    dst_store[(dst, off)] = src_store[(src, off)]

    @rule(n=st.integers(1, 10))
    def allocate(self, n):
        self.names += 1
        seq = f"s{self.names}"
        free = self.bm.num_free
        if self.bm.allocate(seq, n):
            self.logical[seq] = []
            self._write(seq, n)
        else:
            assert blocks_for(n, 3) > free

    @precondition(lambda self: self.bm.tables)
    @rule(data=st.data(), n=st.integers(1, 7))
    def append(self, data, n):
        seq = data.draw(st.sampled_from(sorted(self.bm.tables)))
        copies = self.bm.append_slots(seq, n)
        if copies is not None:
            self._copy(copies, self.gpu, self.gpu)
            self._write(seq, n)

    @precondition(lambda self: self.bm.tables)
    @rule(data=st.data())
    def fork(self, data):
        parent = data.draw(st.sampled_from(sorted(self.bm.tables)))
        self.names += 1
        child = f"s{self.names}"
        self.bm.fork(parent, child)
        self.logical[child] = list(self.logical[parent])

    @precondition(lambda self: self.logical)
    @rule(data=st.data())
    def free(self, data):
        seq = data.draw(st.sampled_from(sorted(self.logical)))
        self.bm.free(seq)
        del self.logical[seq]

    @precondition(lambda self: self.bm.tables)
    @rule(data=st.data())
    def swap_out(self, data):
        seq = data.draw(st.sampled_from(sorted(self.bm.tables)))
        copies = self.bm.swap_out(seq)
        if copies is not None:
            self._copy(copies, self.gpu, self.cpu)

    @precondition(lambda self: self.bm.swapped)
    @rule(data=st.data())
    def swap_in(self, data):
        seq = data.draw(st.sampled_from(sorted(self.bm.swapped)))
        copies = self.bm.swap_in(seq)
        if copies is not None:
            self._copy(copies, self.cpu, self.gpu)

    @invariant()
    def pool_is_consistent(self):
        self.bm.check()  # never double-allocates; refcounts equal table references

    @invariant()
    def every_sequence_reads_back_its_own_writes(self):
        for seq, values in self.logical.items():
            if seq in self.bm.swapped:
                continue
            table = self.bm.tables[seq]
            assert [self.gpu[(table[s // 3], s % 3)] for s in range(len(values))] == values, seq

    def teardown(self):
        for seq in list(self.logical):
            self.bm.free(seq)
        self.bm.check()
        assert self.bm.num_free == 12 and self.bm.num_cpu_free == 6  # freeing everything restores the pool
        assert sorted(self.bm._free) == list(range(12)) and all(c == 0 for c in self.bm.refcount)


TestPagedMemory = PagedMemory.TestCase
TestPagedMemory.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)

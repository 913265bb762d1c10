"""The block manager: physical KV blocks, their reference counts and every sequence's block table.

PagedAttention (Kwon et al. 2023, §4.2) splits a sequence's KV cache into fixed-size *blocks* of
``block_size`` token slots; a per-sequence *block table* maps logical block ``j`` (tokens
``j·B … j·B+B−1``) to a physical block anywhere in the pool::

    seq 7   logical:  [ 0 ][ 1 ][ 2 ]          physical pool (B = 4)
            table:      5    0    3     ──►     0:[t4 t5 t6 t7]  3:[t8 t9 ·  · ]  5:[t0 t1 t2 t3]

This class owns the pool and nothing else (vLLM v1 ``block_pool.py``): which blocks are free, how many
tables point at each block, and the tables. Which cached blocks to keep and which to evict belongs to
an :class:`Evictor` (the prefix cache); who runs and who is preempted belongs to the scheduler.

Invariants (checked by :meth:`check`, exercised by hypothesis in the tests):

* a block is in exactly one of: the free list, the evictor (cached, refcount 0), or use (refcount ≥ 1);
* ``refcount[b]`` equals the number of table entries, over all sequences, that hold ``b``;
* ``len(table) == ceil(slots / block_size)`` for every sequence.

"No room" is a return value (``None``/``False``), never an exception: the scheduler decides whom to
preempt. Every allocating call is atomic — it either succeeds fully or changes nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from typing import Protocol

from infraprep.errors import InvalidValue

__all__ = ["BlockManager", "Evictor", "blocks_for"]


def blocks_for(slots: int, block_size: int) -> int:
    """Blocks needed for ``slots`` token slots: ⌈slots / block_size⌉."""
    return -(-slots // block_size)


class Evictor(Protocol):
    """What the block manager asks of a prefix cache (see ``prefix_cache.py``)."""

    @property
    def num_evictable(self) -> int: ...

    def released(self, block: int) -> bool:
        """A block's refcount fell to 0: True if the cache keeps it (evictable), False to free it."""

    def acquired(self, block: int) -> None:
        """A cached block with refcount 0 is in use again: it is no longer evictable."""

    def evict(self) -> int | None:
        """Forget one evictable block and hand it back (the cache's eviction order), or None."""


class BlockManager:
    """A pool of ``num_blocks`` GPU blocks (and ``num_cpu_blocks`` for swapping) of ``block_size`` slots.

    Free blocks are handed out in FIFO order of release (``deque``: O(1) at both ends), so a test can
    predict block ids exactly. With an ``evictor``, blocks whose refcount falls to 0 may stay cached
    and are reclaimed only when the free list is empty.
    """

    def __init__(self, num_blocks: int, block_size: int, num_cpu_blocks: int = 0, evictor: Evictor | None = None):
        if num_blocks < 1:
            raise InvalidValue("num_blocks", num_blocks, "a positive block count")
        if block_size < 1:
            raise InvalidValue("--block-size", block_size, "a positive number of token slots")
        if num_cpu_blocks < 0:
            raise InvalidValue("num_cpu_blocks", num_cpu_blocks, "≥ 0")
        self.num_blocks, self.block_size, self.num_cpu_blocks = num_blocks, block_size, num_cpu_blocks
        self.evictor = evictor
        self.refcount = [0] * num_blocks
        self._free: deque[int] = deque(range(num_blocks))
        self._cpu_free: deque[int] = deque(range(num_cpu_blocks))
        self.tables: dict[Hashable, list[int]] = {}
        self.slots: dict[Hashable, int] = {}
        self.swapped: dict[Hashable, tuple[list[int], int]] = {}  # seq -> (cpu blocks, slots)

    # -- pool state ------------------------------------------------------------------------------
    @property
    def num_free(self) -> int:
        """Blocks obtainable now: the free list plus cached blocks that may be evicted."""
        return len(self._free) + (self.evictor.num_evictable if self.evictor is not None else 0)

    @property
    def num_used(self) -> int:
        """Blocks with refcount ≥ 1."""
        return self.num_blocks - len(self._free) - (self.evictor.num_evictable if self.evictor is not None else 0)

    @property
    def num_cpu_free(self) -> int:
        return len(self._cpu_free)

    def _take(self) -> int:
        if self._free:
            block = self._free.popleft()
        else:
            block = self.evictor.evict() if self.evictor is not None else None
            if block is None:  # callers check num_free first; reaching here is a bug, not user input
                raise RuntimeError("block pool exhausted after a successful capacity check")
        self.refcount[block] = 1
        return block

    def _acquire(self, block: int) -> None:
        if self.refcount[block] == 0 and self.evictor is not None:
            self.evictor.acquired(block)
        self.refcount[block] += 1

    def _release(self, block: int) -> None:
        self.refcount[block] -= 1
        if self.refcount[block] == 0 and not (self.evictor is not None and self.evictor.released(block)):
            self._free.append(block)

    # -- sequences -------------------------------------------------------------------------------
    def allocate(self, seq: Hashable, slots: int, cached: Iterable[int] = ()) -> bool:
        """Give a new sequence a table for ``slots`` token slots, starting with the ``cached`` blocks.

        ``cached`` are full blocks found by the prefix cache (they count as ``len(cached)·block_size``
        slots and are shared, refcount + 1). Returns False, changing nothing, when the pool is short.
        """
        if seq in self.tables or seq in self.swapped:
            raise ValueError(f"sequence {seq!r} already has blocks")
        cached = list(cached)
        slots = max(slots, len(cached) * self.block_size)
        new = blocks_for(slots, self.block_size) - len(cached)
        reviving = sum(1 for b in cached if self.refcount[b] == 0)  # evictable now, not once acquired
        if new > self.num_free - reviving:
            return False
        for block in cached:
            self._acquire(block)
        self.tables[seq] = cached + self._take_many(new)
        self.slots[seq] = slots
        return True

    def _take_many(self, n: int) -> list[int]:
        free = self._free
        if n > len(free):
            return [self._take() for _ in range(n)]
        taken = [free.popleft() for _ in range(n)]  # the common case, without a call per block
        refcount = self.refcount
        for block in taken:
            refcount[block] = 1
        return taken

    def append_slots(self, seq: Hashable, n: int) -> list[tuple[int, int]] | None:
        """Reserve ``n`` more slots for ``seq``; returns the copy-on-write copies ``[(src, dst)]``.

        Copy-on-write (Kwon et al. §4.4, parallel sampling): if the next slot falls in a partly filled
        last block that another table shares (refcount > 1), that block is first copied to a fresh
        one, so the writer never disturbs the other sequence. None (nothing changed) when short.
        """
        table, used = self.tables[seq], self.slots[seq]
        bs = self.block_size
        if used % bs == 0 and n <= bs and self._free:  # fast path: exactly one fresh block, no CoW possible
            block = self._free.popleft()
            self.refcount[block] = 1
            table.append(block)
            self.slots[seq] = used + n
            return []
        cow = used % bs != 0 and self.refcount[table[-1]] > 1
        new = -(-(used + n) // self.block_size) - len(table)
        if new + cow > len(self._free) and new + cow > self.num_free:
            return None
        copies = []
        if cow:
            src, dst = table[-1], self._take()
            self._release(src)
            table[-1] = dst
            copies.append((src, dst))
        if new:
            table.extend(self._take_many(new))
        self.slots[seq] = used + n
        return copies

    def fork(self, parent: Hashable, child: Hashable) -> None:
        """``child`` shares every block of ``parent`` (refcount + 1 each); writes then copy on demand."""
        if child in self.tables:
            raise ValueError(f"sequence {child!r} already has blocks")
        table = self.tables[parent]
        for block in table:
            self._acquire(block)
        self.tables[child] = list(table)
        self.slots[child] = self.slots[parent]

    def free(self, seq: Hashable) -> None:
        """Drop ``seq``'s table. Blocks are released tail first, so a prefix cache evicts a
        sequence's last blocks before its (more shareable) first ones (vLLM v1 ordering)."""
        if seq in self.swapped:
            cpu, _ = self.swapped.pop(seq)
            self._cpu_free.extend(cpu)
            return
        refcount, evictor, free = self.refcount, self.evictor, self._free
        for block in reversed(self.tables.pop(seq)):  # _release, inlined: this runs for every block
            count = refcount[block] - 1
            refcount[block] = count
            if count == 0 and (evictor is None or not evictor.released(block)):
                free.append(block)
        del self.slots[seq]

    # -- preemption by swapping -----------------------------------------------------------------
    def swap_out(self, seq: Hashable) -> list[tuple[int, int]] | None:
        """Move ``seq``'s blocks to CPU blocks; returns the copies ``[(gpu, cpu)]``, None if CPU is full.

        Shared blocks are copied too (the other holders keep theirs); after a swap-in the sequence's
        blocks are private.
        """
        table = self.tables[seq]
        if len(table) > len(self._cpu_free):
            return None
        cpu = [self._cpu_free.popleft() for _ in table]
        self.swapped[seq] = (cpu, self.slots.pop(seq))
        for block in reversed(self.tables.pop(seq)):
            self._release(block)
        return list(zip(table, cpu, strict=True))

    def can_swap_in(self, seq: Hashable) -> bool:
        return len(self.swapped[seq][0]) <= self.num_free

    def swap_in(self, seq: Hashable) -> list[tuple[int, int]] | None:
        """Bring ``seq`` back to fresh GPU blocks; returns the copies ``[(cpu, gpu)]``, None if short."""
        if not self.can_swap_in(seq):
            return None
        cpu, slots = self.swapped.pop(seq)
        gpu = [self._take() for _ in cpu]
        self._cpu_free.extend(cpu)
        self.tables[seq], self.slots[seq] = gpu, slots
        return list(zip(cpu, gpu, strict=True))

    # -- invariants ------------------------------------------------------------------------------
    def check(self) -> None:
        """Assert the class invariants (for tests; O(pool + tables))."""
        counts = [0] * self.num_blocks
        for seq, table in self.tables.items():
            assert len(table) == blocks_for(self.slots[seq], self.block_size), (seq, table, self.slots[seq])
            for block in table:
                counts[block] += 1
        assert counts == self.refcount, "refcounts do not match the tables"
        free = set(self._free)
        assert len(free) == len(self._free), "a block is on the free list twice"
        assert all(self.refcount[b] == 0 for b in free), "a block in use is on the free list"
        evictable = self.evictor.num_evictable if self.evictor is not None else 0
        in_use = sum(1 for c in counts if c)
        assert len(free) + evictable + in_use == self.num_blocks, "blocks leaked or double-counted"
        cpu = [b for blocks, _ in self.swapped.values() for b in blocks] + list(self._cpu_free)
        assert sorted(cpu) == list(range(self.num_cpu_blocks)), "CPU blocks leaked or double-allocated"

"""PagedAttention next to OS virtual memory: the correspondence, where it breaks, and a walkthrough.

Kwon et al. 2023 (§4, §4.2, §4.4) build the KV cache manager on the OS analogy: blocks are pages,
tokens are bytes, sequences are processes. :data:`MAPPING` lists each correspondence with where it
stops holding; :func:`walkthrough` runs the real :class:`~infraprep.sim.serving.BlockManager` through
allocate, grow, fork, copy-on-write, swap and a shared prefix, recording the block tables and reference
counts after every step — the page-table states a candidate draws on the whiteboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.sim.serving import BlockManager, HashPrefixCache

__all__ = ["MAPPING", "Step", "walkthrough"]

# (serving concept, OS concept, what carries over, where the analogy breaks)
MAPPING: list[tuple[str, str, str, str]] = [
    ("block table (per sequence)", "page table (per process)",
     "logical block j → physical block, so a sequence's KV need not be contiguous",
     "a flat list read by the attention kernel, not a multi-level radix table walked by an MMU"),
    ("KV block (B token slots)", "page frame",
     "fixed-size unit of allocation; no external fragmentation, waste ≤ one block per sequence",
     "B is chosen per deployment (16 tokens ≈ tens–hundreds of KB), not fixed by hardware"),
    ("physical block id", "physical frame number", "the indirection target", "indexes one GPU's KV pool tensor, not RAM"),
    ("allocate on demand as tokens are generated", "demand paging", "memory is committed only when written",
     "no page faults: the scheduler allocates before the step, and 'no room' preempts a sequence"),
    ("fork for parallel sampling / beam search, refcount + 1", "fork() sharing pages",
     "children share the parent's blocks until they write", "sharing is decided by the serving engine, not by the kernel"),
    ("copy-on-write of a shared partial block", "copy-on-write page fault",
     "the first writer copies the block, then writes privately", "the copy is an explicit block copy before the kernel runs, not a trap"),
    ("swap blocks to CPU memory on preemption", "swapping pages to disk",
     "evict whole units to slower memory and bring them back", "a whole sequence swaps at once (all or nothing); recompute is often cheaper"),
    ("shared prefix blocks (prefix caching)", "shared libraries / page cache",
     "one physical copy serves many address spaces", "sharing is found by hashing content (or a radix tree), not by file identity"),
    ("LRU eviction of cached free blocks", "page replacement (LRU/CLOCK)", "recency decides what to drop",
     "only unreferenced blocks are evictable; a running sequence's blocks are pinned"),
    ("gather through the block table inside the attention kernel", "TLB + MMU translation",
     "address translation on every access", "no TLB, no hardware walker: the kernel does the indirection itself, per block"),
]


@dataclass(frozen=True)
class Step:
    """What happened, and the manager's state after it."""

    action: str
    tables: dict[str, list[int]]
    refcounts: dict[int, int]
    free: int
    copies: list[tuple[int, int]]

    def to_dict(self) -> dict:
        return {"action": self.action, "tables": self.tables, "refcounts": {str(k): v for k, v in self.refcounts.items()},
                "free_blocks": self.free, "copies": self.copies}


def walkthrough(block_size: int = 4) -> list[Step]:
    """Allocate, grow, fork, copy-on-write, share a prefix, swap out and in, free — on an 8-block pool."""
    cache = HashPrefixCache()
    bm = BlockManager(num_blocks=8, block_size=block_size, num_cpu_blocks=4, evictor=cache)
    steps: list[Step] = []

    def record(action: str, copies=()) -> None:
        used = {b: c for b, c in enumerate(bm.refcount) if c}
        steps.append(Step(action, {str(k): list(v) for k, v in bm.tables.items()}, used, bm.num_free, list(copies)))

    bs = block_size
    bm.allocate("A", bs + 2)
    record(f"A: prompt of {bs + 2} tokens → 2 blocks (the 2nd half full)")
    record(f"A: {bs - 2} more tokens fill its block in place", bm.append_slots("A", bs - 2))
    record("A: one more token opens a 3rd block", bm.append_slots("A", 1))
    bm.fork("A", "B")
    record("fork A → B (parallel sampling): B shares all 3 blocks, refcounts 2")
    record("B writes its next token: the shared, partly filled last block is copied first", bm.append_slots("B", 1))
    record("A writes its next token: its last block is private again, no copy", bm.append_slots("A", 1))
    prompt_blocks = [("sys", 0), ("sys", 1)]
    cache.insert(prompt_blocks, bm.tables["A"][:2])
    hits = cache.match(prompt_blocks)
    bm.allocate("C", 2 * bs + 1, hits)
    record(f"C's prompt starts with A's first {2 * bs} tokens: the prefix cache maps them to A's blocks")
    record("swap out B (preemption): its blocks move to CPU, shared ones stay for A", bm.swap_out("B"))
    record("swap B back in: fresh GPU blocks, private copies", bm.swap_in("B"))
    for seq in ("A", "B", "C"):
        bm.free(seq)
    record("free A, B, C: cached prefix blocks stay evictable, the rest return to the free list")
    return steps

"""KV block tables drawn from a real run of the serving core's :class:`BlockManager` (round 5).

Four snapshots of one scenario (PagedAttention, Kwon et al. 2023, §4.2–4.4), block size 4, a pool of
10 physical blocks and a hash-chained prefix cache (vLLM automatic prefix caching)::

    1. A (10 tokens) is prefilled; its 2 full blocks are registered in the prefix cache. C's prompt
       starts with the same 8 tokens: the cache hits, C's table begins with A's blocks (refcount 2).
    2. fork A → B (parallel sampling): B shares all of A's blocks.
    3. B writes token 11 into the shared, partly filled last block: copy-on-write to a fresh block.
       A then writes its token 11 in place (its last block is private again).
    4. A, C and B finish (tables released tail first): the cached prefix blocks stay at refcount 0,
       evictable but still matchable; every other block is back on the free list.

:func:`scenario` returns the snapshots (what the test checks block by block); :func:`draw` renders
them: each sequence's logical blocks on top, the physical pool below, an arrow per block-table entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infraprep.diagrams import diagram, figure, save
from infraprep.sim.serving import BlockManager, HashPrefixCache

__all__ = ["Snapshot", "scenario"]

BLOCK_SIZE = 4
NUM_BLOCKS = 10
_PROMPT_A = tuple(range(100, 110))  # 10 tokens: blocks [100..103] [104..107] [108 109]
_PROMPT_C = _PROMPT_A[:8] + (200,)  # shares A's first 8 tokens (2 full blocks), then diverges


@dataclass(frozen=True)
class Snapshot:
    """The manager's state after one step: tables, tokens per sequence, refcounts, cached blocks."""

    title: str
    tables: dict[str, list[int]]
    slots: dict[str, int]
    refcount: list[int]
    cached: frozenset[int]  # blocks the prefix cache can serve (any refcount)
    copies: list[tuple[int, int]]

    def fill(self, block: int) -> int:
        """Token slots written in ``block``: the most any table holding it has written (shared blocks
        hold the same tokens); a cached block is full; a free block holds nothing."""
        written = [min(BLOCK_SIZE, self.slots[s] - j * BLOCK_SIZE)
                   for s, table in self.tables.items() for j, b in enumerate(table) if b == block]
        if written:
            return max(written)
        return BLOCK_SIZE if block in self.cached else 0


def _keys(tokens: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The prefix-cache key of each full block: its tokens."""
    full = len(tokens) // BLOCK_SIZE
    return [tokens[j * BLOCK_SIZE:(j + 1) * BLOCK_SIZE] for j in range(full)]


def scenario() -> list[Snapshot]:
    """Run the four steps of the module docstring on a real BlockManager and snapshot each."""
    cache = HashPrefixCache()
    bm = BlockManager(num_blocks=NUM_BLOCKS, block_size=BLOCK_SIZE, evictor=cache)
    snapshots: list[Snapshot] = []

    def snap(title: str, copies=()) -> None:
        cached = frozenset(cache.match(_keys(_PROMPT_A), record=False))
        snapshots.append(Snapshot(title, {s: list(t) for s, t in bm.tables.items()}, dict(bm.slots),
                                  list(bm.refcount), cached, list(copies)))

    bm.allocate("A", len(_PROMPT_A))
    cache.insert(_keys(_PROMPT_A), bm.tables["A"])  # the engine registers full blocks after prefill
    hits = cache.match(_keys(_PROMPT_C))
    bm.allocate("C", len(_PROMPT_C), hits)
    snap("1. prefix-cache hit: C's first 8 tokens are A's, so C maps A's 2 full blocks (refcount 2)")
    bm.fork("A", "B")
    snap("2. fork A → B (parallel sampling): B shares all 3 of A's blocks, refcounts + 1")
    copies = bm.append_slots("B", 1)
    copies += bm.append_slots("A", 1)
    snap("3. copy-on-write: B's token 11 lands in shared, partly filled block 2, which is copied first;"
         " A then writes in place", copies)
    for seq in ("A", "C", "B"):
        bm.free(seq)
    snap("4. all finish: cached prefix blocks stay at refcount 0 (evictable, still matchable);"
         " the rest are free")
    return snapshots


_COLORS = {"free": "#f2f2f2", "private": "#9ecae1", "shared": "#fdae6b", "cached": "#a1d99b"}
_SEQ_ORDER = ("A", "B", "C")


def _state(snapshot: Snapshot, block: int) -> str:
    count = snapshot.refcount[block]
    if count >= 2:
        return "shared"
    if count == 1:
        return "private"
    return "cached" if block in snapshot.cached else "free"


def _block(ax, x: float, y: float, filled: int, color: str, label: str) -> None:
    """A block of BLOCK_SIZE slots at (x, y): filled slots dark, empty ones light."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 1.0, 0.7, facecolor=color, edgecolor="#333333", linewidth=0.8))
    for k in range(BLOCK_SIZE):
        ax.add_patch(Rectangle((x + 0.1 + k * 0.2, y + 0.1), 0.16, 0.22,
                               facecolor="#333333" if k < filled else "white", edgecolor="#666666", linewidth=0.4))
    ax.text(x + 0.5, y + 0.52, label, ha="center", va="center", fontsize=7)


def _panel(ax, snapshot: Snapshot) -> None:
    pool_y, seq_y = 0.0, 1.9
    seqs = [s for s in _SEQ_ORDER if s in snapshot.tables]
    anchors: dict[int, float] = {}
    for i in range(NUM_BLOCKS):  # the physical pool, block i at x = 1.15·i
        x = 1.15 * i
        anchors[i] = x + 0.5
        _block(ax, x, pool_y, snapshot.fill(i), _COLORS[_state(snapshot, i)], f"#{i}")
        ax.text(x + 0.5, pool_y - 0.2, f"rc {snapshot.refcount[i]}", ha="center", va="center", fontsize=6.5)
    ax.text(-0.3, pool_y + 0.35, "physical\nKV pool", ha="right", va="center", fontsize=7)
    x = 0.0
    for seq in seqs:  # each sequence's logical blocks, side by side above the pool
        table = snapshot.tables[seq]
        ax.text(x, seq_y + 0.95, f"{seq}: {snapshot.slots[seq]} tokens, table {table}", fontsize=7, ha="left")
        for j, block in enumerate(table):
            filled = min(BLOCK_SIZE, snapshot.slots[seq] - j * BLOCK_SIZE)
            _block(ax, x, seq_y, filled, "white", f"L{j}")
            ax.annotate("", xy=(anchors[block], pool_y + 0.72), xytext=(x + 0.5, seq_y - 0.02),
                        arrowprops={"arrowstyle": "->", "color": "#555555", "linewidth": 0.7})
            x += 1.15
        x += 0.6
    if not seqs:
        ax.text(0.0, seq_y + 0.35, "no sequences: every block table released", fontsize=7, ha="left")
    for src, dst in snapshot.copies:
        ax.annotate("copy", xy=(anchors[dst], pool_y - 0.35), xytext=(anchors[src], pool_y - 0.35),
                    fontsize=7, ha="center", va="top", color="#d62728",
                    arrowprops={"arrowstyle": "->", "color": "#d62728", "connectionstyle": "arc3,rad=0.35"})
    ax.set_title(snapshot.title, fontsize=8, loc="left")
    ax.set_xlim(-1.6, 1.15 * NUM_BLOCKS + 0.2)
    ax.set_ylim(-1.0, seq_y + 1.2)
    ax.set_axis_off()


@diagram("kv-block-tables", 5, "Block tables of a real BlockManager run: shared prefix, fork, copy-on-write, release")
def draw(path: Path) -> None:
    from matplotlib.patches import Patch

    snapshots = scenario()
    fig = figure(9, 2.1 * len(snapshots) + 0.5)
    axes = fig.subplots(len(snapshots), 1)
    for ax, snapshot in zip(axes, snapshots, strict=True):
        _panel(ax, snapshot)
    legend = [Patch(facecolor=c, edgecolor="#333333", label=name) for name, c in
              (("free", _COLORS["free"]), ("refcount 1", _COLORS["private"]), ("shared, refcount ≥ 2", _COLORS["shared"]),
               ("cached, refcount 0 (evictable)", _COLORS["cached"]))]
    fig.legend(handles=legend, loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.suptitle(f"PagedAttention block tables (block size {BLOCK_SIZE}; dark squares = written token slots)",
                 fontsize=9)
    save(fig, path)

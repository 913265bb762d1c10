"""Tree all-reduce: NCCL's binary tree and double binary tree, pipelined in chunks.

The binary tree is the in-order tree NCCL builds (``ncclGetBtree``): member 0 is the root with one
child, a member's parent and children follow from its lowest set bit, and the depth is ⌈lg p⌉::

    0 ── 4            p = 7:  0 → 4;  4 → 2, 6;  2 → 1, 3;  6 → 5
        ├─ 2 ─ 1, 3
        └─ 6 ─ 5

A single tree wastes half the bandwidth: leaves only send, interior members send and receive twice.
The double binary tree (Sanders, Speck & Träff 2009, Parallel Computing 35(12), §3; NCCL 2.4) adds a
second tree — the mirror image (p even) or the tree shifted by one (p odd) — so that every member is
a leaf in at least one tree; each tree carries half the buffer.

Schedule: the buffer half of each tree is cut into k chunks and moved in globally numbered *rounds*,
one batched exchange per round, so the pipeline cannot deadlock on gloo or nccl: with D the tree's
depth and d a member's depth, in reduce round r a member receives chunk r − (D − d) from its children
(adding it in) and sends chunk r − (D − d) − 1 up; in broadcast round r it receives chunk r − d + 1
from its parent and sends chunk r − d down. Every message is matched inside one round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infraprep.labs.collectives._p2p import chunk_bounds, exchange, member_index, wait_all

__all__ = ["Tree", "binary_tree", "btree_allreduce", "double_binary_tree", "dtree_allreduce"]

DEFAULT_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Tree:
    """A spanning tree over member indices 0..p−1: ``parent[i]`` (None at the root) and ``children[i]``."""

    parent: tuple[int | None, ...]
    children: tuple[tuple[int, ...], ...]

    def depth(self, i: int) -> int:
        d = 0
        while self.parent[i] is not None:
            i, d = self.parent[i], d + 1
        return d

    @property
    def height(self) -> int:
        return max(self.depth(i) for i in range(len(self.parent)))


def _btree_links(p: int, i: int) -> tuple[int | None, list[int]]:
    if i == 0:
        top = 1
        while top < p:
            top <<= 1
        return None, ([top >> 1] if p > 1 else [])
    bit = i & -i  # lowest set bit
    parent = (i ^ bit) | (bit << 1)
    if parent >= p:
        parent = i ^ bit
    low = bit >> 1
    children = [i - low] if low else []
    while low:
        if i + low < p:
            children.append(i + low)
            break
        low >>= 1
    return parent, children


def binary_tree(p: int) -> Tree:
    """NCCL's in-order binary tree on p members, rooted at 0."""
    links = [_btree_links(p, i) for i in range(p)]
    return Tree(tuple(up for up, _ in links), tuple(tuple(down) for _, down in links))


def double_binary_tree(p: int) -> tuple[Tree, Tree]:
    """The binary tree and its mirror (p even) or its shift by one (p odd), as NCCL's ``ncclGetDtree``."""
    first = binary_tree(p)
    if p % 2:
        to, back = (lambda i: (i - 1) % p), (lambda j: (j + 1) % p)
    else:
        to, back = (lambda i: p - 1 - i), (lambda j: p - 1 - j)
    parent = [None if first.parent[to(i)] is None else back(first.parent[to(i)]) for i in range(p)]
    children = [tuple(back(c) for c in first.children[to(i)]) for i in range(p)]
    return first, Tree(tuple(parent), tuple(children))


def _pipelined(buf, ranks: Sequence[int], jobs: list[tuple[Tree, int, int]], chunk_bytes: int) -> None:
    """Reduce then broadcast each (tree, start, end) segment of ``buf`` over its tree, in rounds."""
    import torch

    me = member_index(ranks)
    plans = []
    for tree, start, end in jobs:
        k = max(1, min(64, -(-(end - start) * buf.element_size() // chunk_bytes)))
        bounds = [(start + a, start + b) for a, b in chunk_bounds(end - start, k)]
        depth, height = tree.depth(me), tree.height
        width = max(b - a for a, b in bounds)
        scratch = [torch.empty(width, dtype=buf.dtype, device=buf.device) for _ in tree.children[me]]
        plans.append((tree, bounds, depth, height, scratch))
    rounds = max(len(b) + h + 1 for _, b, _, h, _ in plans)
    sent: list = []  # a chunk sent up is final until the broadcast phase writes it again
    for r in range(rounds):  # reduce: children → parent
        sends, recvs, adds = [], [], []
        for tree, bounds, depth, height, scratch in plans:
            c = r - (height - depth)
            if 0 <= c < len(bounds):
                a, b = bounds[c]
                for child, space in zip(tree.children[me], scratch, strict=True):
                    recvs.append((space[: b - a], ranks[child]))
                    adds.append((buf[a:b], space[: b - a]))
            if tree.parent[me] is not None and 0 <= c - 1 < len(bounds):
                a, b = bounds[c - 1]
                sends.append((buf[a:b], ranks[tree.parent[me]]))
        exchange(sends, recvs, sent)
        for target, incoming in adds:
            target.add_(incoming)
    wait_all(sent)
    rounds = max(len(b) + h for _, b, _, h, _ in plans)
    for r in range(rounds):  # broadcast: parent → children
        sends, recvs = [], []
        for tree, bounds, depth, _, _ in plans:
            if tree.parent[me] is not None and 0 <= r - depth + 1 < len(bounds):
                a, b = bounds[r - depth + 1]
                recvs.append((buf[a:b], ranks[tree.parent[me]]))
            if 0 <= r - depth < len(bounds):
                a, b = bounds[r - depth]
                sends.extend((buf[a:b], ranks[child]) for child in tree.children[me])
        exchange(sends, recvs, sent)
    wait_all(sent)


def btree_allreduce(buf, ranks: Sequence[int], chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
    """Sum-all-reduce ``buf`` in place over one pipelined binary tree (reduce to member 0, broadcast)."""
    if len(ranks) < 2 or buf.numel() == 0:
        return
    _pipelined(buf, ranks, [(binary_tree(len(ranks)), 0, buf.numel())], chunk_bytes)


def dtree_allreduce(buf, ranks: Sequence[int], chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
    """Sum-all-reduce ``buf`` in place over the double binary tree, half of the buffer on each tree."""
    if len(ranks) < 2 or buf.numel() == 0:
        return
    (a0, a1), (b0, b1) = chunk_bounds(buf.numel(), 2)
    first, second = double_binary_tree(len(ranks))
    _pipelined(buf, ranks, [(first, a0, a1), (second, b0, b1)], chunk_bytes)

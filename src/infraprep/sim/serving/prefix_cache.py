"""Prefix caching: find the longest already-computed prefix of a new sequence and reuse its blocks.

Two designs over the same :class:`~infraprep.sim.serving.block_manager.BlockManager`, both block
(page) granular — a cached prefix is a run of *full* blocks, the unit a block table can point at:

* :class:`HashPrefixCache` (vLLM automatic prefix caching; Kwon et al. 2023 §4.4 "shared prefix" and
  the vLLM v1 ``kv_cache_utils.py`` design): block ``j`` is keyed by a hash chained over its own
  content and its parent's hash, ``h_j = hash((h_{j−1}, key_j))``, so equal hashes mean equal
  prefixes. Blocks whose refcount falls to 0 stay cached in an LRU queue (release order) and are
  evicted one at a time from its head; interior blocks may go before their descendants, which then
  become unreachable (the chain breaks) until evicted in turn.
* :class:`RadixPrefixCache` (SGLang RadixAttention; Zheng et al. 2024, §3): a radix tree whose edges
  are runs of block keys, split where sequences diverge. Only leaves are evicted (LRU by last access),
  page by page from the tail, so a cached prefix is never orphaned.

A *block key* is whatever identifies a block's content: the tuple of its ``block_size`` token ids in
the engine; ``(session, j)``-style identities in the simulator (whose token ids are not materialised).
With page size 1 and token ids as keys the radix tree is SGLang's token-level tree.

Both caches agree on which prefixes they can serve when nothing has been evicted (tested with
hypothesis); they differ in what survives eviction.

Hash convention: Python's 64-bit ``hash`` of ``(parent_hash, key)``. A collision would alias two
prefixes; at 2⁻⁶⁴ per pair it is ignored here (vLLM offers SHA-256 for that reason).
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["CacheStats", "HashPrefixCache", "RadixPrefixCache", "chain_hashes", "make_prefix_cache"]

_ROOT_HASH = hash("infraprep-prefix-root")


def chain_hashes(keys: Sequence[Hashable], start: int = 0, parent: int = _ROOT_HASH) -> list[int]:
    """``h_j = hash((h_{j−1}, key_j))`` for ``j ≥ start`` given ``parent = h_{start−1}``."""
    out = []
    for j in range(start, len(keys)):
        parent = hash((parent, keys[j]))
        out.append(parent)
    return out


@dataclass
class CacheStats:
    """Lookups and hits in blocks; ``hit_rate`` = hit blocks / looked-up blocks."""

    queries: int = 0
    query_blocks: int = 0
    hit_blocks: int = 0
    evictions: int = 0

    @property
    def hit_rate(self) -> float:
        return self.hit_blocks / self.query_blocks if self.query_blocks else 0.0

    def to_dict(self) -> dict:
        return {"queries": self.queries, "query_blocks": self.query_blocks, "hit_blocks": self.hit_blocks,
                "hit_rate": self.hit_rate, "evictions": self.evictions}


class HashPrefixCache:
    """vLLM-style hash-chained block cache with LRU eviction (see the module docstring).

    ``match`` and ``insert`` are O(blocks); ``released``/``acquired``/``evict`` are O(1) through an
    ``OrderedDict`` used as the LRU queue (O(1) removal from the middle when a cached block is hit).
    """

    name = "hash"

    def __init__(self) -> None:
        self._block_of: dict[int, int] = {}  # chain hash -> block
        self._hash_of: dict[int, int] = {}  # block -> chain hash
        self._lru: OrderedDict[int, None] = OrderedDict()  # evictable blocks, least recent first
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._hash_of)

    @property
    def num_evictable(self) -> int:
        return len(self._lru)

    def match(self, keys: Sequence[Hashable], record: bool = True, memo: list[int] | None = None) -> list[int]:
        """Blocks of the longest cached prefix of ``keys`` (the caller acquires them).

        ``memo``, if given, is the caller's list of chain hashes of these keys so far: it is read and
        extended, so each block of a sequence is hashed once however often it is looked up.
        """
        hashes = self._hashes(keys, len(keys), memo)
        blocks, block_of = [], self._block_of
        for h in hashes[: len(keys)]:
            block = block_of.get(h)
            if block is None:
                break
            blocks.append(block)
        if record:
            self.stats.queries += 1
            self.stats.query_blocks += len(keys)
            self.stats.hit_blocks += len(blocks)
        return blocks

    @staticmethod
    def _hashes(keys: Sequence[Hashable], n: int, memo: list[int] | None) -> list[int]:
        memo = [] if memo is None else memo
        if len(memo) < n:
            memo.extend(chain_hashes(keys, len(memo), memo[-1] if memo else _ROOT_HASH)[: n - len(memo)])
        return memo

    def insert(self, keys: Sequence[Hashable], blocks: Sequence[int], memo: list[int] | None = None,
               start: int = 0) -> None:
        """Register full blocks ``blocks[j]`` holding ``keys[j]`` for ``j ≥ start`` (the caller knows the
        first ``start`` are registered); a prefix already cached keeps its block."""
        n = min(len(keys), len(blocks))
        hashes = self._hashes(keys, n, memo)
        block_of, hash_of = self._block_of, self._hash_of
        for j in range(start, n):
            h, block = hashes[j], blocks[j]
            if h not in block_of and block not in hash_of:
                block_of[h] = block
                hash_of[block] = h

    # -- Evictor protocol ------------------------------------------------------------------------
    def released(self, block: int) -> bool:
        if block in self._hash_of:
            self._lru[block] = None
            return True
        return False

    def acquired(self, block: int) -> None:
        self._lru.pop(block, None)

    def evict(self) -> int | None:
        if not self._lru:
            return None
        block, _ = self._lru.popitem(last=False)
        del self._block_of[self._hash_of.pop(block)]
        self.stats.evictions += 1
        return block


class _Node:
    __slots__ = ("children", "keys", "blocks", "parent", "last_access", "uid")

    def __init__(self, keys: list, blocks: list[int], parent: _Node | None, uid: int) -> None:
        self.children: dict[Hashable, _Node] = {}
        self.keys, self.blocks, self.parent = keys, blocks, parent
        self.last_access = 0
        self.uid = uid


class RadixPrefixCache:
    """SGLang-style radix tree over block keys with leaf-only LRU eviction (see the module docstring).

    Each node holds an edge: a run of keys and the block of each. ``match`` walks from the root
    comparing keys (O(matched blocks)); ``insert`` splits an edge where a new sequence diverges.

    A sequence extends the tree only along blocks it holds: where it computed its own copy of a block
    the tree already caches (two requests with one prefix admitted together), insertion stops. So
    every sequence holding a node's block holds all its ancestors' blocks — reference counts never
    grow down a path — and every unreferenced block can be reached by leaf-first eviction
    (``num_evictable`` is exact). SGLang instead swaps the copy for the cached block.
    Eviction pops the least recently used leaf whose last block is unreferenced, from a heap with
    lazy invalidation (entries are re-checked when popped), and removes that one block.
    """

    name = "radix"

    def __init__(self) -> None:
        self._uids = itertools.count()
        self.root = _Node([], [], None, next(self._uids))
        self._node_of: dict[int, _Node] = {}  # block -> node holding it
        self._evictable: set[int] = set()
        self._heap: list[tuple[int, int, _Node]] = []
        self._clock = itertools.count(1)
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._node_of)

    @property
    def num_evictable(self) -> int:
        return len(self._evictable)

    def _touch(self, node: _Node, now: int) -> None:
        while node is not None and node is not self.root:
            node.last_access = now
            node = node.parent

    def _push_if_leaf(self, node: _Node) -> None:
        if node is not self.root and not node.children and node.blocks and node.blocks[-1] in self._evictable:
            heapq.heappush(self._heap, (node.last_access, node.uid, node))

    def match(self, keys: Sequence[Hashable], record: bool = True, memo: list | None = None) -> list[int]:
        """Blocks of the longest cached prefix of ``keys`` (the caller acquires them; ``memo`` unused)."""
        blocks: list[int] = []
        node, i, now = self.root, 0, next(self._clock)
        while i < len(keys):
            child = node.children.get(keys[i])
            if child is None:
                break
            n = 0
            while n < len(child.keys) and i + n < len(keys) and child.keys[n] == keys[i + n]:
                n += 1
            blocks.extend(child.blocks[:n])
            i += n
            node = child
            if n < len(child.keys):
                break
        self._touch(node, now)
        self._push_if_leaf(node)
        if record:
            self.stats.queries += 1
            self.stats.query_blocks += len(keys)
            self.stats.hit_blocks += len(blocks)
        return blocks

    def _split(self, child: _Node, n: int) -> _Node:
        """Cut ``child``'s edge after ``n`` keys; returns the new upper node."""
        upper = _Node(child.keys[:n], child.blocks[:n], child.parent, next(self._uids))
        upper.last_access = child.last_access
        child.parent.children[child.keys[0]] = upper
        child.keys, child.blocks, child.parent = child.keys[n:], child.blocks[n:], upper
        upper.children[child.keys[0]] = child
        for block in upper.blocks:
            self._node_of[block] = upper
        return upper

    def insert(self, keys: Sequence[Hashable], blocks: Sequence[int], memo: list | None = None, start: int = 0) -> None:
        """Register full blocks ``blocks[j]`` holding ``keys[j]``; a prefix already cached keeps its blocks.
        (The walk starts at the root whatever ``start`` says: ``memo``/``start`` are the hash cache's.)"""
        node, i, now = self.root, 0, next(self._clock)
        n = min(len(keys), len(blocks))
        keys, blocks = [keys[j] for j in range(n)], list(blocks[:n])
        while i < len(keys):
            child = node.children.get(keys[i])
            if child is None:
                end = i
                while end < len(keys) and blocks[end] not in self._node_of:  # never cache a block twice
                    end += 1
                if end > i:
                    leaf = _Node(keys[i:end], blocks[i:end], node, next(self._uids))
                    node.children[keys[i]] = leaf
                    for block in leaf.blocks:
                        self._node_of[block] = leaf
                    node = leaf
                break
            n = 0
            while (n < len(child.keys) and i + n < len(keys) and child.keys[n] == keys[i + n]
                   and child.blocks[n] == blocks[i + n]):
                n += 1
            i += n
            if n < len(child.keys):
                if n and i < len(keys) and child.keys[n] != keys[i]:  # the keys diverge: branch here
                    node = self._split(child, n)
                    continue
                node = child if n else node
                break  # ends inside the edge, or holds its own copy of a cached block: stop
            node = child
        self._touch(node, now)
        self._push_if_leaf(node)

    # -- Evictor protocol ------------------------------------------------------------------------
    def released(self, block: int) -> bool:
        node = self._node_of.get(block)
        if node is None:
            return False
        self._evictable.add(block)
        if node.blocks[-1] == block:
            self._push_if_leaf(node)
        return True

    def acquired(self, block: int) -> None:
        self._evictable.discard(block)

    def evict(self) -> int | None:
        while self._heap:
            last_access, _, node = heapq.heappop(self._heap)
            if (node.parent is None or node.children or not node.blocks or last_access != node.last_access
                    or node.blocks[-1] not in self._evictable):
                continue  # stale entry
            if len(node.blocks) == 1:  # the whole leaf goes; its parent may become an evictable leaf
                parent, block = node.parent, node.blocks[0]
                del parent.children[node.keys[0]]
                node.parent, node.keys, node.blocks = None, [], []
                self._push_if_leaf(parent)
            else:
                block = node.blocks.pop()
                node.keys.pop()
                self._push_if_leaf(node)
            del self._node_of[block]
            self._evictable.discard(block)
            self.stats.evictions += 1
            return block
        return None


def make_prefix_cache(kind: str) -> HashPrefixCache | RadixPrefixCache | None:
    """``"hash"``, ``"radix"`` or ``"none"`` (no prefix caching)."""
    from infraprep.errors import InvalidValue

    kinds = {"hash": HashPrefixCache, "radix": RadixPrefixCache, "none": None}
    if kind not in kinds:
        raise InvalidValue("--prefix-cache", kind, "one of hash, radix, none")
    factory = kinds[kind]
    return factory() if factory else None

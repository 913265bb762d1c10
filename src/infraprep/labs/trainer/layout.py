"""The process-group layout of a dp × tp × pp job: which rank does what, and who talks to whom.

Rank order is Megatron-LM's (Shoeybi et al. 2019 §3; Narayanan et al. 2021 §3.3): tensor-parallel
ranks are adjacent (they exchange activations every layer, so they belong on one node's fast
links), then data-parallel, then pipeline stages::

    rank = (pp_rank · dp + dp_rank) · tp + tp_rank

    dp=2 tp=2 pp=2:   stage 0: ranks 0 1 | 2 3      tp groups {0,1} {2,3} {4,5} {6,7}
                      stage 1: ranks 4 5 | 6 7      dp groups {0,2} {1,3} {4,6} {5,7}
                                                    pp groups {0,4} {1,5} {2,6} {3,7}

:class:`Layout` is pure arithmetic. :func:`build_groups` creates the torch.distributed groups (every
process must call it, members or not, in the same order: a rule of ``dist.new_group``). Groups of
size 1 are not created: a collective over one rank moves nothing and is skipped (and not counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Coords", "Group", "Groups", "Layout", "build_groups"]

KINDS = ("tp", "dp", "pp")


class Coords(NamedTuple):
    dp: int
    tp: int
    pp: int


@dataclass(frozen=True)
class Layout:
    dp: int
    tp: int
    pp: int

    @property
    def world(self) -> int:
        return self.dp * self.tp * self.pp

    def rank(self, c: Coords) -> int:
        return (c.pp * self.dp + c.dp) * self.tp + c.tp

    def coords(self, rank: int) -> Coords:
        if not 0 <= rank < self.world:
            raise ValueError(f"rank {rank} outside a world of {self.world}")
        tp, rest = rank % self.tp, rank // self.tp
        return Coords(dp=rest % self.dp, tp=tp, pp=rest // self.dp)

    def size(self, kind: str) -> int:
        return {"tp": self.tp, "dp": self.dp, "pp": self.pp}[kind]

    def group_of(self, kind: str, rank: int) -> list[int]:
        """The ranks of ``rank``'s ``kind`` group, ordered by their index along ``kind``."""
        c = self.coords(rank)
        return [self.rank(c._replace(**{kind: i})) for i in range(self.size(kind))]

    def groups(self, kind: str) -> list[list[int]]:
        """All ``kind`` groups, in a fixed order (each rank appears in exactly one)."""
        seen: dict[tuple[int, ...], None] = {}
        for r in range(self.world):
            seen.setdefault(tuple(self.group_of(kind, r)), None)
        return [list(g) for g in seen]


@dataclass
class Group:
    """One communication group as seen by one member: its label (``tp``, ``dp``, ``pp``), the
    torch handle (None when the group has one rank), the members' global ranks and our index."""

    label: str
    handle: Any
    ranks: list[int]
    index: int

    @property
    def size(self) -> int:
        return len(self.ranks)


@dataclass
class Groups:
    layout: Layout
    rank: int  # index of this process in the layout (0 … world-1)
    coords: Coords
    tp: Group
    dp: Group
    pp: Group

    def peer(self, stage: int) -> int:
        """Global rank of the same (dp, tp) position at pipeline stage ``stage``."""
        return self.pp.ranks[stage]


def build_groups(layout: Layout, rank: int, members: list[int] | None = None) -> Groups | None:
    """Create every tp/dp/pp group of ``layout`` over the global ranks ``members`` (default: all).

    Must be called by every process of the default group; returns None on a process that is not a
    member (it only took part in the creation calls).
    """
    import torch.distributed as dist

    members = list(range(layout.world)) if members is None else list(members)
    if len(members) != layout.world:
        raise ValueError(f"{len(members)} member ranks for a layout of {layout.world}")
    index = members.index(rank) if rank in members else None
    mine: dict[str, Group] = {}
    for kind in KINDS:
        for ranks in layout.groups(kind):
            global_ranks = [members[r] for r in ranks]
            handle = dist.new_group(global_ranks) if len(ranks) > 1 else None
            if index is not None and index in ranks:
                mine[kind] = Group(kind, handle, global_ranks, ranks.index(index))
    if index is None:
        return None
    return Groups(layout, index, layout.coords(index), mine["tp"], mine["dp"], mine["pp"])

"""The algorithms behind :mod:`infraprep.calc.collectives`: each one a list of α–β–γ phases.

A phase is ``messages·α + beta_coef·S·β + gamma_coef·S·γ`` on one link class; a builder takes the
rank count p and the link and returns the phases. Sources and conventions are in each docstring and
in :mod:`infraprep.calc.collectives`' module docstring.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from infraprep.errors import InvalidValue

__all__ = ["ALGORITHMS", "FLAT", "Link", "Phase", "bottleneck", "hier_allreduce", "innet_allreduce"]


@dataclass(frozen=True)
class Link:
    """One link class: bandwidth per rank per direction (bytes/s) and per-message latency α (s)."""

    bandwidth: float
    alpha: float = 5e-6
    label: str = ""  # option prefix in error messages: "" → --bandwidth/--alpha, "inter-" → --inter-bandwidth

    def __post_init__(self) -> None:
        if not (self.bandwidth > 0 and math.isfinite(self.bandwidth)):
            raise InvalidValue(f"--{self.label}bandwidth", self.bandwidth, "a positive finite bandwidth in bytes/s")
        if not (self.alpha >= 0 and math.isfinite(self.alpha)):
            raise InvalidValue(f"--{self.label}alpha", self.alpha, "a latency ≥ 0 seconds")

    @property
    def beta(self) -> float:
        return 1.0 / self.bandwidth


def bottleneck(a: Link, b: Link) -> Link:
    return Link(min(a.bandwidth, b.bandwidth), max(a.alpha, b.alpha))


@dataclass(frozen=True)
class Phase:
    """``messages·α + beta_coef·S·β + gamma_coef·S·γ`` on ``link``; ``formula`` is the symbolic form."""

    name: str
    messages: float
    beta_coef: float
    gamma_coef: float
    link: Link
    formula: str

    def time(self, size: float, gamma: float) -> float:
        return self.messages * self.link.alpha + self.beta_coef * size * self.link.beta + self.gamma_coef * size * gamma


# --------------------------------------------------------------------------------------------- helpers


def _lg(p: int) -> int:
    """⌈log2 p⌉: rounds of a doubling schedule, depth of NCCL's binary tree (root has one child)."""
    return max(0, (p - 1).bit_length())


def _pof2_below(p: int) -> int:
    return 1 << (p.bit_length() - 1)


# ------------------------------------------------------------------------------------------ algorithms
# Each builder returns the phases for p ranks on link L; the size S enters only through coefficients.


def _ring_allreduce(p: int, link: Link) -> list[Phase]:
    """Patarasuk & Yuan 2009 ("Bandwidth optimal all-reduce algorithms for clusters of workstations",
    JPDC 69(2), §3): reduce-scatter then all-gather around a ring, 2(p−1) steps of S/p bytes:
    2(p−1)α + 2(p−1)/p·Sβ + (p−1)/p·Sγ. The bandwidth term meets their lower bound."""
    f = (p - 1) / p
    return [
        Phase("reduce-scatter", p - 1, f, f, link, "(p−1)α + (p−1)/p·S(β+γ)"),
        Phase("all-gather", p - 1, f, 0.0, link, "(p−1)α + (p−1)/p·Sβ"),
    ]


def _tree_allreduce(p: int, link: Link) -> list[Phase]:
    """Double binary tree (Sanders, Speck & Träff 2009, "Two-tree algorithms for full bandwidth
    broadcast, reduction and scan", Parallel Computing 35(12), §3; NCCL 2.4 ``ncclGetDtree``): each
    tree carries S/2, pipelined. A rank has at most two children over both trees (interior in one, a
    leaf in the other), so per direction it moves S up (reduce) and S down (broadcast):
    ⌈lg p⌉α each way + 2Sβ + Sγ. For p = 2 the trees are one edge each way: S/2 per phase."""
    depth, coef = _lg(p), (0.5 if p == 2 else 1.0)
    form = "S" if p > 2 else "S/2·"
    return [
        Phase("reduce up both trees", depth, coef, coef, link, f"⌈lg p⌉α + {form}(β+γ)"),
        Phase("broadcast down both trees", depth, coef, 0.0, link, f"⌈lg p⌉α + {form}β"),
    ]


def _btree_allreduce(p: int, link: Link) -> list[Phase]:
    """One binary tree, pipelined (the case the double tree fixes, Sanders et al. 2009 §3): an interior
    rank receives from two children and sends to two, so 2S per phase: 2⌈lg p⌉α + 4Sβ + 2Sγ
    (p = 2: one child, S per phase)."""
    depth, coef = _lg(p), (1.0 if p == 2 else 2.0)
    form = "2S" if p > 2 else "S"
    return [
        Phase("reduce up the tree", depth, coef, coef, link, f"⌈lg p⌉α + {form}(β+γ)"),
        Phase("broadcast down the tree", depth, coef, 0.0, link, f"⌈lg p⌉α + {form}β"),
    ]


def _fold(p: int, link: Link, reduce_back_fraction: float) -> tuple[list[Phase], list[Phase]]:
    """Non-power-of-two fold of MPICH (Thakur et al. 2005, "Allreduce"): r = p − p' ranks hand their
    whole vector to a neighbour first (α + S(β+γ)) and get their result back last."""
    if p == _pof2_below(p):
        return [], []
    pre = [Phase("fold extra ranks in", 1, 1.0, 1.0, link, "α + S(β+γ)")]
    post = [Phase("hand result back", 1, reduce_back_fraction, 0.0, link,
                  "α + Sβ" if reduce_back_fraction == 1 else "α + S/p·β")]
    return pre, post


def _rhd_allreduce(p: int, link: Link) -> list[Phase]:
    """Rabenseifner's algorithm (Thakur et al. 2005, "Allreduce"): reduce-scatter by recursive halving
    then all-gather by recursive doubling among p' = 2^⌊lg p⌋: 2 lg p'·α + 2(p'−1)/p'·Sβ + (p'−1)/p'·Sγ."""
    q = _pof2_below(p)
    pre, post = _fold(p, link, 1.0)
    f, lg = (q - 1) / q, q.bit_length() - 1
    return [*pre, Phase("recursive halving (reduce-scatter)", lg, f, f, link, "lg p'·α + (p'−1)/p'·S(β+γ)"),
            Phase("recursive doubling (all-gather)", lg, f, 0.0, link, "lg p'·α + (p'−1)/p'·Sβ"), *post]


def _rd_allreduce(p: int, link: Link) -> list[Phase]:
    """Recursive doubling (Thakur et al. 2005, "Allreduce", short messages): lg p' exchanges of the
    whole vector: lg p'·(α + Sβ + Sγ), plus the non-power-of-two fold."""
    q = _pof2_below(p)
    pre, post = _fold(p, link, 1.0)
    lg = q.bit_length() - 1
    return [*pre, Phase("recursive doubling", lg, lg, lg, link, "lg p'·(α + Sβ + Sγ)"), *post]


def innet_allreduce(p: int, link: Link, innet: str = "sharp") -> list[Phase]:
    """In-network reduction: the switch reduces. SHARP (Graham et al. 2016, "Scalable Hierarchical
    Aggregation Protocol (SHArP)", COMHPC §3): each rank sends S up the aggregation tree and receives S:
    2α + Sβ. NVLS (NVLink SHARP): a rank pulls its reduced S/p slice (multimem load-reduce, its link
    carries S out) and multicasts it (S in): 2α + (p+1)/p·Sβ. No γ on the ranks."""
    coef = 1.0 if innet == "sharp" else (p + 1) / p
    return [Phase(f"in-network ({innet})", 2, coef, 0.0, link,
                  "2α + Sβ" if innet == "sharp" else "2α + (p+1)/p·Sβ")]


def _ring_allgather(p: int, link: Link) -> list[Phase]:
    """Ring all-gather (Thakur et al. 2005, "Allgather"): (p−1)α + (p−1)/p·Sβ."""
    return [Phase("ring all-gather", p - 1, (p - 1) / p, 0.0, link, "(p−1)α + (p−1)/p·Sβ")]


def _rd_allgather(p: int, link: Link) -> list[Phase]:
    """Recursive doubling (p a power of two) or Bruck's algorithm (any p) (Thakur et al. 2005,
    "Allgather"): ⌈lg p⌉α + (p−1)/p·Sβ."""
    return [Phase("recursive doubling / Bruck", _lg(p), (p - 1) / p, 0.0, link, "⌈lg p⌉α + (p−1)/p·Sβ")]


def _ring_reducescatter(p: int, link: Link) -> list[Phase]:
    """Ring (pairwise) reduce-scatter (Thakur et al. 2005, "Reduce-Scatter"): (p−1)α + (p−1)/p·S(β+γ)."""
    f = (p - 1) / p
    return [Phase("ring reduce-scatter", p - 1, f, f, link, "(p−1)α + (p−1)/p·S(β+γ)")]


def _rh_reducescatter(p: int, link: Link) -> list[Phase]:
    """Recursive halving (Thakur et al. 2005, "Reduce-Scatter"): lg p'·α + (p'−1)/p'·S(β+γ), plus the fold."""
    q = _pof2_below(p)
    pre, post = _fold(p, link, 1.0 / p)
    f = (q - 1) / q
    return [*pre, Phase("recursive halving", q.bit_length() - 1, f, f, link, "lg p'·α + (p'−1)/p'·S(β+γ)"), *post]


def _ring_broadcast(p: int, link: Link) -> list[Phase]:
    """Pipelined chain/ring broadcast (NCCL's ring broadcast; asymptote of many chunks): the first chunk
    crosses p−1 hops, every byte crosses each link once: (p−1)α + Sβ."""
    return [Phase("pipelined ring", p - 1, 1.0, 0.0, link, "(p−1)α + Sβ")]


def _tree_broadcast(p: int, link: Link) -> list[Phase]:
    """Binomial tree (Thakur et al. 2005, "Broadcast", short messages): ⌈lg p⌉(α + Sβ)."""
    return [Phase("binomial tree", _lg(p), _lg(p), 0.0, link, "⌈lg p⌉(α + Sβ)")]


def _scatter_allgather_broadcast(p: int, link: Link) -> list[Phase]:
    """Scatter + ring all-gather (van de Geijn; Thakur et al. 2005, "Broadcast", long messages):
    (⌈lg p⌉ + p − 1)α + 2(p−1)/p·Sβ."""
    f = (p - 1) / p
    return [Phase("binomial scatter", _lg(p), f, 0.0, link, "⌈lg p⌉α + (p−1)/p·Sβ"),
            Phase("ring all-gather", p - 1, f, 0.0, link, "(p−1)α + (p−1)/p·Sβ")]


def _pairwise_alltoall(p: int, link: Link) -> list[Phase]:
    """Pairwise exchange (Thakur et al. 2005, "Alltoall", long messages): p−1 steps of S/p:
    (p−1)α + (p−1)/p·Sβ."""
    return [Phase("pairwise exchange", p - 1, (p - 1) / p, 0.0, link, "(p−1)α + (p−1)/p·Sβ")]


def _bruck_alltoall(p: int, link: Link) -> list[Phase]:
    """Bruck's algorithm (Thakur et al. 2005, "Alltoall", short messages): ⌈lg p⌉α + (S/2)⌈lg p⌉β."""
    return [Phase("Bruck", _lg(p), _lg(p) / 2, 0.0, link, "⌈lg p⌉α + ⌈lg p⌉·S/2·β")]


_Builder = Callable[[int, Link], list[Phase]]
FLAT: dict[str, dict[str, _Builder]] = {
    "allreduce": {"ring": _ring_allreduce, "tree": _tree_allreduce, "btree": _btree_allreduce, "rhd": _rhd_allreduce,
                  "rd": _rd_allreduce},
    "allgather": {"ring": _ring_allgather, "rhd": _rd_allgather},
    "reducescatter": {"ring": _ring_reducescatter, "rhd": _rh_reducescatter},
    "broadcast": {"ring": _ring_broadcast, "tree": _tree_broadcast, "rhd": _scatter_allgather_broadcast},
    "alltoall": {"ring": _pairwise_alltoall, "rhd": _bruck_alltoall},
}
ALGORITHMS: dict[str, tuple[str, ...]] = {
    op: (*algos, *(("hier", "innet") if op == "allreduce" else ())) for op, algos in FLAT.items()
}


def hier_allreduce(p: int, g: int, intra: Link, inter: Link, inter_algo: str) -> list[Phase]:
    """Two-level all-reduce (NCCL's intra-node ring + inter-node ring/tree; Thakur et al. 2005 style
    composition): reduce-scatter inside each node of g ranks, all-reduce the S/g shard across the
    N = p/g nodes, all-gather inside the node."""
    nodes = p // g
    f = (g - 1) / g
    phases = [Phase("intra-node reduce-scatter", g - 1, f, f, intra, "(g−1)α + (g−1)/g·S(β+γ)")] if g > 1 else []
    if nodes > 1:
        for ph in FLAT["allreduce"][inter_algo](nodes, inter):
            phases.append(Phase(f"inter-node {inter_algo}: {ph.name}", ph.messages, ph.beta_coef / g, ph.gamma_coef / g,
                                inter, ph.formula.replace("S", "(S/g)").replace("p", "N")))
    if g > 1:
        phases.append(Phase("intra-node all-gather", g - 1, f, 0.0, intra, "(g−1)α + (g−1)/g·Sβ"))
    return phases



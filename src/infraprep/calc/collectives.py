"""α–β–γ time models of collectives: ring, tree, recursive halving/doubling, hierarchical, in-network.

The cost model (Hockney; as used by Thakur, Rabenseifner & Gropp 2005, "Optimization of Collective
Communication Operations in MPICH", IJHPCA 19(1), section "Cost model"): sending a message of m
bytes between two ranks costs ``α + m·β`` (α latency per message, β = 1/bandwidth seconds per byte);
reducing m bytes locally costs ``m·γ``. Every algorithm below is a list of :class:`Phase` s, each
``messages·α + bytes·β + reduced·γ`` on one link class, so the total is affine in the size S::

    T(S) = A + B·S      A = Σ messages·α,   B = Σ (beta_coef·β + gamma_coef·γ)

Conventions (parameters, with these defaults):

* ``size`` S is the nccl-tests size (doc/PERFORMANCE.md): the buffer of one rank for all-reduce and
  broadcast; the **whole** gathered/scattered array (count per rank × ranks) for all-gather and
  reduce-scatter; one rank's send buffer (all its blocks, its own included) for all-to-all.
* ``link.bandwidth`` is per rank **per direction** (full duplex: a rank sends and receives at once).
* ``algbw = S/t``; ``busbw = algbw × factor`` with nccl-tests' factors (PERFORMANCE.md "Summary":
  all-reduce 2(n−1)/n; reduce-scatter, all-gather, all-to-all (n−1)/n; broadcast 1); for in-network
  NVLS all-reduce nccl-tests uses (n−1)/(n+1) (src/all_reduce.cu, ``AllReduceGetBw`` when NCCL_ALGO is
  NVLS or NVLSTREE); switch SHARP (CollNet) keeps 2(n−1)/n.
* pipelined algorithms (tree all-reduce, ring broadcast) are modelled at their large-chunk-count
  asymptote: latency once per hop of the critical path, bandwidth once per byte on the busiest link.
* ranks spread over nodes (``ranks_per_node`` < ranks with an ``inter`` link): a flat algorithm runs
  at the pace of its slowest hop, the bottleneck link (lower bandwidth, higher α); ``hier`` uses
  each link class where it belongs.
* non-power-of-two rank counts for recursive halving/doubling fold the r = p − 2^⌊lg p⌋ extra ranks
  in first and hand their result back last (MPICH; Thakur et al. 2005, section "Allreduce").

Sources per algorithm are in the docstrings of :mod:`infraprep.calc._collective_algorithms`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from infraprep.calc._collective_algorithms import (
    ALGORITHMS,
    FLAT,
    Link,
    Phase,
    bottleneck,
    hier_allreduce,
    innet_allreduce,
)
from infraprep.calc.units import format_bandwidth, format_bytes, format_seconds
from infraprep.errors import InvalidValue

__all__ = [
    "ALGORITHMS",
    "OPS",
    "CollectiveTime",
    "Crossover",
    "Link",
    "Phase",
    "allgather",
    "allreduce",
    "alltoall",
    "broadcast",
    "busbw_factor",
    "collective",
    "crossover",
    "in_network_speedup",
    "reducescatter",
]

OPS = ("allreduce", "allgather", "reducescatter", "broadcast", "alltoall")


@dataclass(frozen=True)
class CollectiveTime:
    """The modelled time of one collective, with its phases. Implements ``CalcResult``."""

    op: str
    algo: str
    ranks: int
    size: float
    gamma: float
    phases: tuple[Phase, ...]
    busbw_factor: float
    conventions: dict = field(default_factory=dict)

    @property
    def latency_s(self) -> float:
        return sum(p.messages * p.link.alpha for p in self.phases)

    @property
    def bandwidth_s(self) -> float:
        return sum(p.beta_coef * self.size * p.link.beta for p in self.phases)

    @property
    def reduction_s(self) -> float:
        return sum(p.gamma_coef * self.size * self.gamma for p in self.phases)

    @property
    def time_s(self) -> float:
        return sum(p.time(self.size, self.gamma) for p in self.phases)

    @property
    def algbw(self) -> float:
        return self.size / self.time_s if self.time_s > 0 else math.inf

    @property
    def busbw(self) -> float:
        return self.algbw * self.busbw_factor

    def affine(self) -> tuple[float, float]:
        """(A, B) with T(S) = A + B·S."""
        a = sum(p.messages * p.link.alpha for p in self.phases)
        b = sum(p.beta_coef * p.link.beta + p.gamma_coef * self.gamma for p in self.phases)
        return a, b

    def to_dict(self) -> dict:
        return {
            "op": self.op,
            "algo": self.algo,
            "ranks": self.ranks,
            "bytes": self.size,
            "time_s": self.time_s,
            "algbw": self.algbw,
            "busbw": self.busbw,
            "busbw_factor": self.busbw_factor,
            "breakdown": {"latency_s": self.latency_s, "bandwidth_s": self.bandwidth_s, "reduction_s": self.reduction_s},
            "phases": [
                {"name": p.name, "messages": p.messages, "bytes_per_rank": p.beta_coef * self.size,
                 "reduced_bytes": p.gamma_coef * self.size, "bandwidth": p.link.bandwidth, "alpha": p.link.alpha,
                 "time_s": p.time(self.size, self.gamma), "formula": p.formula}
                for p in self.phases
            ],
            "conventions": self.conventions,
        }

    def explain(self) -> str:
        lines = [f"{self.algo} {self.op}, p={self.ranks}, S={format_bytes(self.size)}:"]
        for p in self.phases:
            lines.append(
                f"  {p.name}: {p.formula} = {p.messages:g}·{format_seconds(p.link.alpha)}"
                f" + {p.beta_coef:.4g}·S/{format_bandwidth(p.link.bandwidth)}"
                + (f" + {p.gamma_coef:.4g}·S·γ" if p.gamma_coef and self.gamma else "")
                + f" = {format_seconds(p.time(self.size, self.gamma))}"
            )
        lines.append(f"  t = {format_seconds(self.time_s)}; algbw = S/t = {format_bandwidth(self.algbw)};"
                     f" busbw = algbw × {self.busbw_factor:.4g} = {format_bandwidth(self.busbw)}")
        return "\n".join(lines)

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("time", format_seconds(self.time_s)),
            ("  latency (α terms)", format_seconds(self.latency_s)),
            ("  bandwidth (β terms)", format_seconds(self.bandwidth_s)),
            ("  reduction (γ terms)", format_seconds(self.reduction_s)),
            ("algbw = S/t", format_bandwidth(self.algbw)),
            ("busbw factor", f"{self.busbw_factor:.4g}"),
            ("busbw", format_bandwidth(self.busbw)),
        ]


def _check(ranks: int, size: float, gamma: float) -> None:
    if isinstance(ranks, bool) or not isinstance(ranks, int) or ranks < 2:
        raise InvalidValue("--ranks", ranks, "an integer ≥ 2")
    if not (size >= 0 and math.isfinite(size)):
        raise InvalidValue("--bytes", size, "a size ≥ 0 bytes")
    if not (gamma >= 0 and math.isfinite(gamma)):
        raise InvalidValue("--gamma", gamma, "a reduction cost ≥ 0 seconds per byte")


def busbw_factor(op: str, ranks: int, algo: str = "ring", innet: str = "sharp") -> float:
    """nccl-tests' algbw → busbw factor (doc/PERFORMANCE.md, "Summary"). For all-reduce
    src/all_reduce.cu ``AllReduceGetBw`` switches to (n−1)/(n+1) only when ``NCCL_ALGO`` is NVLS or
    NVLSTREE; CollNet (switch SHARP) keeps 2(n−1)/n."""
    n = ranks
    if op == "allreduce":
        return (n - 1) / (n + 1) if (algo, innet) == ("innet", "nvls") else 2 * (n - 1) / n
    if op in ("allgather", "reducescatter", "alltoall"):
        return (n - 1) / n
    if op == "broadcast":
        return 1.0
    raise InvalidValue("--op", op, f"one of {', '.join(OPS)}")


def collective(
    op: str,
    algo: str,
    ranks: int,
    size: float,
    link: Link,
    *,
    gamma: float = 0.0,
    ranks_per_node: int | None = None,
    inter: Link | None = None,
    inter_algo: str = "ring",
    innet: str = "sharp",
) -> CollectiveTime:
    """Time of ``op`` by ``algo`` on ``ranks`` ranks for ``size`` bytes (nccl-tests size convention).

    Args:
        link: the intra-node link (or the only link when all ranks share one fabric).
        gamma: reduction cost in seconds per byte (0: reduction free, e.g. overlapped).
        ranks_per_node: g ranks per node (None: all ranks on one node).
        inter: the inter-node link; None means the same as ``link``.
        inter_algo: the all-reduce across nodes in ``hier`` (ring, tree, rhd, rd).
        innet: ``sharp`` (switch aggregation tree) or ``nvls`` (NVLink SHARP) for ``algo="innet"``.

    Raises:
        InvalidValue: unknown op/algo for that op, ranks < 2, size < 0, g not dividing ranks.
    """
    if op not in ALGORITHMS:
        raise InvalidValue("--op", op, f"one of {', '.join(OPS)}")
    if algo not in ALGORITHMS[op]:
        raise InvalidValue("--algo", algo, f"one of {', '.join(ALGORITHMS[op])} for {op}")
    _check(ranks, size, gamma)
    g = ranks if ranks_per_node is None else ranks_per_node
    if isinstance(g, bool) or not isinstance(g, int) or g < 1 or ranks % g:
        raise InvalidValue("--ranks-per-node", ranks_per_node, f"a positive divisor of ranks={ranks}")
    if inter_algo not in FLAT["allreduce"]:
        raise InvalidValue("--inter-algo", inter_algo, f"one of {', '.join(FLAT['allreduce'])}")
    if innet not in ("sharp", "nvls"):
        raise InvalidValue("--innet", innet, "sharp or nvls")
    inter = inter or link
    flat_link = link if g == ranks else bottleneck(link, inter)
    if algo == "hier":
        phases = hier_allreduce(ranks, g, link, inter, inter_algo)
    elif algo == "innet":
        phases = innet_allreduce(ranks, flat_link, innet)
    else:
        phases = FLAT[op][algo](ranks, flat_link)
    conventions = {
        "size": "nccl-tests: per-rank buffer (allreduce, broadcast), whole array (allgather, reducescatter),"
                " per-rank send buffer (alltoall)",
        "bandwidth": "per rank per direction, full duplex",
        "busbw": "nccl-tests doc/PERFORMANCE.md factors",
        "pipelining": "asymptote of many chunks (tree all-reduce, ring broadcast)",
        "nodes": f"{ranks // g} node(s) of {g}; flat algorithms across nodes run at the bottleneck link",
    }
    if algo == "innet":
        conventions["innet"] = innet
    if algo == "hier":
        conventions["inter_algo"] = inter_algo
    return CollectiveTime(op, algo, ranks, float(size), float(gamma), tuple(phases),
                          busbw_factor(op, ranks, algo, innet), conventions)


def allreduce(size: float, ranks: int, link: Link, algo: str = "ring", **kw) -> CollectiveTime:
    """All-reduce time; see :func:`collective` for the keyword arguments."""
    return collective("allreduce", algo, ranks, size, link, **kw)


def allgather(size: float, ranks: int, link: Link, algo: str = "ring", **kw) -> CollectiveTime:
    """All-gather of a whole array of ``size`` bytes (each rank contributes size/ranks)."""
    return collective("allgather", algo, ranks, size, link, **kw)


def reducescatter(size: float, ranks: int, link: Link, algo: str = "ring", **kw) -> CollectiveTime:
    """Reduce-scatter of a whole array of ``size`` bytes (each rank keeps size/ranks)."""
    return collective("reducescatter", algo, ranks, size, link, **kw)


def broadcast(size: float, ranks: int, link: Link, algo: str = "ring", **kw) -> CollectiveTime:
    """Broadcast of ``size`` bytes from one root."""
    return collective("broadcast", algo, ranks, size, link, **kw)


def alltoall(size: float, ranks: int, link: Link, algo: str = "ring", **kw) -> CollectiveTime:
    """All-to-all where each rank's send buffer is ``size`` bytes (size/ranks to each rank)."""
    return collective("alltoall", algo, ranks, size, link, **kw)


def in_network_speedup(ranks: int, innet: str = "sharp") -> float:
    """Bandwidth-term ratio ring ÷ in-network all-reduce: 2(p−1)/p for SHARP (→ 2), 2(p−1)/(p+1) for NVLS."""
    _check(ranks, 0.0, 0.0)
    return (2 * (ranks - 1) / ranks) / (1.0 if innet == "sharp" else (ranks + 1) / ranks)


@dataclass(frozen=True)
class Crossover:
    """Where algorithm ``a`` stops beating ``b``: T_a(S) = T_b(S). Implements ``CalcResult``."""

    op: str
    a: CollectiveTime
    b: CollectiveTime
    size: float | None  # None: the lines do not cross at S > 0
    faster_below: str | None  # which algorithm wins for S below ``size`` (or everywhere if size is None)

    def to_dict(self) -> dict:
        return {"op": self.op, "a": self.a.algo, "b": self.b.algo, "ranks": self.a.ranks, "crossover_bytes": self.size,
                "faster_below": self.faster_below,
                "faster_above": None if self.size is None else ({self.a.algo, self.b.algo} - {self.faster_below}).pop(),
                "a_affine": dict(zip(("A_s", "B_s_per_byte"), self.a.affine(), strict=True)),
                "b_affine": dict(zip(("A_s", "B_s_per_byte"), self.b.affine(), strict=True)),
                "conventions": self.a.conventions}

    def explain(self) -> str:
        (aa, ab), (ba, bb) = self.a.affine(), self.b.affine()
        head = (f"T_{self.a.algo}(S) = {format_seconds(aa)} + S·{ab:.4g} s/B;  "
                f"T_{self.b.algo}(S) = {format_seconds(ba)} + S·{bb:.4g} s/B")
        if self.size is None:
            return f"{head}\n  the lines do not cross for S > 0: {self.faster_below} is never slower"
        return f"{head}\n  S* = (A_{self.b.algo} − A_{self.a.algo}) / (B_{self.a.algo} − B_{self.b.algo})" \
               f" = {format_bytes(self.size)}; {self.faster_below} wins below it"

    def rows(self) -> list[tuple[str, str]]:
        if self.size is None:
            return [("crossover", "none"), ("faster everywhere", str(self.faster_below))]
        other = ({self.a.algo, self.b.algo} - {self.faster_below}).pop()
        return [("crossover size", f"{format_bytes(self.size)} ({self.size:.4g} B)"),
                (f"{self.faster_below} faster", "below"), (f"{other} faster", "above")]


def crossover(op: str, a: str, b: str, ranks: int, link: Link, **kw) -> Crossover:
    """The size S* where ``a`` and ``b`` take equal time; for ring vs tree all-reduce with γ = 0:
    S* = p(p − 1 − ⌈lg p⌉)·α/β (from :func:`_ring_allreduce` and :func:`_tree_allreduce`)."""
    ta, tb = collective(op, a, ranks, 0.0, link, **kw), collective(op, b, ranks, 0.0, link, **kw)
    (aa, ab), (ba, bb) = ta.affine(), tb.affine()
    size = (ba - aa) / (ab - bb) if ab != bb else math.nan
    if not (math.isfinite(size) and size > 0):
        return Crossover(op, ta, tb, None, a if (aa, ab) <= (ba, bb) else b)
    return Crossover(op, ta, tb, size, a if aa < ba else b)

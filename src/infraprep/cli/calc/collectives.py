"""``calc collective`` and ``calc crossover``: α–β–γ collective times and the ring-vs-tree crossover.

The model module is imported inside the commands: ``infraprep --help`` need not build its dataclasses.
The names below feed the help text; a test keeps them equal to ``calc.collectives``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from infraprep.calc.hardware import ACCELERATORS, get_accelerator
from infraprep.cli import quantity
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP
from infraprep.errors import InfraprepError, InvalidValue

OPS = ("allreduce", "allgather", "reducescatter", "broadcast", "alltoall")
ALL_ALGOS = ("btree", "hier", "innet", "rd", "rhd", "ring", "tree")

Op = Annotated[str, typer.Option("--op", help=f"Collective: {', '.join(OPS)}.")]
Ranks = Annotated[int, typer.Option("--ranks", help="Number of ranks p (≥ 2).")]
Bandwidth = Annotated[float | None, typer.Option(
    "--bandwidth", parser=quantity.bandwidth, metavar="BW",
    help="Link bandwidth per rank per direction (450e9, 450GB/s, 400Gbps). Default: --gpu's scale-up link.")]
Alpha = Annotated[float, typer.Option("--alpha", parser=quantity.duration_or_zero, metavar="SECONDS",
                                      help="Per-message latency α (5e-6, 5us).")]
Gpu = Annotated[str | None, typer.Option("--gpu", help=f"Take links from the catalogue: {', '.join(ACCELERATORS)}.")]
PerNode = Annotated[int | None, typer.Option("--ranks-per-node", help="Ranks per node g (default: --gpu's "
                                             "scale-up domain, else all ranks on one node).")]
InterBw = Annotated[float | None, typer.Option("--inter-bandwidth", parser=quantity.bandwidth, metavar="BW",
                                               help="Inter-node link per rank per direction (default: --gpu's NIC).")]
InterAlpha = Annotated[float, typer.Option("--inter-alpha", parser=quantity.duration_or_zero, metavar="SECONDS",
                                           help="Inter-node per-message latency.")]
InterAlgo = Annotated[str, typer.Option("--inter-algo", help="All-reduce across nodes in hier: ring, tree, rhd, rd.")]
Innet = Annotated[str, typer.Option("--innet", help="In-network flavour for --algo innet: sharp or nvls.")]
ReduceBw = Annotated[float | None, typer.Option(
    "--reduce-bandwidth", parser=quantity.bandwidth, metavar="BW",
    help="Local reduction throughput; γ = 1/this s/byte (default: reduction free, γ = 0).")]
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _links(ranks: int, bandwidth: float | None, alpha: float, gpu: str | None, ranks_per_node: int | None,
           inter_bandwidth: float | None, inter_alpha: float):
    """Intra link, inter link and ranks per node from the options (``--gpu`` fills the gaps)."""
    from infraprep.calc.collectives import Link

    if ranks < 2:
        raise InvalidValue("--ranks", ranks, "an integer ≥ 2")
    if gpu is not None:
        accel = get_accelerator(gpu)
        bandwidth = bandwidth or accel.scale_up_bandwidth or accel.nic_bandwidth
        inter_bandwidth = inter_bandwidth or accel.nic_bandwidth
        if ranks_per_node is None:
            domain = accel.scale_up_domain
            ranks_per_node = ranks if ranks <= domain or ranks % domain else domain
    if bandwidth is None:
        raise InfraprepError("give --bandwidth BW (per rank per direction) or --gpu NAME")
    if ranks_per_node is not None and (ranks_per_node < 1 or ranks % ranks_per_node):
        raise InvalidValue("--ranks-per-node", ranks_per_node, f"a positive divisor of ranks={ranks}")
    inter = Link(inter_bandwidth, inter_alpha, "inter-") if inter_bandwidth is not None else None
    return Link(bandwidth, alpha), inter, ranks_per_node


def collective_cmd(
    op: Op = "allreduce",
    algo: Annotated[str, typer.Option("--algo", help=f"Algorithm: {', '.join(ALL_ALGOS)} (per op: see docs).")] = "ring",
    ranks: Ranks = 8,
    size: Annotated[float, typer.Option("--bytes", parser=quantity.byte_size, metavar="BYTES",
                                        help="Size S, nccl-tests convention (1e9, 1GiB).")] = 1e9,
    bandwidth: Bandwidth = None,
    alpha: Alpha = 5e-6,
    gpu: Gpu = None,
    ranks_per_node: PerNode = None,
    inter_bandwidth: InterBw = None,
    inter_alpha: InterAlpha = 10e-6,
    inter_algo: InterAlgo = "ring",
    innet: Innet = "sharp",
    reduce_bandwidth: ReduceBw = None,
    as_json: JsonFlag = False,
) -> None:
    """Collective time by the α–β–γ model, with algbw and busbw (nccl-tests factors)."""
    from infraprep.calc.collectives import collective
    link, inter, per_node = _links(ranks, bandwidth, alpha, gpu, ranks_per_node, inter_bandwidth, inter_alpha)
    result = collective(op, algo, ranks, size, link, gamma=1 / reduce_bandwidth if reduce_bandwidth else 0.0,
                        ranks_per_node=per_node, inter=inter, inter_algo=inter_algo, innet=innet)
    show(result, as_json, f"{algo} {op} on {ranks} ranks")


def crossover_cmd(
    op: Op = "allreduce",
    a: Annotated[str, typer.Option("--a", help="First algorithm (the latency-friendly one).")] = "tree",
    b: Annotated[str, typer.Option("--b", help="Second algorithm.")] = "ring",
    ranks: Ranks = 8,
    bandwidth: Bandwidth = None,
    alpha: Alpha = 5e-6,
    gpu: Gpu = None,
    ranks_per_node: PerNode = None,
    inter_bandwidth: InterBw = None,
    inter_alpha: InterAlpha = 10e-6,
    reduce_bandwidth: ReduceBw = None,
    as_json: JsonFlag = False,
) -> None:
    """The message size where two algorithms take equal time (tree beats ring below it)."""
    from infraprep.calc.collectives import crossover
    link, inter, per_node = _links(ranks, bandwidth, alpha, gpu, ranks_per_node, inter_bandwidth, inter_alpha)
    result = crossover(op, a, b, ranks, link, gamma=1 / reduce_bandwidth if reduce_bandwidth else 0.0,
                       ranks_per_node=per_node, inter=inter)
    show(result, as_json, f"{a} vs {b} {op} on {ranks} ranks")

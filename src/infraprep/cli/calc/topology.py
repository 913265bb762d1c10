"""``calc topology``: k-ary fat-tree counts, or a rail-optimized fabric for N GPUs."""


from typing import Annotated

import typer

from infraprep.cli import quantity
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP
from infraprep.errors import InfraprepError

# defaults of the options that belong to one fabric only; a value other than these is refused for the other
TIERS, OVERSUBSCRIPTION, GPUS_PER_NODE, NICS_PER_GPU = 3, 1, 8, 1


def topology_command(
    is_fat_tree: Annotated[bool, typer.Option("--fat-tree", help="A k-ary fat-tree (Al-Fares et al. 2008).")] = False,
    rail: Annotated[bool, typer.Option("--rail", help="A rail-optimized fabric for --gpus GPUs.")] = False,
    radix: Annotated[int, typer.Option(help="Ports per switch (k), even.")] = 64,
    tiers: Annotated[int, typer.Option(help="Fat-tree tiers: 2 (leaf-spine) or 3.")] = TIERS,
    oversubscription: Annotated[int, typer.Option(help="R in R:1 at the edge tier (1 = non-blocking).")] = OVERSUBSCRIPTION,
    link: Annotated[float, typer.Option(parser=quantity.bandwidth, metavar="BW",
                                        help="Per-link bandwidth per direction, e.g. 400Gbps.")] = 50e9,
    gpus: Annotated[int | None, typer.Option(help="GPUs to connect (--rail).")] = None,
    gpus_per_node: Annotated[int, typer.Option(help="GPUs per node (--rail).")] = GPUS_PER_NODE,
    nics_per_gpu: Annotated[int, typer.Option(help="Scale-out NICs per GPU (--rail).")] = NICS_PER_GPU,
    copper_host_links: Annotated[bool, typer.Option("--copper-host-links",
                                                    help="Host links are copper DAC (no transceivers).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Switches, links, transceivers and bisection bandwidth of a fat-tree or a rail-optimized fabric."""
    from infraprep.calc.topology import fat_tree, rail_optimized  # here, not at start-up

    if is_fat_tree == rail:
        raise InfraprepError("give exactly one of --fat-tree or --rail")
    ignored = ([("--gpus", gpus is not None), ("--gpus-per-node", gpus_per_node != GPUS_PER_NODE),
                ("--nics-per-gpu", nics_per_gpu != NICS_PER_GPU)] if is_fat_tree else
               [("--tiers", tiers != TIERS), ("--oversubscription", oversubscription != OVERSUBSCRIPTION)])
    if given := [name for name, changed in ignored if changed]:
        why = ("--rail only" if is_fat_tree else
               "--fat-tree only: a rail fabric is non-blocking and its tiers follow from --gpus and --radix")
        raise InfraprepError(f"{', '.join(given)} applies to {why}")
    if is_fat_tree:
        result = fat_tree(radix, tiers, oversubscription, link, not copper_host_links)
        show(result, as_json, f"{tiers}-tier fat-tree of {radix}-port switches")
        return
    if gpus is None:
        raise InfraprepError("--rail needs --gpus N")
    result = rail_optimized(gpus, gpus_per_node, nics_per_gpu, radix, link, not copper_host_links)
    show(result, as_json, f"Rail-optimized fabric for {gpus:,} GPUs ({radix}-port switches)")

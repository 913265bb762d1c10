"""A k = 4 fat tree and a small rail-optimised fabric, wired from ``calc topology``'s counts.

Left: the three-tier k-ary fat tree of Al-Fares et al. (2008, §3.3) at k = 4 — k pods of k/2 edge and
k/2 aggregation switches, (k/2)² core switches, k³/4 hosts; aggregation switch j of every pod
connects to core switches j·k/2 … j·k/2 + k/2 − 1. Right: a rail-optimised fabric (NVIDIA DGX
SuperPOD reference architecture) of 8-port switches for 8 nodes × 4 GPUs: a scalable unit is k/2
nodes, NIC i of every node in a unit meets on the unit's rail-i leaf, and every leaf reaches the
spines. Switch and link counts come from :func:`infraprep.calc.topology.fat_tree` and
:func:`infraprep.calc.topology.rail_optimized`; the wiring below builds the links that realise
them, and the tests check that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infraprep.diagrams import diagram, figure, save

FAT_TREE_RADIX = 4
RAIL = {"gpus": 32, "gpus_per_node": 4, "radix": 8}
RAIL_COLORS = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#EECA3B", "#9D755D")


@dataclass(frozen=True)
class Wiring:
    """Switches per tier (names in drawing order) and links as (lower, upper) name pairs per tier."""

    tiers: dict[str, list[str]]
    links: dict[str, list[tuple[str, str]]]


def fat_tree_wiring(k: int = FAT_TREE_RADIX) -> Wiring:
    """Every switch and link of a non-blocking three-tier k-ary fat tree (Al-Fares et al. 2008, §3.3)."""
    half = k // 2
    edge = [f"e{p}.{i}" for p in range(k) for i in range(half)]
    agg = [f"a{p}.{j}" for p in range(k) for j in range(half)]
    core = [f"c{c}" for c in range(half * half)]
    hosts = [f"h{p}.{i}.{h}" for p in range(k) for i in range(half) for h in range(half)]
    links = {
        "host-edge": [(f"h{p}.{i}.{h}", f"e{p}.{i}") for p in range(k) for i in range(half) for h in range(half)],
        "edge-aggregation": [(f"e{p}.{i}", f"a{p}.{j}") for p in range(k) for i in range(half) for j in range(half)],
        "aggregation-core": [(f"a{p}.{j}", f"c{j * half + c}") for p in range(k) for j in range(half)
                             for c in range(half)],
    }
    return Wiring({"host": hosts, "edge": edge, "aggregation": agg, "core": core}, links)


def rail_wiring(gpus: int, gpus_per_node: int, radix: int) -> tuple[Wiring, object]:
    """Every switch and link of a two-tier rail-optimised fabric, with the calculator's result.

    GPU g of node n sits on rail g: its NIC goes to leaf (unit of n, rail g); uplink j of every leaf
    goes to spine j mod spines. Only the two-tier case is drawn (it is the one that fits a page).
    """
    from infraprep.calc.topology import rail_optimized
    from infraprep.errors import InfraprepError

    fabric = rail_optimized(gpus, gpus_per_node=gpus_per_node, radix=radix)
    if fabric.tiers != 2:
        raise InfraprepError(f"the rail diagram draws two tiers; {gpus} GPUs of {radix}-port switches need "
                             f"{fabric.tiers}")
    half = radix // 2
    leaves = [f"L{u}.{r}" for u in range(fabric.units) for r in range(fabric.rails)]
    spines = [f"S{s}" for s in range(fabric.switches_per_tier["spine"])]
    nics = [f"n{n}.g{g}" for n in range(fabric.nodes) for g in range(gpus_per_node)]
    links = {
        "nic-leaf": [(f"n{n}.g{g}", f"L{n // fabric.nodes_per_unit}.{g}") for n in range(fabric.nodes)
                     for g in range(gpus_per_node)],
        "leaf-spine": [(leaf, spines[j % len(spines)]) for leaf in leaves for j in range(half)],
    }
    return Wiring({"nic": nics, "leaf": leaves, "spine": spines}, links), fabric


def _row(names: list[str], y: float, x0: float, x1: float) -> dict[str, tuple[float, float]]:
    step = (x1 - x0) / len(names)
    return {name: (x0 + step * (i + 0.5), y) for i, name in enumerate(names)}


def _switches(ax, where: dict[str, tuple[float, float]], color: str, width: float, label) -> None:
    from matplotlib.patches import Rectangle

    for name, (x, y) in where.items():
        ax.add_patch(Rectangle((x - width / 2, y - 0.18), width, 0.36, facecolor=color, edgecolor="#333333",
                               linewidth=0.7, zorder=3))
        ax.text(x, y, label(name), ha="center", va="center", fontsize=5.5, color="white", zorder=4)


def _links(ax, pairs, where, color="#999999", width=0.6) -> None:
    for lower, upper in pairs:
        (x0, y0), (x1, y1) = where[lower], where[upper]
        ax.plot([x0, x1], [y0, y1], color=color(lower) if callable(color) else color, linewidth=width, zorder=1)


def _draw_fat_tree(ax) -> None:
    from infraprep.calc.topology import fat_tree

    k = FAT_TREE_RADIX
    counts = fat_tree(k, tiers=3)
    wiring = fat_tree_wiring(k)
    where = {}
    for tier, y in (("core", 3.0), ("aggregation", 2.0), ("edge", 1.0), ("host", 0.0)):
        where.update(_row(wiring.tiers[tier], y, 0.0, 16.0))
    for tier in wiring.links:
        _links(ax, wiring.links[tier], where)
    _switches(ax, {n: where[n] for n in wiring.tiers["core"]}, "#444444", 1.2, lambda n: "core")
    _switches(ax, {n: where[n] for n in wiring.tiers["aggregation"]}, "#777777", 1.2, lambda n: "agg")
    _switches(ax, {n: where[n] for n in wiring.tiers["edge"]}, "#999999", 1.2, lambda n: "edge")
    for name in wiring.tiers["host"]:
        x, y = where[name]
        ax.plot([x], [y], "s", color="#333333", markersize=5, zorder=3)
    for p in range(k):
        ax.text(4.0 * p + 2.0, -0.55, f"pod {p}", ha="center", fontsize=7)
    per_tier = ", ".join(f"{n} {tier}" for tier, n in counts.switches_per_tier.items())
    ax.set_title(f"k = {k} fat tree: {counts.hosts} hosts (k³/4), {counts.switches} switches ({per_tier}),\n"
                 f"{counts.links} links; every tier carries one link per host: non-blocking", fontsize=8)
    ax.text(8.0, -1.3, "pod = k/2 edge + k/2 aggregation switches; aggregation j → core j·k/2 … j·k/2 + k/2 − 1\n"
            "worst case: host → edge → agg → core → agg → edge → host (5 switch hops)",
            ha="center", fontsize=6.5, color="#333333")


def _draw_rail(ax) -> None:
    wiring, fabric = rail_wiring(**RAIL)
    rails, per_node = fabric.rails, fabric.gpus_per_node
    where = _row(wiring.tiers["spine"], 3.0, 2.0, 14.0)
    where.update(_row(wiring.tiers["leaf"], 2.0, 0.0, 16.0))
    node_width = 16.0 / fabric.nodes
    for n in range(fabric.nodes):
        for g in range(per_node):
            where[f"n{n}.g{g}"] = (node_width * n + node_width * (g + 0.5) / per_node, 0.0)
    _links(ax, wiring.links["leaf-spine"], where)
    _links(ax, wiring.links["nic-leaf"], where, color=lambda nic: RAIL_COLORS[int(nic.split(".g")[1])], width=0.8)
    _switches(ax, {n: where[n] for n in wiring.tiers["spine"]}, "#444444", 1.4, lambda n: "spine")
    from matplotlib.patches import FancyBboxPatch, Rectangle

    for leaf in wiring.tiers["leaf"]:
        x, y = where[leaf]
        rail = int(leaf.split(".")[1])
        ax.add_patch(Rectangle((x - 0.8, y - 0.18), 1.6, 0.36, facecolor=RAIL_COLORS[rail], edgecolor="#333333",
                               linewidth=0.7, zorder=3))
        ax.text(x, y, f"rail {rail}", ha="center", va="center", fontsize=5.5, color="white", zorder=4)
    for n in range(fabric.nodes):
        ax.add_patch(FancyBboxPatch((node_width * n + 0.1, -0.3), node_width - 0.2, 0.6, boxstyle="round,pad=0.02",
                                    fill=False, linewidth=0.8, zorder=2))
        ax.text(node_width * (n + 0.5), -0.55, f"node {n}", ha="center", fontsize=6.5)
        for g in range(per_node):
            x, y = where[f"n{n}.g{g}"]
            ax.plot([x], [y], "s", color=RAIL_COLORS[g], markersize=5, zorder=3)
    for u in range(fabric.units):
        x = 16.0 * (u + 0.5) / fabric.units
        ax.text(x, -0.9, f"scalable unit {u}: {fabric.nodes_per_unit} nodes (k/2)", ha="center", fontsize=7,
                fontweight="bold")
        ax.plot([16.0 * u / fabric.units + 0.15, 16.0 * (u + 1) / fabric.units - 0.15], [-0.72, -0.72],
                color="#333333", linewidth=0.8)
    per_tier = ", ".join(f"{n} {tier}" for tier, n in fabric.switches_per_tier.items())
    ax.set_title(f"rail-optimised, {fabric.radix}-port switches: {fabric.gpus} GPUs in {fabric.nodes} nodes, "
                 f"{rails} rails, {fabric.switches} switches ({per_tier}),\n{fabric.links} links; "
                 "GPU i of every node in a unit shares the rail-i leaf", fontsize=8)
    ax.text(8.0, -1.6, "same rail, same unit: 1 switch hop (DP/PP peers: GPU i ↔ GPU i); otherwise leaf → spine → "
            f"leaf, {2 * fabric.tiers - 1} hops\ncross-rail traffic moves over NVLink inside the node first "
            "(NCCL PXN)", ha="center", fontsize=6.5, color="#333333")


@diagram("fat-tree-rail", 7, "A k = 4 fat tree and a rail-optimised fabric (8 nodes × 4 GPUs, 8-port switches), "
         "wired from calc topology's counts")
def draw(path: Path) -> None:
    fig = figure(9, 8.4)
    fat_ax, rail_ax = fig.subplots(2, 1)
    for ax in (fat_ax, rail_ax):
        ax.set_xlim(-0.3, 16.3)
        ax.set_ylim(-1.9, 3.45)
        ax.axis("off")
    _draw_fat_tree(fat_ax)
    _draw_rail(rail_ax)
    save(fig, path)

"""Cluster network topology: k-ary fat-trees (2 and 3 tiers) and rail-optimized GPU fabrics.

Conventions (parameters with defaults):

* every switch has ``radix`` (k) ports of one speed, ``link_bandwidth`` bytes/s **per direction**
  (default 50e9 = 400 Gb/s);
* ``oversubscription`` R (as in "R:1") is taken at the edge/leaf tier: an edge switch gives
  ``k·R/(R+1)`` ports to hosts and ``k/(R+1)`` to the tier above; the tiers above are non-blocking.
  R = 1 is the full-bisection fat-tree of Al-Fares et al. 2008;
* ``bisection_bandwidth`` is the capacity, in one direction, across a cut that splits the hosts
  into two equal halves: ``hosts · link_bandwidth / (2R)``;
* optics: every switch-to-switch link is optical, two transceivers per link (one at each end);
  host links are optical too unless ``host_links_optical=False`` (copper DAC inside the rack).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.calc.units import format_bandwidth
from infraprep.errors import InvalidValue

__all__ = ["FatTree", "RailFabric", "fat_tree", "rail_optimized"]


def _radix(k: int) -> None:
    if not isinstance(k, int) or k < 4 or k % 2:
        raise InvalidValue("--radix", k, "an even number of switch ports ≥ 4")


def _bandwidth(bw: float) -> None:
    if not isinstance(bw, (int, float)) or not math.isfinite(bw) or bw <= 0:
        raise InvalidValue("--link", bw, "a link bandwidth > 0")


class _Counts:
    """Totals shared by both fabrics: switches and links summed over tiers, transceivers."""

    switches_per_tier: dict[str, int]
    links_per_tier: dict[str, int]
    host_links_optical: bool

    @property
    def host_links(self) -> int:
        return next(iter(self.links_per_tier.values()))  # the first tier is the hosts' (NICs') links

    @property
    def switches(self) -> int:
        return sum(self.switches_per_tier.values())

    @property
    def links(self) -> int:
        return sum(self.links_per_tier.values())

    @property
    def optics(self) -> int:
        """Transceivers: two per optical link (one at each end); host links only when optical."""
        optical = self.links - (0 if self.host_links_optical else self.host_links)
        return 2 * optical


@dataclass(frozen=True)
class FatTree(_Counts):
    """A k-ary fat-tree: switch, link and transceiver counts and its bisection bandwidth."""

    radix: int
    tiers: int
    oversubscription: int
    link_bandwidth: float
    host_links_optical: bool
    hosts: int
    pods: int
    switches_per_tier: dict[str, int]
    links_per_tier: dict[str, int]

    @property
    def bisection_bandwidth(self) -> float:
        return self.hosts * self.link_bandwidth / (2 * self.oversubscription)

    def to_dict(self) -> dict:
        return {
            "radix": self.radix,
            "tiers": self.tiers,
            "hosts": self.hosts,
            "switches": self.switches,
            "pods": self.pods,
            "switches_per_tier": dict(self.switches_per_tier),
            "links": self.links,
            "links_per_tier": dict(self.links_per_tier),
            "optics": self.optics,
            "oversubscription": self.oversubscription,
            "link_bandwidth": self.link_bandwidth,
            "bisection_bandwidth": self.bisection_bandwidth,
            "conventions": {
                "oversubscription": "R:1 at the edge tier, non-blocking above",
                "bisection_bandwidth": "one direction across an equal split of the hosts",
                "optics": "two transceivers per optical link; host links "
                          + ("optical" if self.host_links_optical else "copper"),
            },
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [("hosts", f"{self.hosts:,}"), ("switches", f"{self.switches:,}")]
        rows += [(f"  {tier}", f"{n:,}") for tier, n in self.switches_per_tier.items()]
        rows += [("links", f"{self.links:,}")]
        rows += [(f"  {tier}", f"{n:,}") for tier, n in self.links_per_tier.items()]
        rows += [("transceivers", f"{self.optics:,}"), ("oversubscription", f"{self.oversubscription}:1"),
                 ("bisection bandwidth", format_bandwidth(self.bisection_bandwidth))]
        return rows

    def explain(self) -> str:
        k, r = self.radix, self.oversubscription
        down, up = k * r // (r + 1), k // (r + 1)
        lines = [f"k = {k} ports; edge switch: {down} down to hosts, {up} up (oversubscription {r}:1)"]
        if self.tiers == 2:
            lines.append(f"leaves = k = {k} (one per spine port); spines = uplinks per leaf = {up}")
            lines.append(f"hosts = k·{down} = {self.hosts:,}" + (" = k²/2" if r == 1 else ""))
        else:
            agg = self.switches_per_tier["aggregation"] // self.pods
            lines.append(f"pods = k = {k}; per pod k/2 = {k // 2} edge and {agg} aggregation switches")
            lines.append(f"core = aggregation uplinks / k = {k}·{agg}·{k // 2}/{k} = {self.switches_per_tier['core']:,}"
                         + (" = (k/2)²" if r == 1 else ""))
            lines.append(f"hosts = k·(k/2)·{down} = {self.hosts:,}" + (" = k³/4" if r == 1 else ""))
            if r == 1:
                lines.append(f"switches = k² + (k/2)² = 5k²/4 = {self.switches:,}")
        lines.append(f"bisection = hosts·link/(2R) = {self.hosts:,}·{format_bandwidth(self.link_bandwidth)}/{2 * r} "
                     f"= {format_bandwidth(self.bisection_bandwidth)}")
        lines.append("source: Al-Fares, Loukissas, Vahdat 2008, A Scalable, Commodity Data Center Network "
                     "Architecture, §3.3")
        return "\n".join(lines)


def fat_tree(radix: int, tiers: int = 3, oversubscription: int = 1, link_bandwidth: float = 50e9,
             host_links_optical: bool = True) -> FatTree:
    """Counts for a k-ary fat-tree (Al-Fares et al. 2008 §3.3; 2 tiers = leaf-spine).

    Three tiers (R = 1): k pods of k/2 edge and k/2 aggregation switches, (k/2)² core switches,
    k³/4 hosts, 5k²/4 switches. Two tiers (R = 1): k leaves, k/2 spines, k²/2 hosts. Every port of
    every switch is used, which the tests check.
    """
    _radix(radix)
    _bandwidth(link_bandwidth)
    if tiers not in (2, 3):
        raise InvalidValue("--tiers", tiers, "2 (leaf-spine) or 3 (edge, aggregation, core)")
    if not isinstance(oversubscription, int) or oversubscription < 1 or radix % (oversubscription + 1):
        raise InvalidValue("--oversubscription", oversubscription,
                           f"a whole R ≥ 1 with R+1 dividing radix={radix} (edge ports split R:1)")
    r = oversubscription
    down, up = radix * r // (r + 1), radix // (r + 1)
    if tiers == 2:
        leaves, spines = radix, up
        hosts = leaves * down
        switches = {"leaf": leaves, "spine": spines}
        links = {"host-leaf": hosts, "leaf-spine": leaves * up}
        pods = 1
    else:
        pods, edge_per_pod, agg_per_pod = radix, radix // 2, up
        core = agg_per_pod * radix // 2
        hosts = pods * edge_per_pod * down
        switches = {"edge": pods * edge_per_pod, "aggregation": pods * agg_per_pod, "core": core}
        links = {"host-edge": hosts, "edge-aggregation": pods * edge_per_pod * agg_per_pod,
                 "aggregation-core": pods * agg_per_pod * (radix // 2)}
    return FatTree(radix, tiers, r, float(link_bandwidth), host_links_optical, hosts, pods, switches, links)


@dataclass(frozen=True)
class RailFabric(_Counts):
    """A rail-optimized fabric: the i-th NIC of every node in a scalable unit meets on one leaf."""

    gpus: int
    gpus_per_node: int
    nics_per_gpu: int
    radix: int
    link_bandwidth: float
    host_links_optical: bool
    nodes: int
    rails: int
    nodes_per_unit: int
    units: int
    tiers: int
    switches_per_tier: dict[str, int]
    links_per_tier: dict[str, int]

    @property
    def endpoints(self) -> int:
        return self.nodes * self.rails

    @property
    def bisection_bandwidth(self) -> float:
        return self.endpoints * self.link_bandwidth / 2

    def to_dict(self) -> dict:
        return {
            "gpus": self.gpus,
            "nodes": self.nodes,
            "gpus_per_node": self.gpus_per_node,
            "nics_per_gpu": self.nics_per_gpu,
            "rails": self.rails,
            "endpoints": self.endpoints,
            "scalable_units": self.units,
            "nodes_per_unit": self.nodes_per_unit,
            "tiers": self.tiers,
            "switches": self.switches,
            "switches_per_tier": dict(self.switches_per_tier),
            "links": self.links,
            "links_per_tier": dict(self.links_per_tier),
            "optics": self.optics,
            "link_bandwidth": self.link_bandwidth,
            "bisection_bandwidth": self.bisection_bandwidth,
            "switch_hops": {"same_rail_same_unit": 1, **({"same_pod": 3} if self.tiers == 3 else {}),
                            "otherwise": 2 * self.tiers - 1},
            "conventions": {"leaves": "non-blocking: k/2 ports down (one per node), k/2 up",
                            "bisection_bandwidth": "one direction across an equal split of the NICs"},
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [("GPUs / nodes", f"{self.gpus:,} / {self.nodes:,}"), ("rails", str(self.rails)),
                ("NIC endpoints", f"{self.endpoints:,}"), ("scalable units", f"{self.units:,} × {self.nodes_per_unit} nodes"),
                ("tiers", str(self.tiers)), ("switches", f"{self.switches:,}")]
        rows += [(f"  {tier}", f"{n:,}") for tier, n in self.switches_per_tier.items()]
        rows += [("links", f"{self.links:,}"), ("transceivers", f"{self.optics:,}"),
                 ("bisection bandwidth", format_bandwidth(self.bisection_bandwidth))]
        return rows

    def explain(self) -> str:
        k = self.radix
        lines = [f"nodes = {self.gpus:,}/{self.gpus_per_node} = {self.nodes:,}; rails = GPUs/node · NICs/GPU = "
                 f"{self.gpus_per_node}·{self.nics_per_gpu} = {self.rails}",
                 f"scalable unit = k/2 = {self.nodes_per_unit} nodes, one leaf per rail; units = "
                 f"⌈{self.nodes:,}/{self.nodes_per_unit}⌉ = {self.units:,}; leaves = units·rails = "
                 f"{self.switches_per_tier['leaf']:,}"]
        if self.tiers == 2:
            lines.append(f"spines = ⌈leaves·(k/2)/k⌉ = {self.switches_per_tier['spine']:,} (every leaf reaches every spine)")
        else:
            lines.append(f"pods of k/2 = {k // 2} leaves with k/2 spines each; core = ⌈spines·(k/2)/k⌉ = "
                         f"{self.switches_per_tier['core']:,}")
        pod = "; other rail or unit in the same pod: 3 (leaf–spine–leaf)" if self.tiers == 3 else ""
        lines.append(f"same rail, same unit: 1 switch hop{pod}; otherwise {2 * self.tiers - 1} "
                     "(NVIDIA DGX SuperPOD reference architecture: rail-optimized, one leaf per rail per SU)")
        return "\n".join(lines)


def rail_optimized(gpus: int, gpus_per_node: int = 8, nics_per_gpu: int = 1, radix: int = 64,
                   link_bandwidth: float = 50e9, host_links_optical: bool = True) -> RailFabric:
    """A non-blocking rail-optimized fabric for ``gpus`` GPUs.

    Each node has ``gpus_per_node · nics_per_gpu`` NICs; NIC i of every node is on rail i. A scalable
    unit (SU) is k/2 nodes whose rail-i NICs share one leaf (k/2 down, k/2 up), so collectives among
    same-rank GPUs stay one switch hop inside an SU. Above the leaves: one spine tier when the leaves
    fit (≤ k leaves, each reaching every spine), else pods of k/2 leaves and k/2 spines under a core
    tier (≤ k pods); beyond that the radix is too small and it is an error.
    """
    _radix(radix)
    _bandwidth(link_bandwidth)
    for name, value in (("--gpus", gpus), ("--gpus-per-node", gpus_per_node), ("--nics-per-gpu", nics_per_gpu)):
        if not isinstance(value, int) or value < 1:
            raise InvalidValue(name, value, "a positive integer")
    if gpus % gpus_per_node:
        raise InvalidValue("--gpus", gpus, f"a multiple of --gpus-per-node={gpus_per_node} (whole nodes)")
    nodes = gpus // gpus_per_node
    rails = gpus_per_node * nics_per_gpu
    per_unit = radix // 2
    units = -(-nodes // per_unit)
    leaves = units * rails
    half = radix // 2
    if leaves <= radix:
        tiers = 2
        spines = -(-leaves * half // radix)
        switches = {"leaf": leaves, "spine": spines}
        links = {"nic-leaf": nodes * rails, "leaf-spine": leaves * half}
    else:
        pods = -(-leaves // half)
        if pods > radix:
            raise InvalidValue("--radix", radix, f"more ports: {leaves:,} leaves need more than 3 tiers of "
                               f"{radix}-port switches (at most {radix * half:,} leaves)")
        tiers = 3
        spines = pods * half
        core = -(-spines * half // radix)
        switches = {"leaf": leaves, "spine": spines, "core": core}
        links = {"nic-leaf": nodes * rails, "leaf-spine": leaves * half, "spine-core": spines * half}
    return RailFabric(gpus, gpus_per_node, nics_per_gpu, radix, float(link_bandwidth), host_links_optical, nodes,
                      rails, per_unit, units, tiers, switches, links)

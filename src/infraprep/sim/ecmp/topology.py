"""The leaf-spine fabric of the ECMP simulator: link numbering, subflows, and how paths are chosen.

``leaves`` leaves, each wired to every one of ``uplinks`` spines by one link (m equal-cost uplinks per
leaf); ``flows`` connections per leaf, connection h of leaf i going from host (i, h) to host
(i+1 mod L, h) — the neighbour exchange of a ring collective across leaves. With one leaf only the
source side is modelled: n flows hashed onto m uplinks. Every link, NICs included, has capacity C.

Per trial the links are numbered::

    uplink(i, s)      = i·m + s                     leaf i → spine s
    downlink(s, j)    = L·m + j·m + s               spine s → leaf j        (L ≥ 2 only)
    src NIC (i, h)    = D + i·n + h                 D = L·m (L = 1) or 2·L·m
    dst NIC (j, h)    = D + L·n + j·n + h           (L ≥ 2 only)

A connection is split into ``qps`` subflows (queue pairs; Llama 3 used 16, Dubey et al. 2024 §3.3.1),
each hashed on its own. Path choice per subflow:

* ``ecmp``      a hash of the 5-tuple, modelled as a uniform random spine per subflow;
* ``spray``     per-packet spraying, in its fluid limit: the bytes split evenly over all m spines;
* ``flowlet``   the subflow is sent as k bursts, each re-hashed to a random spine when it starts
                (LetFlow, Vanini et al. NSDI 2017);
* ``adaptive``  congestion-aware: each subflow (and each flowlet) takes the spine whose path has the
                fewest active subflows, ties at random (adaptive routing / CONGA-style).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["POLICIES", "Fabric"]

POLICIES = ("ecmp", "spray", "flowlet", "adaptive")


@dataclass(frozen=True)
class Fabric:
    """Sizes and link numbering of one trial's fabric."""

    leaves: int
    uplinks: int
    flows: int

    @property
    def two_stage(self) -> bool:
        return self.leaves > 1

    @property
    def n_links(self) -> int:
        L, m, n = self.leaves, self.uplinks, self.flows
        return (2 * L * m + 2 * L * n) if self.two_stage else (L * m + L * n)

    @property
    def n_uplinks(self) -> int:
        return self.leaves * self.uplinks

    def connections(self):
        """(source leaf, host) of every connection, leaf-major: arrays of length L·n."""
        import numpy as np

        leaf = np.repeat(np.arange(self.leaves), self.flows)
        host = np.tile(np.arange(self.flows), self.leaves)
        return leaf, host

    def paths(self, leaf, host, spine):
        """Link indices (…, P) for subflows of connections (leaf, host) sent via ``spine``."""
        import numpy as np

        L, m, n = self.leaves, self.uplinks, self.flows
        up = leaf * m + spine
        base = 2 * L * m if self.two_stage else L * m
        src = np.broadcast_to(base + leaf * n + host, up.shape)
        if not self.two_stage:
            return np.stack([src, up], axis=-1)
        dst_leaf = (leaf + 1) % L
        down = L * m + dst_leaf * m + spine
        dst = np.broadcast_to(base + L * n + dst_leaf * n + host, up.shape)
        return np.stack([src, up, down, dst], axis=-1)

    def least_loaded(self, counts, leaf, rng):
        """Spine with the fewest active subflows on its path (max of uplink, downlink), random ties.

        ``counts`` is (T, K) active subflows per link; ``leaf`` (T,) the source leaf of the subflow
        being placed in each trial. Returns (T,) spines.
        """
        import numpy as np

        L, m = self.leaves, self.uplinks
        spines = np.arange(m)
        rows = np.arange(counts.shape[0])[:, None]
        load = counts[rows, leaf[:, None] * m + spines]
        if self.two_stage:
            down = L * m + ((leaf[:, None] + 1) % L) * m + spines
            load = np.maximum(load, counts[rows, down])
        noise = rng.random(load.shape)  # uniform tie-break
        return np.argmin(load + 0.5 * noise, axis=1)

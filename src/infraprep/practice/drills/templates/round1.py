"""Round 1 drills: global-memory loads of naive vs shared-memory tiled matmul (labs/kernels)."""

from __future__ import annotations

import random

from infraprep.labs.kernels.matmul import naive_loads, tiled_loads
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template


@template("r1.tiled-loads", "r1.cuda-smem-matmul", "Global loads of a shared-memory tiled matmul")
def tiled_load_count(rng: random.Random) -> Drill:
    n = m = rng.choice((256, 1024, 4096))
    k = rng.choice((256, 1024, 4096))
    tile = rng.choice((8, 16, 32))
    loads = tiled_loads(n, k, m, tile)
    return Drill(
        f"C[{n}×{m}] = A[{n}×{k}]·B[{k}×{m}] with {tile}×{tile} thread blocks staging tiles of A and B in shared "
        "memory, each element loaded once per tile. How many element loads from global memory in total?",
        "count", expected=loads, tolerance=0.01,
        explain=f"tiled: k·(n·⌈m/t⌉ + m·⌈n/t⌉) = {k}·({n}·{-(-m // tile)} + {m}·{-(-n // tile)}) = {loads:,}; "
        f"naive: 2·n·m·k = {naive_loads(n, k, m):,} — {tile}× more",
    )


@template("r1.tiling-reduction", "r1.cuda-smem-matmul", "How much tiling cuts global traffic")
def tiling_reduction(rng: random.Random) -> Drill:
    n = rng.choice((64, 96, 200))
    tile = rng.choice((8, 16, 32))
    ratio = naive_loads(n, n, n) / tiled_loads(n, n, n, tile)
    return Drill(
        f"A {n}×{n} by {n}×{n} matmul: by what factor does a {tile}×{tile} shared-memory tiling cut the global "
        f"loads of the naive kernel (one thread per output, every operand from global memory)? (answer like 7.5x; "
        f"mind that {tile} may not divide {n})",
        "ratio", expected=ratio, tolerance=0.01,
        explain=f"naive 2n³ = {naive_loads(n, n, n):,}; tiled k·(n·⌈n/t⌉ + n·⌈n/t⌉) = {tiled_loads(n, n, n, tile):,}; "
        f"ratio {ratio:.3g} (= t = {tile} exactly when t divides n)",
    )

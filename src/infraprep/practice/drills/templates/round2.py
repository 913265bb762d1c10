"""Round 2 drills: rooflines and ridge points from the accelerator catalogue."""

from __future__ import annotations

import random

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.units import format_bandwidth, format_flops
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template

_GPUS = ("a100-80gb", "h100-sxm", "h200", "b200", "mi300x")


@template("r2.ridge-point", "r2.fp8", "Roofline ridge point of a GPU for BF16 or FP8")
def ridge_point(rng: random.Random) -> Drill:
    gpu = get_accelerator(rng.choice([g for g in _GPUS if g != "a100-80gb"]))
    dtype = rng.choice(("bf16", "fp8"))
    peak, bw = gpu.peak(dtype), gpu.hbm_bandwidth
    return Drill(
        f"{gpu.display}: dense {dtype.upper()} peak {format_flops(peak, rate=True)}, HBM "
        f"{format_bandwidth(bw)}. Above what arithmetic intensity (FLOP/byte) is a kernel compute-bound?",
        "ratio", expected=gpu.ridge_point(dtype), tolerance=0.03,
        explain=f"ridge = peak / bandwidth = {peak:.4g} / {bw:.4g} = {gpu.ridge_point(dtype):.1f} FLOP/byte",
    )


@template("r2.roofline-attainable", "r2.operator-fusion", "Attainable FLOP/s of a kernel on the roofline")
def attainable(rng: random.Random) -> Drill:
    gpu = get_accelerator(rng.choice(_GPUS))
    intensity = rng.choice((0.25, 0.5, 1, 2, 8, 32, 64, 128, 512, 1024))
    value = gpu.attainable(intensity)
    bound = "memory" if value < gpu.peak("bf16") else "compute"
    return Drill(
        f"A BF16 kernel does {intensity} FLOP per byte of HBM traffic on a {gpu.display} "
        f"({format_flops(gpu.peak('bf16'), rate=True)} dense, {format_bandwidth(gpu.hbm_bandwidth)}). "
        "What FLOP/s can it attain at best? (answer like 1.2 TFLOP/s)",
        "flop_rate", expected=value, tolerance=0.03,
        explain=f"attainable = min(peak, I × BW) = min({gpu.peak('bf16'):.4g}, {intensity} × {gpu.hbm_bandwidth:.4g}) "
        f"= {value:.4g} FLOP/s ({bound}-bound; Williams et al. 2009)",
    )


@template("r2.fp8-gemm-speedup", "r2.fp8", "Roofline speed-up of an FP8 GEMM over BF16")
def fp8_gemm_speedup(rng: random.Random) -> Drill:
    from infraprep.labs.fp8.roofline import fp8_gemm

    gpu = get_accelerator(rng.choice(("h100-sxm", "h200", "b200")))
    m = rng.choice((16, 64, 256, 4096))
    n = rng.choice((4096, 8192))
    r = fp8_gemm(m, n, n, gpu.name)
    return Drill(
        f"On a {gpu.display}, a GEMM with M = {m}, N = K = {n} reads its inputs once and writes a BF16 output. "
        "On the roofline, how much faster is it with FP8 inputs (1 byte, FP8 peak) than with BF16 (2 bytes, "
        "BF16 peak)? (answer like 1.6x)",
        "ratio", expected=r.speedup, tolerance=0.03,
        explain=f"time = max(FLOPs / peak, bytes / BW): BF16 {r.bf16_seconds:.3e} s ({r.bf16_bound}-bound, "
        f"intensity {r.bf16_intensity:.0f} vs ridge {r.ridge_bf16:.0f}), FP8 {r.fp8_seconds:.3e} s "
        f"({r.fp8_bound}-bound, intensity {r.fp8_intensity:.0f} vs ridge {r.ridge_fp8:.0f}) → {r.speedup:.3g}×",
    )


@template("r2.flash-io-saving", "r2.flash-attention", "HBM accesses of standard vs FlashAttention")
def flash_io_saving(rng: random.Random) -> Drill:
    from infraprep.labs.attention.io import io_table

    n = rng.choice((1024, 2048, 4096))
    d = rng.choice((64, 128))
    sram = rng.choice((25_000, 50_000, 100_000))
    (row,) = io_table(n, d, [sram])
    ratio = row.standard / row.flash
    return Drill(
        f"Attention forward, N = {n}, head dimension d = {d}, on-chip SRAM of M = {sram:,} elements. Counting HBM "
        "element accesses exactly (Dao et al. 2022, Algorithm 0 vs Algorithm 1 with the largest blocks that fit), "
        "by what factor does FlashAttention cut them? (answer like 3.2x)",
        "ratio", expected=ratio, tolerance=0.03,
        explain=f"standard: {row.standard:,} accesses (Θ(Nd + N²)); flash with blocks {row.blocks}: {row.flash:,} "
        f"(Θ(N²d²/M)); ratio {ratio:.3g}",
    )


@template("r2.fusion-speedup", "r2.operator-fusion", "Roofline speed-up of fusing bias + GeLU + dropout + residual")
def fusion_speedup(rng: random.Random) -> Drill:
    from infraprep.labs.fusion.roofline import chain_roofline

    gpu = get_accelerator(rng.choice(("a100-80gb", "h100-sxm", "h200")))
    tokens, hidden = rng.choice(((4096, 4096), (8192, 8192), (16384, 12288)))
    r = chain_roofline(tokens, hidden, gpu.name)
    return Drill(
        f"On a {gpu.display}, bias-add, GeLU, dropout and a residual add run on a {tokens}×{hidden} bf16 activation, "
        "either as four kernels or as one fused kernel (1-byte dropout mask, no launch overhead). On the roofline, "
        "what speed-up does fusion give? (answer like 2.5x)",
        "ratio", expected=r.speedup, tolerance=0.03, explain=r.explain(),
    )


@template("r2.standard-attention-io", "r2.flash-attention", "HBM accesses of standard attention")
def standard_attention_io(rng: random.Random) -> Drill:
    from infraprep.labs.attention.io import standard_accesses

    n, d = rng.choice((1024, 4096, 8192)), rng.choice((64, 128))
    count = standard_accesses(n, n, d)
    return Drill(
        f"Standard attention (Dao et al. 2022, Algorithm 0) for N = {n} tokens and head dimension d = {d}: it reads "
        "Q, K, V, writes and reads back S = QKᵀ and P = softmax(S), and writes O. How many element accesses to HBM "
        "in total?",
        "count", expected=count, tolerance=0.01,
        explain=f"reads N·d (Q) + N·d (K) + 2N² (S, P) + N·d (V); writes 2N² (S, P) + N·d (O) = 4N·d + 4N² = {count:,}",
    )

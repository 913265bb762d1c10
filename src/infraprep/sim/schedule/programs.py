"""Per-rank programs of the single-direction schedules: GPipe, 1F1B, interleaved 1F1B, ZB1P.

Each builder returns one list of operations per rank, in the order that rank executes them; the
executor (:mod:`.executor`) turns orders plus dependencies into times. Microbatches are numbered
from 0; rank ``r`` of ``p`` runs stage ``r`` (interleaved: virtual stages ``r, r+p, …``).
"""

from __future__ import annotations

from infraprep.sim.schedule.ops import Program, backward, forward, weight

__all__ = ["gpipe", "interleaved", "one_f_one_b", "zb1p"]


def gpipe(p: int, m: int) -> list[Program]:
    """GPipe (Huang et al. 2019, §2.2 and Fig. 2c): every forward, then every backward (a flush).

    Backward runs in microbatch order; the order does not change the makespan, since each rank's
    backwards form one chain behind the last rank's.
    """
    return [[forward(0, r, j) for j in range(m)] + [backward(0, r, j) for j in range(m)] for r in range(p)]


def one_f_one_b(p: int, m: int) -> list[Program]:
    """1F1B / PipeDream-Flush (Narayanan et al. 2021, §2.2.1, Fig. 4 top).

    Rank ``r`` runs ``min(p − r − 1, m)`` warm-up forwards, then alternates one forward and one
    backward, then drains the remaining backwards: at most ``p − r`` microbatches are in flight.
    """
    programs = []
    for r in range(p):
        warmup = min(p - r - 1, m)
        ops = [forward(0, r, j) for j in range(warmup)]
        for k in range(m - warmup):
            ops += [forward(0, r, warmup + k), backward(0, r, k)]
        ops += [backward(0, r, k) for k in range(m - warmup, m)]
        programs.append(ops)
    return programs


def interleaved(p: int, m: int, v: int) -> list[Program]:
    """Interleaved 1F1B (Narayanan et al. 2021, §2.2.2, Fig. 4 bottom), in Megatron-LM's order.

    Rank ``r`` holds ``v`` model chunks, virtual stages ``r, r + p, …, r + (v−1)p``, each ``1/v`` of
    its stage. Forwards go in groups of ``p`` microbatches per chunk: the k-th forward on a rank is
    microbatch ``(k // pv)·p + k % p`` of chunk ``(k // p) % v``; backwards visit the chunks in
    reverse. Warm-up is ``2(p − r − 1) + (v − 1)p`` forwards (all of them when ``m = p``), then
    1F1B, then the drain. Needs ``m`` to be a multiple of ``p`` (§2.2.2).
    """
    total = m * v
    size = 1.0 / v

    def chunk_mb(k: int, is_forward: bool) -> tuple[int, int]:
        group = k % (p * v)
        chunk = group // p if is_forward else v - 1 - group // p
        return chunk, (k // (p * v)) * p + k % p

    programs = []
    for r in range(p):
        warmup = total if m == p else min(2 * (p - r - 1) + (v - 1) * p, total)

        def f(k: int, r: int = r):
            chunk, mb = chunk_mb(k, True)
            return forward(0, chunk * p + r, mb, size)

        def b(k: int, r: int = r):
            chunk, mb = chunk_mb(k, False)
            return backward(0, chunk * p + r, mb, size=size)

        ops = [f(k) for k in range(warmup)]
        for k in range(total - warmup):
            ops += [f(warmup + k), b(k)]
        ops += [b(k) for k in range(total - warmup, total)]
        programs.append(ops)
    return programs


def zb1p(p: int, m: int) -> list[Program]:
    """ZB-H1, the "ZB1P" of DeepSeek-V3 Table 2 (Qi et al. 2023, Zero Bubble PP, §2.1, Fig. 3 top).

    1F1B's order with the backward split into ``Bi`` (input gradient, on the critical path) and ``W``
    (weight gradient, deferred): rank ``r`` runs 1F1B's ``p − r − 1`` warm-up forwards, then
    ``F, Bi`` pairs, and delays each ``W`` by ``r`` microbatches, so that every rank holds at most
    ``p`` microbatches' activations (1F1B's peak on rank 0). The deferred ``W`` fill the drain.
    """
    programs = []
    for r in range(p):
        warmup = min(p - r - 1, m)
        ops = [forward(0, r, j) for j in range(warmup)]
        pending = 0  # next microbatch whose W has not run
        for k in range(m):
            if warmup + k < m:
                ops.append(forward(0, r, warmup + k))
            ops.append(backward(0, r, k, split=True))
            if k - pending >= r:
                ops.append(weight(0, r, pending))
                pending += 1
        ops += [weight(0, r, j) for j in range(pending, m)]
        programs.append(ops)
    return programs

"""Where KV memory goes under contiguous reservation and under paging, on one request trace.

The vLLM paper's breakdown (Kwon et al. 2023, §3.1 and Fig. 2–3): a pool's slots hold **token
states** (KV of tokens that exist), **reservations** (slots held for tokens the sequence will still
generate), **internal fragmentation** (slots held beyond the sequence's final length: never used) and
**external fragmentation** (free slots no waiting request can use, because they lie in holes too
small for its contiguous reservation). The allocators, each on the same trace:

* ``max-length`` — contiguous, reserves ``max_len`` slots per request (Orca "Max");
* ``pow2`` — contiguous, reserves the next power of two ≥ the final length (Orca "Pow2", which
  knows the output length);
* ``oracle`` — contiguous, reserves exactly the final length (Orca "Oracle");
* ``paged-B`` — blocks of ``B`` slots allocated as the sequence grows, anywhere in the pool; a
  sequence wastes at most ``B − 1`` slots, in its last block, and nothing is external.

Time runs in steps; every running sequence gains one token per step; a request is admitted FCFS
when its allocation fits (contiguous: first fit in the address space). A paged sequence that cannot
get its next block preempts the newest running one (its blocks freed, it rejoins the queue's front).
The shares are time averages over the steps in which anything runs.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from infraprep.errors import InvalidValue

__all__ = ["AllocatorStats", "TraceRequest", "make_trace", "run_allocator", "run_all"]


@dataclass(frozen=True)
class TraceRequest:
    arrival: int  # step
    prompt: int
    output: int

    @property
    def final(self) -> int:
        return self.prompt + self.output


def make_trace(n: int, seed: int, rate: float = 0.5, prompt: int = 256, output: int = 128,
               max_len: int = 2048) -> list[TraceRequest]:
    """``n`` chat-like requests (lognormal lengths, medians ``prompt``/``output``), Poisson arrivals at
    ``rate`` per step, final lengths capped at ``max_len``."""
    if not 1 <= n <= 1_000_000:
        raise InvalidValue("--requests", n, "from 1 to 1,000,000")
    rng = random.Random(seed)
    t, out = 0.0, []
    for _ in range(n):
        t += rng.expovariate(rate)
        p = min(max(1, round(rng.lognormvariate(_ln(prompt), 1.0))), max_len - 1)
        o = min(max(1, round(rng.lognormvariate(_ln(output), 0.8))), max_len - p)
        out.append(TraceRequest(int(t), p, o))
    return out


def _ln(x: float) -> float:
    import math

    return math.log(x)


@dataclass(frozen=True)
class AllocatorStats:
    """Time-averaged shares of the pool (0–1) and what the allocator achieved."""

    name: str
    token_states: float
    reserved: float
    internal: float
    external: float
    free: float
    mean_running: float
    steps: int
    preemptions: int

    def to_dict(self) -> dict:
        return {"allocator": self.name, "token_states": self.token_states, "reserved": self.reserved,
                "internal_fragmentation": self.internal, "external_fragmentation": self.external,
                "free": self.free, "mean_running": self.mean_running, "steps": self.steps,
                "preemptions": self.preemptions}


def _reservation(kind: str, req: TraceRequest, max_len: int) -> int:
    if kind == "max-length":
        return max_len
    if kind == "pow2":
        return min(1 << (req.final - 1).bit_length(), max_len)
    return req.final


def _first_fit(holes: list[list[int]], size: int) -> int | None:
    for hole in holes:
        if hole[1] >= size:
            start = hole[0]
            hole[0] += size
            hole[1] -= size
            if hole[1] == 0:
                holes.remove(hole)
            return start
    return None


def _free(holes: list[list[int]], start: int, size: int) -> None:
    holes.append([start, size])
    holes.sort()
    merged: list[list[int]] = []
    for h in holes:
        if merged and merged[-1][0] + merged[-1][1] == h[0]:
            merged[-1][1] += h[1]
        else:
            merged.append(h)
    holes[:] = merged


def run_allocator(kind: str, trace: list[TraceRequest], capacity: int, max_len: int = 2048) -> AllocatorStats:
    """Run one allocator (``max-length``, ``pow2``, ``oracle`` or ``paged-B``) over ``trace``."""
    paged = kind.startswith("paged-")
    block = int(kind.split("-")[1]) if paged else 1
    if paged and not 1 <= block <= max_len:
        raise InvalidValue("block size", block, f"from 1 to {max_len}")
    if not paged and kind not in ("max-length", "pow2", "oracle"):
        raise InvalidValue("allocator", kind, "max-length, pow2, oracle or paged-B")
    if capacity < max_len:
        raise InvalidValue("--capacity", capacity, f"≥ --max-len={max_len} (one request must fit)")
    pending = deque(sorted(trace, key=lambda r: r.arrival))
    waiting: deque[TraceRequest] = deque()
    running: dict[int, list] = {}  # id -> [request, length, start (contiguous) or blocks (paged), reserved]
    holes = [[0, capacity]]
    free_blocks = capacity // block
    sums = dict(tokens=0.0, reserved=0.0, internal=0.0, external=0.0, free=0.0, running=0.0)
    steps = preemptions = 0
    step, next_id = 0, 0
    while pending or waiting or running:
        while pending and pending[0].arrival <= step:
            waiting.append(pending.popleft())
        # admit FCFS
        while waiting:
            req = waiting[0]
            if paged:
                need = -(-req.prompt // block)
                if need > free_blocks:
                    break
                free_blocks -= need
                running[next_id] = [req, req.prompt, need, 0]
            else:
                size = _reservation(kind, req, max_len)
                start = _first_fit(holes, size)
                if start is None:
                    break
                running[next_id] = [req, req.prompt, start, size]
            next_id += 1
            waiting.popleft()
        if running:
            steps += 1
            live = sum(r[1] for r in running.values())
            if paged:
                held = sum(r[2] for r in running.values()) * block
                reserved, internal, external = 0, held - live, 0
            else:
                held = sum(r[3] for r in running.values())
                reserved = sum(min(r[3], r[0].final) - r[1] for r in running.values())
                internal = sum(max(0, r[3] - r[0].final) for r in running.values())
                need = _reservation(kind, waiting[0], max_len) if waiting else 0
                free_total = capacity - held
                # blocked although enough is free in total: every free slot is stranded in small holes
                external = free_total if waiting and free_total >= need else 0
            free = capacity - held
            for key, value in (("tokens", live), ("reserved", reserved), ("internal", internal),
                               ("external", external), ("free", free - external), ("running", len(running))):
                sums[key] += value
        # one decode step
        for rid in list(running):
            r = running.get(rid)
            if r is None:
                continue  # preempted earlier in this step
            req = r[0]
            if r[1] >= req.final:
                if paged:
                    free_blocks += r[2]
                else:
                    _free(holes, r[2], r[3])
                del running[rid]
                continue
            if paged and r[1] % block == 0:  # the next token opens a block
                while free_blocks == 0:
                    victim = max(running)  # the newest
                    preemptions += 1
                    free_blocks += running[victim][2]
                    waiting.appendleft(running.pop(victim)[0])
                    if victim == rid:
                        break
                if rid not in running:
                    continue
                free_blocks -= 1
                r[2] += 1
            r[1] += 1
        step += 1
    n = max(steps, 1)
    return AllocatorStats(kind, sums["tokens"] / n / capacity, sums["reserved"] / n / capacity,
                          sums["internal"] / n / capacity, sums["external"] / n / capacity,
                          sums["free"] / n / capacity, sums["running"] / n, steps, preemptions)


def run_all(trace: list[TraceRequest], capacity: int, max_len: int, block_sizes: tuple[int, ...] = (1, 16, 128),
            progress=None) -> list[AllocatorStats]:
    """Every contiguous allocator, then paging at each block size, on the same trace."""
    kinds = ["max-length", "pow2", "oracle", *(f"paged-{b}" for b in block_sizes)]
    out = []
    for kind in kinds:
        out.append(run_allocator(kind, trace, capacity, max_len))
        if progress:
            progress(1)
    return out

"""Continuous vs static batching on the real engine: tokens per second on a mixed-length workload.

Both runs use the same model, KV pool, block size and batch cap; only the scheduling policy differs.
Static batching here is the favourable variant: it admits a new batch only when the previous one has
wholly finished, but computes only the live members (no padding compute). Continuous batching refills
a freed slot at the next iteration (Orca, Yu et al. OSDI 2022 §3.1). Runs alternate, best of
``repeats`` each, and throughput is counted per CPU-second of this single-threaded process (wall-clock
throughput is reported too), so the ratio survives a loaded machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from infraprep.errors import InvalidValue

__all__ = ["ServeBench", "mixed_workload", "serve_bench"]


def mixed_workload(n: int, seed: int, vocab: int = 512, prompt: tuple[int, int] = (4, 16),
                   short: tuple[int, int] = (4, 16), long: tuple[int, int] = (64, 128),
                   long_fraction: float = 0.15) -> list:
    """``n`` requests, all arriving at once: uniform prompt lengths; outputs short (uniform in ``short``)
    or, with probability ``long_fraction``, long (uniform in ``long``) — the chat-like spread that
    leaves static batches waiting on one straggler."""
    from infraprep.labs.engine.engine import EngineRequest

    rng = random.Random(seed)
    requests = []
    for _ in range(n):
        p = rng.randint(*prompt)
        out = rng.randint(*long) if rng.random() < long_fraction else rng.randint(*short)
        requests.append(EngineRequest(tuple(rng.randrange(vocab) for _ in range(p)), out))
    return requests


@dataclass(frozen=True)
class ServeBench:
    """Best-of-N results of each policy on one workload."""

    requests: int
    max_num_seqs: int
    results: dict  # policy -> EngineStats.to_dict() of its best run
    outputs_match: bool

    @property
    def speedup(self) -> float:
        """Continuous over static in tokens per CPU-second (robust on a shared machine)."""
        return self.results["continuous"]["tokens_per_cpu_second"] / self.results["static"]["tokens_per_cpu_second"]

    @property
    def wall_speedup(self) -> float:
        return self.results["continuous"]["tokens_per_second"] / self.results["static"]["tokens_per_second"]

    def to_dict(self) -> dict:
        return {"requests": self.requests, "max_num_seqs": self.max_num_seqs, "results": self.results,
                "continuous_over_static": self.speedup, "continuous_over_static_wall": self.wall_speedup,
                "outputs_match": self.outputs_match}


def serve_bench(requests: int = 96, max_num_seqs: int = 8, repeats: int = 3, seed: int = 0, block_size: int = 16,
                threads: int = 1, progress: Callable[[int], None] | None = None) -> ServeBench:
    """Run continuous and static batching alternately ``repeats`` times; keep each one's fastest run."""
    import torch

    from infraprep.labs.engine.engine import PagedEngine
    from infraprep.labs.engine.model import TinyConfig, TinyTransformer
    from infraprep.sim.serving import SchedulerConfig

    for name, value, low in (("--requests", requests, 1), ("--max-seqs", max_num_seqs, 1), ("--repeats", repeats, 1)):
        if value < low:
            raise InvalidValue(name, value, f"an integer ≥ {low}")
    torch.set_num_threads(threads)
    model = TinyTransformer(TinyConfig(seed=seed), dtype=torch.float32)
    work = mixed_workload(requests, seed)
    longest = max(len(r.prompt) + r.max_new_tokens for r in work)
    num_blocks = max_num_seqs * -(-longest // block_size) + 1  # room for every slot: memory is not the limit
    configs = {
        "continuous": SchedulerConfig(max_batched_tokens=512, max_num_seqs=max_num_seqs),
        "static": SchedulerConfig(max_batched_tokens=512, max_num_seqs=max_num_seqs, policy="static"),
    }
    best, outputs = {}, {}
    for _ in range(repeats):
        for name, config in configs.items():
            engine = PagedEngine(model, num_blocks, block_size, config)
            out, stats = engine.generate(work, on_step=progress)
            outputs[name] = out
            if name not in best or stats.tokens_per_cpu_second > best[name]["tokens_per_cpu_second"]:
                best[name] = stats.to_dict()
    return ServeBench(requests, max_num_seqs, best, outputs["continuous"] == outputs["static"])

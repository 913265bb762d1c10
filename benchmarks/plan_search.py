"""calc plan's pruning side by side: the branch-and-bound search against estimating every plan that fits.

    .venv/bin/python benchmarks/plan_search.py

For each job, both searches run in this process, best of 3 in CPU seconds (not wall time: the machine
is shared). "pruned" returns the top 5; "every plan" asks for more plans than fit, so the bound never
cuts. The top 5 must be the same (checked); the ratio is what the bound saves.
"""

from __future__ import annotations

import platform
import time

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.model import get_model
from infraprep.calc.plan import PlanInputs
from infraprep.calc.plan.search import search

JOBS = [
    ("llama3-8b", "h100-sxm", 64, 8192, 512),
    ("gpt3-175b", "a100-80gb", 1024, 2048, 1536),
    ("llama3-405b", "h100-sxm", 16384, 8192, 2048),
    ("mixtral-8x7b", "h100-sxm", 1024, 4096, 1024),
]


def cpu(fn, repeat: int = 3):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        best = min(best, time.process_time() - start)
    return best, out


def main() -> None:
    print(f"python {platform.python_version()}, {platform.machine()}; CPU seconds, best of 3")
    print(f"{'job':<34} {'fit':>7} {'pruned: est.':>12} {'s':>6} {'every: est.':>11} {'s':>6} {'ratio':>6}")
    for model, gpu, gpus, seq, batch in JOBS:
        inputs = PlanInputs(get_model(model), get_accelerator(gpu), gpus, seq, batch)
        t_pruned, (top, tally) = cpu(lambda i=inputs: search(i, top=5))
        t_all, (every, full) = cpu(lambda i=inputs: search(i, top=10**9))
        assert [p.sort_key() for p in top] == [p.sort_key() for p in every[:5]], model
        job = f"{model} × {gpus} {gpu}"
        print(f"{job:<34} {full.plans_feasible:>7,} {tally.plans_estimated:>12,} {t_pruned:>6.2f} "
              f"{full.plans_estimated:>11,} {t_all:>6.2f} {t_all / t_pruned:>5.1f}×")


if __name__ == "__main__":
    main()

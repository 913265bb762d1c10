"""``calc plan``: lay a training job out on a cluster — enumerate (DP, TP, PP, CP, EP, micro-batch,
microbatches, ZeRO stage, recompute, schedule), keep what fits memory, rank by estimated step time.

The estimate, per plan (each term from an existing calculator, see :mod:`.evaluate`)::

    compute  = hardware FLOPs per GPU ÷ (peak × efficiency)          calc.flops, PaLM App. B
    bubble   = the schedule's closed form with f + b = compute ÷ m   calc.bubble
    exposed  = Σ max(0, comm time − the compute it can hide under)   calc.comm
    step     = compute + bubble + exposed;   MFU = model FLOPs ÷ (step × peak)

and it must fit: params + grads + optimizer (ZeRO over dp·cp) + the first stage's in-flight
activations ≤ HBM (calc.memory, calc.activations). What is *not* modelled: kernel-level efficiency
varying with shape (one ``efficiency`` for everything; larger micro-batches therefore never win),
stragglers, the optimizer step, data loading, α (latency) terms, and two collectives sharing a link.
The layouts and their structural rules are in :mod:`.space`, the search and its pruning in :mod:`.search`.

A bad job (no layout of ``gpus`` passes the structural rules) is an error naming the input to change;
a job with valid layouts of which none fits memory is an answer: no plans, and why.
"""

from __future__ import annotations

from collections.abc import Callable

from infraprep.calc.plan.evaluate import Option, Plan
from infraprep.calc.plan.inputs import DEFAULT_EFFICIENCY, MAX_GPUS, PLAN_SCHEDULES, PlanInputs
from infraprep.calc.plan.result import PlanResult
from infraprep.calc.plan.search import Tally, search
from infraprep.calc.plan.space import LAYOUT_REASONS
from infraprep.errors import InvalidValue

__all__ = ["DEFAULT_EFFICIENCY", "LAYOUT_REASONS", "MAX_GPUS", "PLAN_SCHEDULES", "Option", "Plan", "PlanInputs", "PlanResult",
           "plan"]


def _no_layout(inputs: PlanInputs, tally: Tally) -> InvalidValue:
    counts = ", ".join(f"{n} {reason}" for reason, n in sorted(tally.layouts.items(), key=lambda kv: -kv[1]))
    if tally.batch_dps:  # some layouts break only the batch rule: the batch is what to change
        return InvalidValue("--global-batch", inputs.global_batch,
                            f"a multiple of a data-parallel degree that the other rules allow on {inputs.gpus} GPUs "
                            f"(the smallest is {min(tally.batch_dps)}); no layout splits this batch ({counts})")
    fixed = [f"--{k}" for k in ("dp", "tp", "pp", "cp", "ep") if getattr(inputs, k) is not None]
    where = f" with {', '.join(fixed)} fixed" if fixed else ""
    return InvalidValue("--gpus", inputs.gpus,
                        f"a GPU count that factors into dp·tp·pp·cp for {inputs.model.name}{where}: "
                        f"all {tally.layouts_total} layouts fail ({counts})")


def plan(inputs: PlanInputs, top: int = 5, progress: Callable[[int, int], None] | None = None) -> PlanResult:
    """Search, rank and tally per the module docstring. Raises :class:`InvalidValue` when no layout of
    the GPU count passes the structural rules (see :data:`LAYOUT_REASONS`)."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidValue("--top", top, "a positive number of plans to show")
    plans, tally = search(inputs, top, progress)
    if tally.layouts_valid == 0:
        raise _no_layout(inputs, tally)
    return PlanResult(inputs, tuple(plans), tally)

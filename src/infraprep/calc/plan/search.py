"""The search: every layout (:mod:`.space`), every option of the valid ones (:mod:`.evaluate`), the best
``top`` ranked. It runs in two phases, and every pruning step is exact — the ``top`` plans returned are
the first ``top`` of all plans that fit, in :meth:`Plan.sort_key` order (tests/calc/test_plan.py checks
this against estimating everything):

1. *fit*: per valid layout, the memory of each option (schedule, recompute, micro-batch, ZeRO stage).
   A layout whose leanest option — the highest ZeRO stage, full recompute, 1F1B, micro-batch 1 — does
   not fit is rejected whole, and once a micro-batch does not fit the larger ones are not computed:
   memory only grows that way (tests/calc/test_memory.py, test_activations.py). Each option that fits
   gets a lower bound of its ranking key, (compute + bubble, memory, tie-break): compute and bubble are
   cheap (FLOPs and bubbles are computed once per distinct shape), memory is exact.
2. *rank* (branch and bound): options in increasing lower bound; each is estimated in full (its
   communication, :func:`calc.comm.comm`, is the expensive part) until the next lower bound reaches the
   ``top``-th key found, when no later option can enter. The ZeRO stages of one option form a group,
   estimated together when its first member comes up: only the group's fastest (the lowest stage among
   equals) is ranked — a higher stage that is not faster is *dominated*.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from infraprep.calc.plan.evaluate import Estimator, Option, Plan, tie_break
from infraprep.calc.plan.inputs import PlanInputs
from infraprep.calc.plan.space import Layout, enumerate_layouts

__all__ = ["Tally", "search"]

RECOMPUTE_LEANEST = ("full", "selective", "none")  # least activation memory first


@dataclass
class Tally:
    """What the search saw: layouts by their first broken rule, and the options of valid layouts —
    rejected for memory or for the schedule, fitting (feasible), estimated, dominated."""

    layouts: dict[str, int] = field(default_factory=dict)
    layouts_total: int = 0
    layouts_valid: int = 0
    batch_dps: set[int] = field(default_factory=set)  # DPs of layouts that break only the batch rule
    closest_layout_short: float | None = None  # bytes the nearest memory-rejected layout lacks
    plans_memory: int = 0
    closest_plan_short: float | None = None
    plans_schedule: int = 0  # interleaved with m not a multiple of pp
    plans_feasible: int = 0
    plans_estimated: int = 0
    plans_dominated: int = 0

    def layout(self, reason: str) -> None:
        self.layouts[reason] = self.layouts.get(reason, 0) + 1

    def short(self, missing: float | None, count: int = 1, whole_layout: bool = False) -> None:
        """Count ``count`` options short of memory; ``missing`` bytes (None: more than one already counted)."""
        self.plans_memory += count
        if missing is not None:
            best = self.closest_plan_short
            self.closest_plan_short = missing if best is None else min(best, missing)
        if whole_layout:
            self.layout("memory")
            best = self.closest_layout_short
            self.closest_layout_short = missing if best is None else min(best, missing)


class _Candidate(NamedTuple):
    key: tuple  # (compute + bubble, memory, tie-break): no plan of this option ranks before it
    layout: Layout
    option: Option
    states: dict
    activations: float
    microbatches: int

    @property
    def group(self) -> tuple:
        o, lay = self.option, self.layout
        return (lay.dp, lay.tp, lay.pp, lay.cp, lay.ep, o.schedule, o.chunks, o.recompute, o.micro_batch)


def _fit(est: Estimator, layout: Layout, tally: Tally) -> list[_Candidate]:
    """Phase 1 for one layout: the options that fit, each with its lower bound."""
    i = est.inputs
    per_replica = i.global_batch // layout.dp
    zeros = sorted(i.zero)
    options = [(s, v, r, b) for s, v in est.schedules(layout) for r in i.recompute for b in est.micro_batches(layout)]
    runnable = [o for o in options if o[0] != "interleaved" or (per_replica // o[3]) % layout.pp == 0]
    tally.plans_schedule += (len(options) - len(runnable)) * len(zeros)
    if not runnable:
        return []
    states = {z: est.state_bytes(layout, z) for z in zeros}
    state_total = {z: sum(s.values()) for z, s in states.items()}
    # the leanest: 1F1B before interleaved (fewer in flight), then more chunks, more recompute, micro-batch 1
    lean = min(runnable, key=lambda o: (o[0] == "interleaved", -o[1], RECOMPUTE_LEANEST.index(o[2]), o[3]))
    lean_act = est.activation_bytes(layout, Option(*lean, zeros[-1]), per_replica // lean[3])
    lean_total = min(state_total.values()) + lean_act
    if lean_total > i.capacity:
        tally.short(lean_total - i.capacity, len(runnable) * len(zeros), whole_layout=True)
        return []
    found = []
    lean_zero = min(state_total.values())
    too_big: set[tuple] = set()  # (schedule, chunks, recompute) whose micro-batch b no longer fits
    for schedule, chunks, recompute, b in runnable:
        m = per_replica // b
        if (schedule, chunks, recompute) in too_big:  # activations grow with b: larger ones fit neither
            tally.short(None, len(zeros))
            continue
        act = est.activation_bytes(layout, Option(schedule, chunks, recompute, b, zeros[0]), m)
        if lean_zero + act > i.capacity:
            too_big.add((schedule, chunks, recompute))
        compute = est.compute_time(recompute)
        bubble = est.bubble(layout, Option(schedule, chunks, recompute, b, zeros[0]), m, compute)
        bound = compute + (0.0 if bubble is None else bubble.bubble_time)
        for z in zeros:
            total = state_total[z] + act
            if total > i.capacity:
                tally.short(total - i.capacity)
                continue
            option = Option(schedule, chunks, recompute, b, z)
            found.append(_Candidate((bound, total, *tie_break(layout, option)), layout, option, states[z], act, m))
    tally.plans_feasible += len(found)
    return found


def _rank(est: Estimator, candidates: list[_Candidate], top: int, tally: Tally) -> list[Plan]:
    """Phase 2: branch and bound over the candidates in increasing lower bound (module docstring)."""
    candidates.sort(key=lambda c: c.key)
    groups: dict[tuple, list[_Candidate]] = {}
    for c in candidates:
        groups.setdefault(c.group, []).append(c)
    ranked: list[Plan] = []  # sorted by Plan.sort_key, at most ``top`` long
    keys: list[tuple] = []

    def beaten(key: tuple) -> bool:
        return len(ranked) == top and key >= keys[-1]

    done: set[tuple] = set()
    for c in candidates:
        if beaten(c.key):
            break
        if c.group in done:
            continue
        done.add(c.group)
        estimated = [est.plan(m.layout, m.option, m.states, m.activations, m.microbatches) for m in groups[c.group]]
        tally.plans_estimated += len(estimated)
        tally.plans_dominated += len(estimated) - 1
        plan = min(estimated, key=lambda p: (p.step_time, p.option.zero))
        key = plan.sort_key()
        at = bisect.bisect(keys, key)
        if at < top:
            keys.insert(at, key)
            ranked.insert(at, plan)
            del keys[top:], ranked[top:]
    return ranked


def search(inputs: PlanInputs, top: int = 5,
           progress: Callable[[int, int], None] | None = None) -> tuple[list[Plan], Tally]:
    """The ``top`` fastest plans that fit, and the tally of the rest. ``progress(done, total)`` is
    called as the valid layouts are fitted."""
    est = Estimator(inputs)
    tally = Tally()
    valid: list[Layout] = []
    fixed = {k: getattr(inputs, k) for k in ("dp", "tp", "pp", "cp", "ep")}
    for reason, layout, degrees in enumerate_layouts(inputs.model, inputs.gpus, inputs.seq, inputs.global_batch,
                                                     inputs.domain, inputs.sequence_parallel, fixed):
        tally.layouts_total += 1
        if reason is None:
            valid.append(layout)
        else:
            tally.layout(reason)
            if reason == "batch-dp":
                tally.batch_dps.add(degrees["dp"])
    tally.layouts_valid = len(valid)
    candidates: list[_Candidate] = []
    for done, layout in enumerate(valid, 1):
        candidates += _fit(est, layout, tally)
        if progress is not None:
            progress(done, len(valid))
    return _rank(est, candidates, top, tally), tally

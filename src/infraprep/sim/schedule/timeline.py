"""Build a schedule's timeline from a :class:`~infraprep.calc.bubble.PipelineConfig` and measure it.

Measured quantities (the simulation's side of every closed form in :mod:`infraprep.calc.bubble`):

* ``makespan`` — from the first operation's start (0) to the last one's end;
* ``busy[r]`` — the sum of rank ``r``'s operation times; ``idle[r] = makespan − busy[r]``;
* ``bubble_time`` — the largest ``idle[r]``. In every schedule here each rank does the same work
  (same number of F, B, W stage-passes; DualPipe: with ``F&B < F + B`` the overlapped pairs differ
  per rank, see ``calc.bubble``), so this is *the* pipeline bubble the papers quote;
* ``peak_activations[r]`` — the most stage-microbatches whose activations rank ``r`` holds at once:
  a forward allocates ``size`` when it starts, the pass that completes ``W`` (a full B, an F&B or a
  W) frees it when it ends (Qi et al. 2023 §2.1: a deferred W keeps its stage's inputs alive).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from infraprep.calc.bubble import PipelineConfig
from infraprep.errors import InvalidValue
from infraprep.sim.schedule import dualpipe as _dualpipe
from infraprep.sim.schedule import programs as _programs
from infraprep.sim.schedule.executor import Slot, execute
from infraprep.sim.schedule.ops import Op, Program

__all__ = ["MAX_OPS", "Timeline", "build_programs", "estimate_ops", "simulate"]


def build_programs(config: PipelineConfig) -> tuple[list[Program], dict[tuple[int, int], int]]:
    """The per-rank programs of ``config.schedule`` and the placement ``(pipe, stage) → rank``."""
    p, m, v = config.pp, config.microbatches, config.chunks
    name = config.schedule
    if name == "gpipe":
        programs = _programs.gpipe(p, m)
    elif name == "1f1b":
        programs = _programs.one_f_one_b(p, m)
    elif name == "interleaved":
        programs = _programs.interleaved(p, m, v)
    elif name == "zb1p":
        programs = _programs.zb1p(p, m)
    elif name == "dualpipe":
        programs = _dualpipe.dualpipe(p, m)
    else:  # "dualpipev" (PipelineConfig has already rejected unknown names)
        programs = _dualpipe.dualpipev(p, m)
    placement: dict[tuple[int, int], int] = {}
    for rank, program in enumerate(programs):
        for op in program:
            for _, pipe, stage, _ in op.passes:
                placement[(pipe, stage)] = rank
    return programs, placement


@dataclass(frozen=True)
class Timeline:
    """Every rank's placed operations, plus what was measured on them."""

    config: PipelineConfig
    slots: tuple[tuple[Slot, ...], ...]

    @property
    def ranks(self) -> int:
        return len(self.slots)

    @cached_property
    def makespan(self) -> float:
        return max(s.end for rank in self.slots for s in rank)

    @cached_property
    def busy(self) -> tuple[float, ...]:
        return tuple(sum(s.end - s.start for s in rank) for rank in self.slots)

    @cached_property
    def idle(self) -> tuple[float, ...]:
        return tuple(self.makespan - b for b in self.busy)

    @property
    def bubble_time(self) -> float:
        return max(self.idle)

    @cached_property
    def peak_activations(self) -> tuple[float, ...]:
        peaks = []
        for rank in self.slots:
            held = peak = 0.0
            for slot in rank:
                if slot.op.forward is not None:
                    held += slot.op.size
                    peak = max(peak, held)
                held -= slot.op.size * sum(1 for p in slot.op.passes if p[0] == "W")
            peaks.append(peak)
        return tuple(peaks)

    def counts(self) -> list[dict[str, int]]:
        """Per rank, how many operations of each kind ran (F, B, Bi, W, FB)."""
        out = []
        for rank in self.slots:
            tally: dict[str, int] = {}
            for slot in rank:
                tally[slot.op.kind] = tally.get(slot.op.kind, 0) + 1
            out.append(tally)
        return out

    def to_dict(self) -> dict:
        return {
            "schedule": self.config.schedule,
            "ranks": self.ranks,
            "makespan": self.makespan,
            "bubble_time": self.bubble_time,
            "idle_per_rank": list(self.idle),
            "peak_activation_microbatches_per_rank": list(self.peak_activations),
        }


MAX_OPS = 400_000  # ~8 s of simulation on one core; bigger pipelines are a closed-form job


def estimate_ops(config: PipelineConfig) -> int:
    """Operations a timeline will hold, at most: devices × microbatches × chunks × stages × (F, B, W)."""
    return config.devices * config.microbatches * config.chunks * config.stages_per_device * 3


def simulate(
    config: PipelineConfig,
    comm: float = 0.0,
    jitter: float = 0.0,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Timeline:
    """Build ``config``'s per-rank programs and place them on a timeline (see :mod:`.executor`).

    Args:
        config: schedule, sizes and pass times.
        comm: point-to-point latency added to every dependency between two ranks (the closed forms
            assume 0: communication fully overlapped with compute).
        jitter: each operation's time is scaled by an independent uniform factor in
            ``[1 − jitter, 1 + jitter]`` (0 = the exact times; stragglers show how a schedule's bubble
            grows when passes are uneven). Needs ``0 ≤ jitter < 1``.
        seed: seeds the jitter's private ``random.Random``; the same seed gives the same timeline.
        progress: passed to :func:`.executor.execute` (operations placed so far).
    """
    if estimate_ops(config) > MAX_OPS:
        raise InvalidValue("pipeline size", f"{estimate_ops(config)} operations",
                           f"at most {MAX_OPS} operations to simulate (fewer stages or microbatches)")
    if not 0.0 <= comm < float("inf"):
        raise InvalidValue("--comm", comm, "a latency ≥ 0")
    if not 0.0 <= jitter < 1.0:
        raise InvalidValue("--jitter", jitter, "a fraction in [0, 1)")
    programs, placement = build_programs(config)
    times = config.times
    last: dict[int, int] = {}
    for pipe, stage in placement:
        last[pipe] = max(stage, last.get(pipe, stage))
    base = {"F": times.f, "B": times.b, "Bi": times.b_input, "W": times.w, "FB": times.fb_time}
    rng = random.Random(seed)

    def duration(op: Op) -> float:
        return base[op.kind] * op.size

    def jittered(op: Op) -> float:
        return base[op.kind] * op.size * (1.0 + rng.uniform(-jitter, jitter))

    slots = execute(programs, last.__getitem__, jittered if jitter else duration, comm, progress)
    return Timeline(config, tuple(tuple(rank) for rank in slots))

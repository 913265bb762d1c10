"""Run per-rank programs against the passes' dependencies and return the timeline.

Each rank executes its program strictly in order; an operation starts at the later of (a) the end
of the rank's previous operation and (b) the end of every pass it depends on, plus ``comm`` when
that pass ran on another rank (the rank that runs a pass is read off the programs). Dependencies
(the only ones a pipeline has)::

    F(s, j)  needs F(s−1, j)                      the activation from the previous stage
    B(s, j)  needs F(s, j) and, below the pipe's  its own forward's activations, and the
             last stage, B(s+1, j)                gradient from the next stage
    W(s, j)  needs B(s, j)                        the stored output gradient

The result is the unique as-soon-as-possible timeline for that order (a list schedule): no event
heap is needed because each start time is a max over already-known end times. Cost is O(ops):
a blocked rank waits on exactly one missing pass and is queued again only when that pass ends, so
every operation is examined once when its rank reaches it and once more per missing dependency.

A program whose order waits on a pass that can never run (a cycle across ranks) is a deadlock:
:class:`ScheduleDeadlock` names the first blocked operation of every stuck rank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from infraprep.errors import InfraprepError
from infraprep.sim.schedule.ops import Op, Pass

__all__ = ["ScheduleDeadlock", "Slot", "execute"]


class ScheduleDeadlock(InfraprepError):
    """The programs wait on each other: no rank can take its next operation."""


class Slot(NamedTuple):
    """One operation placed on the timeline."""

    rank: int
    start: float
    end: float
    op: Op


def execute(
    programs: Sequence[Sequence[Op]],
    last_stage: Callable[[int], int],
    duration: Callable[[Op], float],
    comm: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> list[list[Slot]]:
    """Place every operation of ``programs`` (one list per rank) as early as its order allows.

    Args:
        programs: per rank, the operations in execution order.
        last_stage: the index of a pipe's last stage (where the backward starts from the loss).
        duration: an operation's execution time.
        comm: point-to-point latency added to every dependency on a pass another rank runs.
        progress: called with the number of operations placed so far, every 4096 operations.

    Returns:
        per rank, the placed slots in execution order.

    Raises:
        ScheduleDeadlock: when the programs' orders are inconsistent with the dependencies.
    """
    done: dict[Pass, float] = {}
    owner: dict[Pass, int] = {}  # the rank that runs each pass
    for rank, program in enumerate(programs):
        for op in program:
            for p in op.passes:
                if p in owner:
                    raise ScheduleDeadlock(f"pass {p} is scheduled twice (ranks {owner[p]} and {rank})")
                owner[p] = rank
    lasts: dict[int, int] = {}
    slots: list[list[Slot]] = [[] for _ in programs]
    position = [0] * len(programs)
    free = [0.0] * len(programs)
    waiting: dict[Pass, list[int]] = {}
    stack = list(range(len(programs)))[::-1]
    queued = [True] * len(programs)  # a rank is on the stack at most once
    placed = 0
    while stack:
        rank = stack.pop()
        queued[rank] = False
        program, placed_here = programs[rank], slots[rank]
        while position[rank] < len(program):
            op = program[position[rank]]
            passes = op.passes
            start = free[rank]
            missing = None
            for p in passes:
                kind, pipe, stage, mb = p
                if kind == "F":
                    needs = (("F", pipe, stage - 1, mb),) if stage else ()
                elif kind == "B":
                    last = lasts[pipe] if pipe in lasts else lasts.setdefault(pipe, last_stage(pipe))
                    own_forward = ("F", pipe, stage, mb)
                    needs = (own_forward,) if stage == last else (("B", pipe, stage + 1, mb), own_forward)
                else:  # W
                    needs = (("B", pipe, stage, mb),)
                for need in needs:
                    ready = done.get(need)
                    if ready is None:
                        if need in passes:
                            continue
                        missing = need
                        break
                    if comm and owner[need] != rank:
                        ready += comm
                    if ready > start:
                        start = ready
                if missing:
                    break
            if missing:
                if missing not in owner:
                    raise ScheduleDeadlock(f"rank {rank} waits for {missing}, which no rank runs")
                waiting.setdefault(missing, []).append(rank)
                break
            end = start + duration(op)
            placed_here.append(Slot(rank, start, end, op))
            free[rank] = end
            position[rank] += 1
            placed += 1
            if progress is not None and placed % 4096 == 0:
                progress(placed)
            for p in passes:
                done[p] = end
                if p in waiting:
                    for other in waiting.pop(p):
                        if not queued[other]:
                            queued[other] = True
                            stack.append(other)
    stuck = [r for r, program in enumerate(programs) if position[r] < len(program)]
    if stuck:
        blocked = "; ".join(f"rank {r} at {programs[r][position[r]].kind}{programs[r][position[r]].passes[0][1:]}"
                            for r in stuck[:4])
        raise ScheduleDeadlock(f"the schedule deadlocks: {blocked}")
    return slots

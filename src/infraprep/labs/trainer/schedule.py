"""Pipeline schedules as plain lists of operations, and their ideal timeline.

An op is ``("F", i)`` or ``("B", i)``: forward or backward of micro-batch ``i`` on one stage.

* GPipe (Huang et al. 2019 §2.2; Narayanan et al. 2021 §2.2.1, Fig. 3): all ``m`` forwards, then all
  ``m`` backwards. Every micro-batch's activations are stashed at once: ``m`` in flight.
* 1F1B (PipeDream-Flush; Narayanan et al. 2021 §2.2.1, Fig. 4): stage ``s`` of ``p`` runs
  ``p − s − 1`` warm-up forwards, then alternates one forward and one backward, then drains the
  remaining backwards. At most ``min(p − s, m)`` micro-batches are in flight.

Both have the same bubble. With forward and backward times ``t_f``, ``t_b`` equal on every stage and
free communication, a step takes ``(m + p − 1)(t_f + t_b)`` of which each stage computes
``m(t_f + t_b)``: the idle fraction of the step is ``(p − 1)/(m + p − 1)``, i.e. ``(p − 1)/m`` of
the ideal time (Narayanan et al. 2021 §2.2, "pipeline bubble"). :func:`timeline` replays the lists
under those assumptions, so the tests can check the schedules against the closed form.
"""

from __future__ import annotations

from infraprep.labs.trainer.config import SCHEDULES

__all__ = ["Op", "gpipe", "in_flight_peak", "one_f_one_b", "schedule", "timeline"]

Op = tuple[str, int]


def gpipe(m: int) -> list[Op]:
    return [("F", i) for i in range(m)] + [("B", i) for i in range(m)]


def one_f_one_b(pp: int, stage: int, m: int) -> list[Op]:
    warmup = min(pp - stage - 1, m)
    ops: list[Op] = [("F", i) for i in range(warmup)]
    for i in range(m - warmup):
        ops += [("F", warmup + i), ("B", i)]
    return ops + [("B", i) for i in range(m - warmup, m)]


def schedule(name: str, pp: int, stage: int, m: int) -> list[Op]:
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}")
    return gpipe(m) if name == "gpipe" else one_f_one_b(pp, stage, m)


def in_flight_peak(ops: list[Op]) -> int:
    """The most micro-batches whose forward ran and backward has not: activations stashed at once."""
    live = peak = 0
    for kind, _ in ops:
        live += 1 if kind == "F" else -1
        peak = max(peak, live)
    return peak


def timeline(name: str, pp: int, m: int, t_f: float = 1.0, t_b: float = 2.0) -> tuple[float, list[float]]:
    """Replay the schedule on ``pp`` stages with fixed op times and free communication.

    F(i) on stage s waits for F(i) on s−1; B(i) on s waits for B(i) on s+1 (on the last stage, for
    its own F(i)). Returns the makespan and each stage's idle time. Raises RuntimeError if the
    schedules deadlock (no stage can make progress).
    """
    ops = [schedule(name, pp, s, m) for s in range(pp)]
    done: dict[tuple[str, int, int], float] = {}
    clock, pos = [0.0] * pp, [0] * pp
    while any(pos[s] < len(ops[s]) for s in range(pp)):
        progressed = False
        for s in range(pp):
            while pos[s] < len(ops[s]):
                kind, i = ops[s][pos[s]]
                dep = ("F", s - 1, i) if kind == "F" else ("B", s + 1, i) if s < pp - 1 else ("F", s, i)
                if kind == "F" and s == 0:
                    ready = 0.0
                elif dep in done:
                    ready = done[dep]
                else:
                    break
                clock[s] = max(clock[s], ready) + (t_f if kind == "F" else t_b)
                done[(kind, s, i)] = clock[s]
                pos[s] += 1
                progressed = True
        if not progressed:
            raise RuntimeError(f"{name} deadlocks at {pos}")
    makespan = max(clock)
    return makespan, [makespan - m * (t_f + t_b)] * pp

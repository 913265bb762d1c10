"""Monte Carlo goodput of checkpoint/restart, its optimal interval, and the effect of hot spares.

The job's life, one gap between interruptions at a time (the model of Daly 2006's complete cost
function, run instead of solved)::

    |-- R restart --|-- τ --|δ|-- τ --|δ|-- τ ..X   failure: the open segment is lost
    |-- R restart --|-- τ --|δ|.X                   (a failure during R just restarts again)

A gap g yields ⌊max(g − R, 0) / (τ + δ)⌋ committed segments of τ work; goodput = Σ work / Σ g.
With exponential gaps its expectation is Daly's τ·e^{−R/M} / (M·(e^{(τ+δ)/M} − 1)), so the
Monte Carlo optimum checks the formula; with Weibull gaps it shows where the formula stops holding.
The same gaps are reused for every τ (common random numbers), so curves are smooth in τ.
"""

from __future__ import annotations

import heapq
import math

from infraprep.calc.checkpoint import young_interval

__all__ = ["goodput_curve", "optimal_interval", "goodput_with_spares"]


def goodput_curve(gaps, taus, write_time: float, restart: float):
    """Monte Carlo goodput for each interval in ``taus`` (same units as ``gaps``)."""
    import numpy as np

    up = np.maximum(gaps - restart, 0.0)
    total = float(gaps.sum())
    return np.array([float(np.floor(up / (t + write_time)).sum()) * t / total for t in taus])


def optimal_interval(gaps, write_time: float, restart: float, points: int = 41) -> tuple[float, object, object]:
    """The Monte Carlo goodput-optimal interval, independent of Daly's formula.

    A coarse log grid over [τ₀/8, 8τ₀] around Young's τ₀ for the sample mean finds the best point;
    a fine log grid over [÷1.6, ×1.6] of it is fitted with a parabola in log τ (goodput is nearly
    symmetric in log τ near its maximum: δ/τ + τ/2M is a cosh in log τ), whose vertex is returned
    with the fine grid and its goodputs.
    """
    import numpy as np

    start = young_interval(write_time, float(gaps.mean()))
    coarse = np.geomspace(start / 8, start * 8, points)
    best = coarse[int(np.argmax(goodput_curve(gaps, coarse, write_time, restart)))]
    fine = np.geomspace(best / 1.6, best * 1.6, points)
    values = goodput_curve(gaps, fine, write_time, restart)
    a, b, _ = np.polyfit(np.log(fine), values, 2)
    vertex = math.exp(-b / (2 * a)) if a < 0 else float(fine[int(np.argmax(values))])
    return min(max(vertex, float(fine[0])), float(fine[-1])), fine, values


def goodput_with_spares(gaps, interval: float, write_time: float, restart: float, spares: int,
                        repair_time: float) -> float:
    """Goodput when each failure sends a node to repair for ``repair_time`` and the job needs a
    healthy replacement: a hot spare if one is free, else it waits for the earliest repair.

    The pool is the job's nodes plus ``spares``; with b nodes in repair the job can run iff b ≤ spares.
    Failures arrive only while the job runs (its gaps); waiting adds to the restart time.
    """
    in_repair: list[float] = []
    clock = work = 0.0
    segment = interval + write_time
    for gap in gaps.tolist():
        work += math.floor(max(gap - restart, 0.0) / segment) * interval
        clock += gap
        heapq.heappush(in_repair, clock + repair_time)
        while in_repair and in_repair[0] <= clock:
            heapq.heappop(in_repair)
        while len(in_repair) > spares:  # no healthy spare: wait for the next repair to finish
            clock = heapq.heappop(in_repair)
    return work / clock

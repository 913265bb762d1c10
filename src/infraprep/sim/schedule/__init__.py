"""Pipeline schedule simulator: the real per-rank timeline of GPipe, 1F1B, interleaved 1F1B, ZB1P,
DualPipe and DualPipeV, built from each schedule's dependencies, and its Gantt chart.

Pure Python and fast (``calc bubble`` uses it to cross-check its closed forms); the Gantt renderer
imports matplotlib inside its function.

    ops.py        passes (F, B, W) and operations (F, B, Bi, W, F&B)
    programs.py   per-rank orders of GPipe, 1F1B, interleaved 1F1B, ZB1P
    dualpipe.py   per-rank orders of DualPipe and DualPipeV (the reference code's eight steps)
    executor.py   orders + dependencies -> as-soon-as-possible times; deadlock detection
    timeline.py   simulate(config) -> Timeline: makespan, idle per rank, bubble, peak activations
    gantt.py      render_gantt(timeline, path) / save_gantt(schedule, pp, m, path): SVG or PNG
"""

from infraprep.sim.schedule.executor import ScheduleDeadlock, Slot, execute
from infraprep.sim.schedule.gantt import render_gantt, save_gantt
from infraprep.sim.schedule.ops import Op
from infraprep.sim.schedule.timeline import MAX_OPS, Timeline, build_programs, estimate_ops, simulate

__all__ = [
    "MAX_OPS",
    "Op",
    "ScheduleDeadlock",
    "Slot",
    "Timeline",
    "build_programs",
    "estimate_ops",
    "execute",
    "render_gantt",
    "save_gantt",
    "simulate",
]

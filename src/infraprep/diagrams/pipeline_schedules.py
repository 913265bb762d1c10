"""Pipeline schedules drawn from the schedule simulator: 1F1B, interleaved 1F1B and DualPipe.

Each chart is the real per-rank timeline that :func:`infraprep.sim.schedule.simulate` builds from
the schedule's dependencies (the same timelines ``infraprep calc bubble --simulate`` checks the
closed forms against), rendered by the simulator's own Gantt renderer. Sizes are whiteboard-sized:

* 1F1B and interleaved (v = 2) with p = 4 stages and m = 8 micro-batches, F = 1, B = 2
  (Narayanan et al. 2021, §2.2.1 and §2.2.2, Figures 3-4);
* DualPipe with p = 8 and 20 micro-batches, F = 1, B = 2, W = 1, F&B = 2.5 — the shape of
  DeepSeek-V3's Figure 5 (DeepSeek-AI 2024, §3.2.1), where F = B − W, so Table 2's bubble
  (p/2 − 1)(F&B + B − 3W) is exact.
"""

from __future__ import annotations

from pathlib import Path

from infraprep.diagrams import RC_PARAMS, diagram

__all__ = ["SCHEDULES"]

# name -> (schedule, pp, microbatches, chunks, (f, b, w, fb), what the chart shows)
SCHEDULES = {
    "pipeline-1f1b": ("1f1b", 4, 8, 1, (1.0, 2.0, None, None), "1F1B"),
    "pipeline-interleaved": ("interleaved", 4, 8, 2, (1.0, 2.0, None, None), "interleaved 1F1B, v = 2"),
    "pipeline-dualpipe": ("dualpipe", 8, 20, 1, (1.0, 2.0, 1.0, 2.5), "DualPipe, F&B = 2.5"),
}


def _draw(name: str, path: Path) -> None:
    import matplotlib

    from infraprep.calc.bubble import PipelineConfig, StageTimes
    from infraprep.sim.schedule import render_gantt, simulate

    schedule, pp, m, chunks, (f, b, w, fb), label = SCHEDULES[name]
    timeline = simulate(PipelineConfig(schedule, pp, m, chunks, StageTimes(f, b, w, fb)))
    title = (f"{label}: pp={pp}, m={m} — bubble {timeline.bubble_time:.4g} time units, "
             f"makespan {timeline.makespan:.4g} (F={f:g}, B={b:g}{'' if w is None else f', W={w:g}'})")
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(RC_PARAMS):
        render_gantt(timeline, path, title)


for _name, (_schedule, _pp, _m, _v, _times, _label) in SCHEDULES.items():
    def _register(name: str = _name) -> None:
        @diagram(name, 3, f"Pipeline schedule from the simulator: {SCHEDULES[name][5]}, pp={SCHEDULES[name][1]}, "
                 f"m={SCHEDULES[name][2]}")
        def draw(path: Path) -> None:
            _draw(name, path)

    _register()

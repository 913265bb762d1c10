"""A finished run: the ranks' reports put together (loss curve, final weights, traffic, memory, bubbles).

* loss of a step = Σ over the last stage's TP-0 ranks (one per DP rank) of their micro-batch losses
  (each already divided by the global token count), i.e. the global mean cross-entropy;
* final weights = the DP-0 replica's slices, TP slices joined (``params.unshard``);
* pipeline idle of a stage (per step, averaged over the steps after the first, which pays warm-up
  costs, and over the stage's ranks): ``1 − compute / makespan``, where the makespan runs from the
  pipeline's first rank entering the step to its last rank leaving the schedule (after a barrier of
  the pipeline; wall clock of one host) and compute is the rank's own forward and backward time.
  Everything that is not compute — waiting in recv, sends, the tail while later stages finish —
  is idle, the definition of the bubble (Narayanan et al. 2021 §2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.params import param_specs, unshard

__all__ = ["TrainResult"]


@dataclass
class TrainResult:
    config: TrainConfig
    ranks: list[dict]  # per-rank reports (without weights), rank order
    losses: list[float]
    params: dict[str, Any] | None = None
    wall_s: float = 0.0
    parity: Any = None  # parity.Parity when the single-process baseline was run

    @classmethod
    def from_reports(cls, config: TrainConfig, reports: list[dict], wall_s: float = 0.0) -> TrainResult:
        last = config.pp - 1
        losses = [0.0] * config.steps
        for r in reports:
            if r["coords"][2] == last and r["coords"][1] == 0:
                losses = [a + b for a, b in zip(losses, r["losses"], strict=True)]
        params = None
        if all("params" in r for r in reports):
            by_coords = {tuple(r["coords"]): r["params"] for r in reports}
            params = {}
            for spec in param_specs(config.model):
                stage = spec.stage(config.model.layers, config.pp)
                params[spec.name] = unshard([by_coords[(0, t, stage)][spec.name] for t in range(config.tp)], spec)
        ranks = [{k: v for k, v in r.items() if k != "params"} for r in reports]
        return cls(config, ranks, losses, params, wall_s)

    # -- derived measurements ------------------------------------------------------------------
    def stage_idle(self) -> list[float]:
        """Measured idle fraction of each pipeline stage (see the module docstring)."""
        c = self.config
        steps = range(1, c.steps) if c.steps > 1 else range(c.steps)
        pipelines: dict[tuple[int, int], list[dict]] = {}
        for r in self.ranks:
            pipelines.setdefault((r["coords"][0], r["coords"][1]), []).append(r)
        idle: list[list[float]] = [[] for _ in range(c.pp)]
        for members in pipelines.values():
            for s in steps:
                start = min(m["steps"][s]["start"] for m in members)
                end = max(m["steps"][s]["end"] for m in members)
                for m in members:
                    makespan = max(end - start, 1e-12)
                    idle[m["coords"][2]].append(max(0.0, 1.0 - m["steps"][s]["compute_s"] / makespan))
        return [sum(v) / len(v) for v in idle]

    def peak_in_flight(self) -> list[int]:
        peaks = [0] * self.config.pp
        for r in self.ranks:
            peaks[r["coords"][2]] = max(peaks[r["coords"][2]], r["peak_in_flight"])
        return peaks

    def step_seconds(self) -> float:
        """Median wall time of a step on the slowest rank (schedule + update)."""
        per_step = sorted(max(r["steps"][s]["end"] - r["steps"][s]["start"] + r["steps"][s]["update_s"]
                              for r in self.ranks) for s in range(self.config.steps))
        return per_step[len(per_step) // 2]

    def to_dict(self) -> dict:
        from infraprep.labs.trainer.compare import comparison

        return {
            "config": self.config.to_dict(),
            "losses": self.losses,
            "wall_s": self.wall_s,
            "step_s_median": self.step_seconds(),
            "stage_idle_fraction": self.stage_idle(),
            "stage_peak_in_flight": self.peak_in_flight(),
            "ranks": [{"rank": r["rank"], "coords": dict(zip(("dp", "tp", "pp"), r["coords"], strict=True)),
                       "comm_per_step": r["comm_per_step"], "memory": r["memory"], "buckets": r["buckets"]}
                      for r in self.ranks],
            "comparison": comparison(self),
            "parity": self.parity.to_dict() if self.parity else None,
        }

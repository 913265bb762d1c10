"""Pictures of a run: the loss curves, and the pipeline's last step as it really ran.

``draw`` fills matplotlib axes handed to it (the CLI owns the figure and the file, ``cli/plotting``):

* the loss per step of the parallel run, over the single-process baseline's when it was trained;
* with ``pp > 1``: one row per stage of the pipeline of DP rank 0, TP rank 0, each forward (F) and
  backward (B) drawn where it ran in the last step, in milliseconds from the pipeline's start. The
  gaps are the bubble, as measured.
"""

from __future__ import annotations

from typing import Any

from infraprep.labs.trainer import predict
from infraprep.labs.trainer.result import TrainResult

__all__ = ["draw", "timeline_ops"]


def timeline_ops(result: TrainResult, step: int = -1) -> list[tuple[int, str, int, float, float]]:
    """(stage, kind, micro-batch, start ms, end ms) of the DP-0/TP-0 pipeline's ``step``, from its first start."""
    ranks = sorted((r for r in result.ranks if r["coords"][:2] == [0, 0]), key=lambda r: r["coords"][2])
    start = min(r["steps"][step]["start"] for r in ranks)
    return [(r["coords"][2], kind, i, (t0 - start) * 1e3, (t1 - start) * 1e3)
            for r in ranks for kind, i, t0, t1 in r["steps"][step]["ops"]]


def draw(result: TrainResult, axes: list[Any]) -> None:
    """Loss curves on ``axes[0]``; the pipeline timeline on ``axes[1]`` when there is a pipeline."""
    c = result.config
    steps = list(range(1, c.steps + 1))
    ax = axes[0]
    ax.plot(steps, result.losses, "o", label=c.describe())
    if result.parity is not None:
        ax.plot(steps, result.parity.reference_losses, "-", color="0.4", label="single process")
    ax.set(xlabel="step", ylabel="loss (mean cross-entropy)", title="Loss before each update")
    ax.legend()
    if c.pp == 1 or len(axes) < 2:
        return
    ax = axes[1]
    colors = {"F": "tab:blue", "B": "tab:green"}
    for stage, kind, i, t0, t1 in timeline_ops(result):
        ax.barh(stage, t1 - t0, left=t0, color=colors[kind], edgecolor="white")
        ax.text((t0 + t1) / 2, stage, f"{kind}{i}", ha="center", va="center", fontsize=7, color="white")
    idle = sum(result.stage_idle()) / c.pp
    ax.set(xlabel="ms from the pipeline's start (last step)", ylabel="stage", yticks=range(c.pp),
           title=f"{c.schedule}, p={c.pp}, m={c.micro_batches}: idle {idle:.0%} measured, "
                 f"bubble {predict.bubble_fraction(c):.0%} = (p−1)/(m+p−1)")
    ax.invert_yaxis()

"""How far a parallel run is from the single-process baseline.

Three numbers, because fp32 rounding shows differently in each:

* ``loss`` — the largest |Δ| of the per-step losses (rounding of reordered sums: ~1e-7);
* ``param_max`` — the largest |Δ| of any final weight. Adam divides by √v + ε, so an element whose
  gradient is ~1e-9 (rounding noise of a sum of terms ~1e-2) can move by a fair fraction of ``lr``
  in one run and not the other; this number is dominated by such elements;
* ``drift`` — ‖θ_parallel − θ_single‖₂ / ‖θ_single − θ_initial‖₂: the distance between the two runs
  relative to how far training moved the weights. Insensitive to a handful of noise-level elements,
  it is the criterion for "the same training run".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infraprep.labs.trainer.config import TrainConfig

__all__ = ["Parity", "compare"]


@dataclass(frozen=True)
class Parity:
    loss: float
    param_max: float
    drift: float
    reference_losses: list[float]

    def to_dict(self) -> dict:
        return {"max_loss_diff": self.loss, "max_param_diff": self.param_max, "drift": self.drift,
                "reference_losses": self.reference_losses}


def compare(config: TrainConfig, losses: list[float], params: dict[str, Any]) -> Parity:
    """Train the single-process baseline of ``config`` and measure the distance to a parallel run."""
    import torch

    from infraprep.labs.trainer.params import init_full_params
    from infraprep.labs.trainer.reference import train_reference

    ref_losses, ref_params = train_reference(config)
    initial = init_full_params(config.model, config.seed)
    diff = torch.cat([(params[n] - ref_params[n]).reshape(-1) for n in ref_params])
    moved = torch.cat([(ref_params[n] - initial[n]).reshape(-1) for n in ref_params])
    return Parity(
        loss=max(abs(a - b) for a, b in zip(losses, ref_losses, strict=True)),
        param_max=diff.abs().max().item(),
        drift=(diff.norm() / moved.norm()).item(),
        reference_losses=ref_losses,
    )

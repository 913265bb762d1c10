"""The training job the lab checkpoints: a small MLP regression trained with Adam on CPU.

Determinism is the point (a resumed run must end bit-identical to an uninterrupted one), so:

* the batch for step k depends only on (seed, k) — its own ``torch.Generator`` — never on history;
* the training *state* is exactly ``{"step", "model", "optim"}``: parameters and Adam's moments and
  step counts; nothing else (no dropout, no global RNG) influences the next step;
* one intra-op thread (``torch.set_num_threads(1)``), so reductions always run in the same order.

``step`` counts completed optimizer steps: the state saved "at step k" is the state after k updates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["ModelConfig", "Job", "params_digest"]


@dataclass(frozen=True)
class ModelConfig:
    """The job's size and seed. ``width·width·depth`` weights; the state is ~3× that (Adam)."""

    width: int = 32
    depth: int = 2
    batch: int = 16
    lr: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        from infraprep.errors import InvalidValue

        if not 1 <= self.width <= 8192:
            raise InvalidValue("--width", self.width, "between 1 and 8192")
        if not 1 <= self.depth <= 64:
            raise InvalidValue("--depth", self.depth, "between 1 and 64")
        if not 1 <= self.batch <= 4096:
            raise InvalidValue("--batch", self.batch, "between 1 and 4096")

    @property
    def parameters(self) -> int:
        return self.depth * (self.width * self.width + self.width)


class Job:
    """Model + optimizer + the deterministic step function."""

    def __init__(self, config: ModelConfig, device: str = "cpu") -> None:
        import torch

        torch.set_num_threads(1)
        self.config, self.device = config, device
        torch.manual_seed(config.seed)
        layers = []
        for _ in range(config.depth):
            layers += [torch.nn.Linear(config.width, config.width), torch.nn.Tanh()]
        self.model = torch.nn.Sequential(*layers[:-1]).to(device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        self.step = 0

    def batch(self, step: int):
        """Inputs and targets for ``step``: a function of (seed, step) only."""
        import torch

        g = torch.Generator().manual_seed(self.config.seed * 1_000_003 + step)
        x = torch.randn(self.config.batch, self.config.width, generator=g)
        y = torch.sin(x.roll(1, dims=1))
        return x.to(self.device), y.to(self.device)

    def train_step(self) -> float:
        """One Adam update on batch ``step + 1``; returns the loss."""
        import torch

        x, y = self.batch(self.step + 1)
        loss = torch.nn.functional.mse_loss(self.model(x), y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return float(loss.detach())

    def state(self) -> dict:
        """The live state (tensors are references, not copies)."""
        return {"step": self.step, "model": self.model.state_dict(), "optim": self.optimizer.state_dict()}

    def load(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optim"])
        self.step = int(state["step"])

    def digest(self) -> str:
        return params_digest(self.model.state_dict())


def params_digest(model_state: dict) -> str:
    """SHA-256 over the parameters' raw bytes in key order: equal digests ⇔ bit-identical parameters."""
    h = hashlib.sha256()
    for key in sorted(model_state):
        tensor = model_state[key].detach().cpu().contiguous()
        h.update(key.encode())
        h.update(tensor.view(-1).view(dtype=_byte_dtype()).numpy().tobytes())
    return h.hexdigest()


def _byte_dtype():
    import torch

    return torch.uint8

"""What ``calc plan`` searches over: the job (model, GPUs, batch, sequence) and the conventions of
its step-time estimate, validated on construction.

Conventions (each a field with its default; the module docstring of :mod:`infraprep.calc.plan`
explains the estimate they feed):

* ``efficiency`` 0.5 — the fraction of the dense peak that the model's FLOPs run at, on every GPU,
  when nothing else is in the way (GEMMs and the kernels between them). It is the estimate's one
  calibration constant: a round value chosen against the published runs that tests/calc/test_plan.py
  compares with (Llama 3 405B on H100, Llama Team 2024 Table 4; Megatron-LM 2021 Table 1 on A100), so
  those tests show how well one constant explains runs on two GPU generations — not an independent
  prediction. Real efficiency varies with GEMM shape; this constant does not.
* ``attention`` "full" — s×s attention FLOPs counted whole, as Megatron-LM and PaLM count them.
* ``flash`` True, ``dropout`` False — activations of a FlashAttention layer without dropout masks
  (Llama); ``sequence_parallel`` True whenever tp > 1 (Korthikanti et al. 2022 §4.2.2);
  ``scatter_gather`` True (Narayanan et al. 2021 §4.1).
* bytes: ``param_bytes`` 2, ``grad_bytes`` 2, ``optimizer`` "adam" (K = 12) as in ``calc train-memory``.
* placement: ``scale_up_domain`` defaults to the GPU's (:mod:`calc.hardware`), and is also the node
  size the communication model places groups in; ``intra_bw``/``inter_bw`` default to its scale-up
  (per direction) and NIC bandwidth.
* search space: ``zero`` stages, ``recompute`` policies, ``schedules`` and micro-batches up to
  ``max_micro_batch``; ``dp``/``tp``/``pp``/``cp``/``ep`` fix a degree instead of searching it.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc._checks import choice, positive, positive_int
from infraprep.calc.activations import RECOMPUTE
from infraprep.calc.flops import ATTENTION
from infraprep.calc.hardware import Accelerator
from infraprep.calc.memory import OPTIMIZERS
from infraprep.calc.model import ModelConfig
from infraprep.errors import InvalidValue

__all__ = ["DEFAULT_EFFICIENCY", "MAX_GPUS", "PLAN_SCHEDULES", "PlanInputs"]

DEFAULT_EFFICIENCY = 0.5
MAX_GPUS = 2**20  # a million GPUs: enough for any cluster, and it bounds the search
PLAN_SCHEDULES = ("1f1b", "interleaved")  # the schedules calc/activations has in-flight counts for
FIXED = ("dp", "tp", "pp", "cp", "ep")


def _subset(name: str, values: tuple, valid: tuple) -> tuple:
    values = tuple(dict.fromkeys(values))
    if not values:
        raise InvalidValue(name, "", "at least one of " + ", ".join(str(v) for v in valid))
    for value in values:
        choice(name, value, valid)
    return values


@dataclass(frozen=True)
class PlanInputs:
    """A training job to lay out on ``gpus`` GPUs; ``global_batch`` is in sequences of ``seq`` tokens."""

    model: ModelConfig
    gpu: Accelerator
    gpus: int
    seq: int
    global_batch: int
    efficiency: float = DEFAULT_EFFICIENCY
    dtype: str = "bf16"
    attention: str = "full"
    flash: bool = True
    dropout: bool = False
    sequence_parallel: bool = True
    scatter_gather: bool = True
    param_bytes: float = 2.0
    grad_bytes: float = 2.0
    optimizer: str = "adam"
    capacity_bytes: float | None = None  # default: the GPU's HBM
    scale_up_domain: int | None = None  # default: the GPU's
    intra_bw: float | None = None  # default: the GPU's scale-up bandwidth per direction
    inter_bw: float | None = None  # default: the GPU's NIC bandwidth
    zero: tuple[int, ...] = (0, 1, 2, 3)
    recompute: tuple[str, ...] = RECOMPUTE
    schedules: tuple[str, ...] = PLAN_SCHEDULES
    max_micro_batch: int = 8
    dp: int | None = None
    tp: int | None = None
    pp: int | None = None
    cp: int | None = None
    ep: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "gpus", positive_int("--gpus", self.gpus))
        if self.gpus > MAX_GPUS:
            raise InvalidValue("--gpus", self.gpus, f"at most {MAX_GPUS:,} GPUs")
        object.__setattr__(self, "seq", positive_int("--seq", self.seq))
        object.__setattr__(self, "global_batch", positive_int("--global-batch", self.global_batch))
        if self.global_batch * self.seq > 2**53:
            raise InvalidValue("--global-batch", self.global_batch, "a batch of at most 2^53 tokens")
        positive("--efficiency", self.efficiency)
        if self.efficiency > 1:
            raise InvalidValue("--efficiency", self.efficiency, "a fraction of the peak between 0 and 1")
        self.gpu.peak(self.dtype)  # an unknown dtype for this GPU names the valid ones
        choice("--attention", self.attention, ATTENTION)
        choice("--param-bytes", self.param_bytes, (1, 2, 4))
        choice("--grad-bytes", self.grad_bytes, (2, 4))
        choice("--optimizer", self.optimizer, OPTIMIZERS)
        if self.capacity_bytes is not None:
            positive("--capacity", self.capacity_bytes)
        if self.scale_up_domain is not None:
            object.__setattr__(self, "scale_up_domain", positive_int("--scale-up-domain", self.scale_up_domain))
        for name in ("intra_bw", "inter_bw"):
            if getattr(self, name) is not None:
                positive("--" + name.replace("_", "-"), getattr(self, name))
        for name, valid in (("intra_bw", self.gpu.scale_up_bandwidth), ("inter_bw", self.gpu.nic_bandwidth)):
            if getattr(self, name) is None and valid is None:
                raise InvalidValue("--" + name.replace("_", "-"), None,
                                   f"a bandwidth: the catalogue gives none for {self.gpu.name}")
        object.__setattr__(self, "zero", _subset("--zero", tuple(self.zero), (0, 1, 2, 3)))
        object.__setattr__(self, "recompute", _subset("--recompute", tuple(self.recompute), RECOMPUTE))
        object.__setattr__(self, "schedules", _subset("--schedule", tuple(self.schedules), PLAN_SCHEDULES))
        object.__setattr__(self, "max_micro_batch", positive_int("--max-micro-batch", self.max_micro_batch))
        for name in FIXED:
            if getattr(self, name) is not None:
                value = positive_int("--" + name, getattr(self, name))
                if self.gpus % value:
                    raise InvalidValue("--" + name, value, f"a divisor of --gpus={self.gpus}")
                object.__setattr__(self, name, value)
        if self.ep not in (None, 1) and not self.model.experts:
            raise InvalidValue("--ep", self.ep, "1 for a dense model (expert parallelism needs routed experts)")

    @property
    def tokens(self) -> int:
        return self.global_batch * self.seq

    @property
    def peak(self) -> float:
        return self.gpu.peak(self.dtype)

    @property
    def capacity(self) -> float:
        return self.gpu.hbm_bytes if self.capacity_bytes is None else self.capacity_bytes

    @property
    def domain(self) -> int:
        return self.gpu.scale_up_domain if self.scale_up_domain is None else self.scale_up_domain

    @property
    def links(self) -> tuple[float, float]:
        """(intra-node bytes/s per direction, inter-node bytes/s per GPU)."""
        return (self.intra_bw or self.gpu.scale_up_bandwidth, self.inter_bw or self.gpu.nic_bandwidth)

"""Roofline cost of one serving iteration, for any model in ``calc.model`` on any GPU in ``calc.hardware``.

An iteration runs ``T`` new tokens (prefill chunks plus one per decode) through the model. Per GPU of a
TP group (Williams et al., Roofline, CACM 2009; the decode analysis of Pope et al. 2022, "Efficiently
Scaling Transformer Inference", §2)::

    FLOPs  = 2·N_lin·T + 4·L·h·d_h·pairs + 2·d·V·R                    (÷ tp)
    bytes  = W_bytes(T) + kv_bytes_per_token·(reads + T)              (÷ tp for weights; KV per GPU)
    time   = max(FLOPs / (peak·compute_eff), bytes / (BW·memory_eff)) + comm + overhead

* ``N_lin`` — parameters a token multiplies (``calc.model`` active parameters without the embedding
  and output head); the head costs ``2·d·V`` per row of logits ``R`` (one per sequence that samples);
* ``pairs`` — causal (query, key) pairs: QKᵀ and AV are 2 FLOPs per multiply-add each (MLA: the
  latent form, ``2·h·(2·d_c + d_h^R)`` per pair per layer, after weight absorption);
* ``W_bytes(T)`` — weights read once per iteration; an MoE layer reads only the experts its ``T·k``
  routings touch, in expectation ``E·(1 − (1 − k/E)^T)`` of ``E``;
* ``reads`` — KV tokens read by attention: each decode its whole context; each prefill chunk its
  prefix and itself (FlashAttention-style tiling reads them about once); ``T`` new KV rows are written;
* ``comm`` — with ``tp`` > 1, two all-reduces of ``T·d`` activations per layer (Megatron-LM, Shoeybi et
  al. 2019 §3), ring cost ``2·(tp−1)/tp · bytes / link`` over the GPU's per-direction scale-up link.

Conventions (parameters with defaults): ``compute_efficiency`` 0.6 and ``memory_efficiency`` 0.8 are
the achieved fractions of peak FLOP/s and HBM bandwidth; ``overhead`` 0.5 ms per iteration for
scheduling and kernel launches; weights and activations in 2 bytes. These are modelling choices, not
measurements: the simulator's comparisons are ratios under one cost model.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc.hardware import Accelerator
from infraprep.calc.kvcache import inputs_from_model, kv_cache
from infraprep.calc.model import ModelConfig, count_params
from infraprep.errors import InvalidValue

__all__ = ["CostModel"]


@dataclass(frozen=True)
class CostModel:
    """Per-iteration latency of ``model`` on ``tp`` GPUs of type ``gpu`` (see the module docstring)."""

    model: ModelConfig
    gpu: Accelerator
    tp: int = 1
    dtype: str = "bf16"
    weight_bytes: float = 2.0
    kv_dtype_bytes: float = 2.0
    compute_efficiency: float = 0.6
    memory_efficiency: float = 0.8
    overhead: float = 0.5e-3
    allreduce_latency: float = 5e-6

    def __post_init__(self) -> None:
        for name, value in (("--compute-efficiency", self.compute_efficiency),
                            ("--memory-efficiency", self.memory_efficiency)):
            if not 0 < value <= 1:
                raise InvalidValue(name, value, "a fraction in (0, 1]")
        if self.tp > 1 and not self.gpu.scale_up_bandwidth:
            raise InvalidValue("--tp", self.tp, f"1: {self.gpu.name} has no scale-up link in the catalogue")
        c, p = self.model, count_params(self.model)
        kv = kv_cache(inputs_from_model(c, dtype_bytes=self.kv_dtype_bytes, tp=self.tp, tokens=1))
        object.__setattr__(self, "kv_bytes_per_token", kv.bytes_per_token)  # per GPU
        head = c.vocab * c.hidden
        object.__setattr__(self, "linear_params", p.active - p.embedding - p.output)
        if c.is_mla:
            per_pair = 2 * c.heads * (2 * c.kv_lora_rank + c.qk_rope_dim)
        else:
            per_pair = 4 * c.heads * c.d_head
        object.__setattr__(self, "attention_flops_per_pair", c.layers * per_pair)
        object.__setattr__(self, "head_flops_per_row", 2 * head)
        expert_total = p.expert * c.experts * c.moe_layers
        object.__setattr__(self, "_dense_weight_bytes", (p.total - expert_total) * self.weight_bytes / self.tp)
        object.__setattr__(self, "_expert_bytes", p.expert * c.moe_layers * self.weight_bytes / self.tp)
        object.__setattr__(self, "_peak", self.gpu.peak(self.dtype) * self.compute_efficiency)
        object.__setattr__(self, "_bandwidth", self.gpu.hbm_bandwidth * self.memory_efficiency)

    def weight_bytes_read(self, tokens: int) -> float:
        """Weight bytes one iteration of ``tokens`` reads per GPU (expected distinct experts for MoE)."""
        c = self.model
        if not c.experts:
            return self._dense_weight_bytes
        touched = c.experts * (1.0 - (1.0 - c.top_k / c.experts) ** tokens)
        return self._dense_weight_bytes + touched * self._expert_bytes

    def iteration_time(self, tokens: int, pairs: int, kv_reads: int, logit_rows: int) -> float:
        """Seconds for one iteration (module docstring); 0 tokens cost nothing."""
        if tokens <= 0:
            return 0.0
        flops = (2.0 * self.linear_params * tokens + self.attention_flops_per_pair * pairs
                 + self.head_flops_per_row * logit_rows) / self.tp
        memory = self.weight_bytes_read(tokens) + self.kv_bytes_per_token * (kv_reads + tokens)
        time = max(flops / self._peak, memory / self._bandwidth) + self.overhead
        if self.tp > 1:
            size = tokens * self.model.hidden * self.weight_bytes
            ring = 2 * (self.tp - 1) / self.tp * size / self.gpu.scale_up_bandwidth
            time += 2 * self.model.layers * (ring + self.allreduce_latency)
        return time

    def to_dict(self) -> dict:
        return {"model": self.model.name, "gpu": self.gpu.name, "tp": self.tp, "dtype": self.dtype,
                "kv_bytes_per_token_per_gpu": self.kv_bytes_per_token,
                "weight_bytes_per_gpu": self.weight_bytes_read(1 << 30),
                "conventions": {"compute_efficiency": self.compute_efficiency,
                                "memory_efficiency": self.memory_efficiency, "overhead_s": self.overhead,
                                "weight_bytes": self.weight_bytes, "kv_dtype_bytes": self.kv_dtype_bytes}}

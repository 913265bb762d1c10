"""KV-cache arithmetic: bytes per token, per sequence and per batch, and how many sequences fit a GPU.

Per token and per layer a decoder caches (DeepSeek-V2, §2.1.4, Table 1 — "KV cache per token (#
elements)")::

    MHA   2 · n_h · d_h        (a key and a value vector per head)
    GQA   2 · n_g · d_h        (n_g shared KV heads; Ainslie et al. 2023)
    MQA   2 · d_h              (one KV head; Shazeer 2019)
    MLA   d_c + d_h^R          (the compressed latent c_t^KV plus the decoupled RoPE key k_t^R; no
                                factor 2: keys and values are both re-projected from the latent)

times ``layers`` and the KV dtype's bytes (16-bit = 2, FP8 = 1, 4-bit = 0.5). The vLLM paper (Kwon et
al. 2023, §3 "Large KV cache") works OPT-13B: 2 × 5120 × 40 × 2 B = 800 KB per token, 1.6 GB for a
2048-token request — the example this module's tests reproduce (``--layers 40 --kv-heads 40
--head-dim 128 --dtype-bytes 2 --tokens 2048``).

Conventions (parameters with defaults, named in every result's ``conventions``):

* **Per GPU.** ``bytes_per_token`` and ``total_bytes`` are what one GPU holds. Under tensor parallelism
  the KV heads are split: ``kv_heads ÷ tp`` per GPU when ``tp`` divides ``kv_heads``; when
  ``kv_heads < tp`` each GPU holds one head, replicated ``tp ÷ kv_heads`` times (Megatron/vLLM
  practice; the Llama-2-70B case of 8 KV heads on TP=16). An MLA latent is shared by all heads, so it
  is replicated on every TP rank. ``all_gpus_total_bytes`` counts every replica.
* **Sliding window** (``window`` > 0, Mistral 7B, Jiang et al. 2023 §2): only the last ``window``
  tokens are cached (a rolling buffer), so ``tokens_stored = min(tokens, window)``.
* **Quantization scales** of FP8/4-bit caches are not counted (a few bytes per block).
* **Capacity** (``max_sequences``): KV budget = HBM × ``memory_utilization`` − weights per GPU −
  ``reserve`` (activations, CUDA graphs, workspace). The default utilization 0.9 is vLLM's
  ``gpu_memory_utilization`` default; weights are ``params × weight_bytes ÷ tp``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from infraprep.calc.hardware import Accelerator
from infraprep.calc.model import ModelConfig, count_params
from infraprep.calc.units import format_bytes, format_count
from infraprep.errors import InvalidValue

__all__ = ["Capacity", "KVCacheInputs", "KVCacheResult", "capacity", "inputs_from_model", "kv_cache", "model_params"]

_MAX_DIM = 1 << 20  # layers, heads, dims: far beyond any real model, small enough to stay exact in floats
_MAX_TOKENS = 1 << 40


def _check_int(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(name, value, f"an integer from {low} to {high:,}")


@dataclass(frozen=True)
class KVCacheInputs:
    """The shape that sets the KV cache. Validated on construction; names are the CLI options.

    ``latent_dim`` > 0 selects MLA (``kv_heads`` and ``head_dim`` are then not used for the cache);
    ``heads`` (query heads) only names the variant (MHA when equal to ``kv_heads``).
    """

    layers: int
    kv_heads: int
    head_dim: int
    dtype_bytes: float = 2.0
    tokens: int = 2048
    batch: int = 1
    latent_dim: int = 0
    rope_dim: int = 0
    tp: int = 1
    window: int = 0
    heads: int | None = None

    def __post_init__(self) -> None:
        for name in ("layers", "kv_heads", "head_dim"):
            _check_int(f"--{name.replace('_', '-')}", getattr(self, name), 1, _MAX_DIM)
        _check_int("--tokens", self.tokens, 1, _MAX_TOKENS)
        _check_int("--batch", self.batch, 1, _MAX_TOKENS)
        _check_int("--latent-dim", self.latent_dim, 0, _MAX_DIM)
        _check_int("--rope-dim", self.rope_dim, 0, _MAX_DIM)
        _check_int("--tp", self.tp, 1, 1 << 16)
        _check_int("--window", self.window, 0, _MAX_TOKENS)
        if self.heads is not None:
            _check_int("--heads", self.heads, 1, _MAX_DIM)
        if not isinstance(self.dtype_bytes, (int, float)) or not 0 < self.dtype_bytes <= 8:
            raise InvalidValue("--dtype-bytes", self.dtype_bytes, "bytes per element in (0, 8]: 2 (16-bit), 1 (FP8), 0.5 (4-bit)")
        if self.rope_dim and not self.latent_dim:
            raise InvalidValue("--rope-dim", self.rope_dim, "0 unless --latent-dim is given (the decoupled RoPE key is MLA's)")
        if not self.is_mla:
            if self.kv_heads >= self.tp and self.kv_heads % self.tp:
                raise InvalidValue("--tp", self.tp, f"a divisor of kv-heads={self.kv_heads} (or a multiple of it)")
            if self.kv_heads < self.tp and self.tp % self.kv_heads:
                raise InvalidValue("--tp", self.tp, f"a multiple of kv-heads={self.kv_heads} (or a divisor of it)")
            if self.heads is not None and (self.heads < self.kv_heads or self.heads % self.kv_heads):
                raise InvalidValue("--heads", self.heads, f"a multiple of kv-heads={self.kv_heads}")

    @property
    def is_mla(self) -> bool:
        return self.latent_dim > 0

    @property
    def variant(self) -> str:
        if self.is_mla:
            return "MLA"
        if self.kv_heads == 1:
            return "MQA"
        if self.heads is None:
            return "MHA/GQA"
        return "MHA" if self.heads == self.kv_heads else "GQA"

    @property
    def kv_heads_per_gpu(self) -> int:
        """KV heads each TP rank holds (at least one; see the module's TP convention)."""
        return max(1, self.kv_heads // self.tp)

    @property
    def replication(self) -> int:
        """How many GPUs hold each KV element: tp ÷ kv_heads when heads are fewer than ranks; tp for MLA."""
        if self.is_mla:
            return self.tp
        return max(1, self.tp // self.kv_heads)

    @property
    def tokens_stored(self) -> int:
        return min(self.tokens, self.window) if self.window else self.tokens


def inputs_from_model(model: ModelConfig, **overrides) -> KVCacheInputs:
    """The KV shape of a catalogue model (``calc.model``); keyword overrides replace any field."""
    base = KVCacheInputs(
        layers=model.layers,
        kv_heads=model.n_kv_heads,
        head_dim=model.d_head,
        latent_dim=model.kv_lora_rank,
        rope_dim=model.qk_rope_dim if model.is_mla else 0,
        heads=model.heads,
    )
    return replace(base, **overrides) if overrides else base


@dataclass(frozen=True)
class Capacity:
    """How many sequences of ``tokens_stored`` tokens fit one GPU after weights and a reserve."""

    gpu: str
    hbm_bytes: float
    memory_utilization: float
    weights_bytes: float  # per GPU
    reserve_bytes: float
    bytes_per_sequence: float

    @property
    def kv_budget_bytes(self) -> float:
        return max(0.0, self.hbm_bytes * self.memory_utilization - self.weights_bytes - self.reserve_bytes)

    @property
    def max_sequences(self) -> int:
        return int(self.kv_budget_bytes // self.bytes_per_sequence)

    @property
    def weights_fit(self) -> bool:
        return self.weights_bytes + self.reserve_bytes <= self.hbm_bytes * self.memory_utilization


@dataclass(frozen=True)
class KVCacheResult:
    """Bytes of KV cache per token, per sequence and for the batch, per GPU (SI bytes)."""

    inputs: KVCacheInputs
    elements_per_token_per_layer: int
    bytes_per_token: float
    capacity: Capacity | None = None

    @property
    def bytes_per_sequence(self) -> float:
        return self.bytes_per_token * self.inputs.tokens_stored

    @property
    def total_bytes(self) -> float:
        return self.bytes_per_sequence * self.inputs.batch

    @property
    def all_gpus_total_bytes(self) -> float:
        """Every TP rank together, replicas included (each rank holds ``total_bytes``)."""
        return self.total_bytes * self.inputs.tp

    def to_dict(self) -> dict:
        i = self.inputs
        data = {
            "bytes_per_token": self.bytes_per_token,
            "total_bytes": self.total_bytes,
            "bytes_per_sequence": self.bytes_per_sequence,
            "all_gpus_total_bytes": self.all_gpus_total_bytes,
            "variant": i.variant,
            "elements_per_token_per_layer": self.elements_per_token_per_layer,
            "tokens_stored": i.tokens_stored,
            "batch": i.batch,
            "tp": i.tp,
            "kv_heads_per_gpu": None if i.is_mla else i.kv_heads_per_gpu,
            "replication": i.replication,
            "conventions": {
                "scope": "per GPU (one tensor-parallel rank)",
                "kv_dtype_bytes": i.dtype_bytes,
                "tp_split": "MLA latent replicated on every rank" if i.is_mla
                else "kv_heads / tp per rank; one head per rank, replicated, when kv_heads < tp",
                "window": i.window or None,
                "quantization_scales": "not counted",
            },
        }
        if self.capacity:
            c = self.capacity
            data.update(
                gpu=c.gpu,
                hbm_bytes=c.hbm_bytes,
                weights_bytes=c.weights_bytes,
                reserve_bytes=c.reserve_bytes,
                kv_budget_bytes=c.kv_budget_bytes,
                max_sequences=c.max_sequences,
                max_tokens=int(c.kv_budget_bytes // self.bytes_per_token),
            )
            data["conventions"]["memory_utilization"] = c.memory_utilization
        return data

    def rows(self) -> list[tuple[str, str]]:
        i = self.inputs
        rows = [
            ("variant", i.variant),
            ("bytes per token (per GPU)", f"{format_bytes(self.bytes_per_token)} ({self.bytes_per_token:,.0f} B)"),
            ("tokens cached per sequence", f"{i.tokens_stored:,}"),
            ("per sequence", format_bytes(self.bytes_per_sequence)),
            (f"batch of {i.batch}", f"{format_bytes(self.total_bytes)} ({format_bytes(self.total_bytes, binary=False)})"),
        ]
        if i.tp > 1:
            rows.append((f"all {i.tp} GPUs (replicas counted)", format_bytes(self.all_gpus_total_bytes)))
        if self.capacity:
            c = self.capacity
            rows += [
                (f"{c.gpu} HBM × {c.memory_utilization:g}", format_bytes(c.hbm_bytes * c.memory_utilization, binary=False)),
                ("weights per GPU", format_bytes(c.weights_bytes, binary=False)),
                ("KV budget", format_bytes(c.kv_budget_bytes, binary=False)),
                ("max concurrent sequences", format_count(c.max_sequences) if c.max_sequences >= 1000 else str(c.max_sequences)),
            ]
        return rows

    def explain(self) -> str:
        i = self.inputs
        if i.is_mla:
            symbols, numbers = "(d_c + d_h^R)", f"({i.latent_dim} + {i.rope_dim})"
        else:
            heads = f"{i.kv_heads}/{i.tp}" if i.tp > 1 and i.kv_heads >= i.tp else str(i.kv_heads_per_gpu)
            symbols, numbers = "2 · n_kv · d_h", f"2 · {heads} · {i.head_dim}"
        lines = [
            f"bytes/token = layers · {symbols} · dtype_bytes = {i.layers} · {numbers} · {i.dtype_bytes:g}"
            f" = {i.layers} · {self.elements_per_token_per_layer} · {i.dtype_bytes:g} = {self.bytes_per_token:,.0f} B",
        ]
        window = f" (window {i.window:,} of {i.tokens:,})" if i.window else ""
        lines.append(f"per sequence = {self.bytes_per_token:,.0f} · {i.tokens_stored:,}{window} = {self.bytes_per_sequence:,.0f} B")
        lines.append(f"total = per sequence · batch {i.batch} = {self.total_bytes:,.0f} B ({format_bytes(self.total_bytes)})")
        if self.capacity:
            c = self.capacity
            lines.append(
                f"KV budget = HBM · util − weights − reserve = {c.hbm_bytes:.4g} · {c.memory_utilization:g} − "
                f"{c.weights_bytes:.4g} − {c.reserve_bytes:.4g} = {c.kv_budget_bytes:.4g} B"
            )
            if not c.weights_fit:
                lines.append(f"the weights ({c.weights_bytes:.4g} B per GPU) do not fit: raise --tp or lower --weight-bytes")
            lines.append(f"max sequences = ⌊{c.kv_budget_bytes:.4g} / {self.bytes_per_sequence:.4g}⌋ = {c.max_sequences}")
        return "\n".join(lines)


def kv_cache(inputs: KVCacheInputs) -> KVCacheResult:
    """Per-GPU KV bytes (module docstring: DeepSeek-V2 §2.1.4 Table 1; vLLM §3)."""
    if inputs.is_mla:
        elements = inputs.latent_dim + inputs.rope_dim
    else:
        elements = 2 * inputs.kv_heads_per_gpu * inputs.head_dim
    return KVCacheResult(inputs, elements, inputs.layers * elements * inputs.dtype_bytes)


def capacity(
    result: KVCacheResult,
    gpu: Accelerator,
    params: float,
    weight_bytes: float = 2.0,
    memory_utilization: float = 0.9,
    reserve: float = 0.0,
) -> KVCacheResult:
    """``result`` with the GPU's capacity: ⌊(HBM·util − params·weight_bytes/tp − reserve) / bytes per sequence⌋.

    Args:
        params: parameter count held (``calc.model.count_params(...).total`` for a preset).
        weight_bytes: bytes per weight (2 = BF16, 1 = FP8).
        memory_utilization: fraction of HBM the engine may use (vLLM default 0.9).
        reserve: bytes kept for activations and workspace.
    """
    if not 0 < memory_utilization <= 1:
        raise InvalidValue("--mem-util", memory_utilization, "a fraction in (0, 1]")
    if not 0 < weight_bytes <= 8:
        raise InvalidValue("--weight-bytes", weight_bytes, "bytes per weight in (0, 8]")
    if not 0 <= params < 1e16:
        raise InvalidValue("--params", params, "a parameter count ≥ 0 (like 13B)")
    if not 0 <= reserve < 1e16:
        raise InvalidValue("--reserve", reserve, "a size ≥ 0")
    cap = Capacity(gpu.name, gpu.hbm_bytes, memory_utilization, params * weight_bytes / result.inputs.tp, reserve,
                   result.bytes_per_sequence)
    return replace(result, capacity=cap)


def model_params(model: ModelConfig) -> int:
    """Parameters resident in memory for a catalogue model: all of them (every expert included)."""
    return count_params(model).total

"""Training FLOPs, MFU and HFU, training time and compute budget.

Three counting conventions (``convention``), each for a dense decoder-only transformer:

* ``megatron`` — Narayanan et al. 2021, *Efficient Large-Scale Language Model Training on GPU
  Clusters Using Megatron-LM* (SC'21), §5.1: per iteration of B sequences of length s through l
  layers of width h with vocabulary V, counting matmuls only (2 FLOPs per multiply-add, backward =
  2 × forward)::

      no recomputation     F = 72 B s l h² (1 + s/(6h) + V/(12 l h))
      full recomputation   F = 96 B s l h² (1 + s/(6h) + V/(16 l h))     (one extra forward)

  Selective recomputation (Korthikanti et al. 2022, appendix on FLOPs calculation: the hardware
  FLOPs behind Table 5's HFU) is 72 B s l h² (1 + s/(3h) + V/(12 l h)). Erratum: recomputing the core attention's forward
  adds only its two s² matmuls, 4Bs²h per layer, which gives s·2/(9h) instead of s/(3h); the paper's
  s/(3h) counts 24Bs²h, i.e. twice that. ``selective_hfu="paper"`` (default) reproduces Table 5,
  ``"derived"`` uses 2s/(9h).
* ``palm`` — Chowdhery et al. 2022, *PaLM*, Appendix B: per token 6N + 12·L·H·Q·T (N parameters,
  L layers, H heads, Q head dimension, T sequence length). Full recomputation adds one forward,
  2N + 4LHQT; selective adds the attention forward 4LHQT (derived the same way).
* ``6n`` — Kaplan et al. 2020 §2.1: 6N per token, no attention term (8N with full recomputation).

Model FLOPs exclude recomputation, hardware FLOPs include it (PaLM Appendix B; Korthikanti et al.
2022 Table 5): MFU = model FLOP/s ÷ (GPUs × peak), HFU = hardware FLOP/s ÷ (GPUs × peak), so
MFU ≤ HFU. Attention FLOPs count the full s×s product as all three sources do (``attention="full"``);
``"causal"`` halves the s² terms (only the lower triangle is computed, as FlashAttention-2's causal
kernels do).

Training time: Narayanan et al. 2021 §5.1, T_train ≈ 8·T·P/(n·X) with recomputation (6·T·P/(n·X)
without) for T tokens, P parameters, n GPUs at X FLOP/s each; and tokens ÷ measured tokens/s.
Compute budget C = 6·N·D (Kaplan et al. 2020 §2.1; Hoffmann et al. 2022 §3). Without ``params``,
``megatron`` takes P = 12 l h² (1 + 13/(12h) + (V + s)/(12 l h)) (Narayanan et al. 2021 §5.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc._checks import choice, positive, positive_int
from infraprep.calc.units import format_count, format_flops, format_seconds
from infraprep.errors import InvalidValue

__all__ = ["ATTENTION", "CONVENTIONS", "RECOMPUTE", "FlopsInputs", "FlopsResult", "flops", "megatron_params",
           "utilization"]

CONVENTIONS = ("megatron", "palm", "6n")
ATTENTION = ("full", "causal")
RECOMPUTE = ("none", "selective", "full")
SELECTIVE_HFU = ("paper", "derived")
_NEEDS = {"megatron": ("layers", "hidden", "seq", "vocab"), "palm": ("params", "layers", "seq"), "6n": ("params",)}


def megatron_params(layers: int, hidden: int, vocab: int, seq: int) -> float:
    """P = 12 l h² (1 + 13/(12h) + (V + s)/(12 l h)): GPT with learned positions, tied embedding
    (Narayanan et al. 2021 §5.1; reproduces Table 1's parameter column)."""
    h = hidden
    return 12 * layers * h * h * (1 + 13 / (12 * h) + (vocab + seq) / (12 * layers * h))


def utilization(flops_per_sec_per_gpu: float, peak: float) -> float:
    """Achieved FLOP/s per GPU ÷ the GPU's dense peak: MFU with model FLOPs, HFU with hardware FLOPs."""
    return flops_per_sec_per_gpu / peak


@dataclass(frozen=True)
class FlopsInputs:
    convention: str = "megatron"
    layers: int | None = None
    hidden: int | None = None
    heads: int | None = None
    head_dim: int | None = None
    seq: int | None = None
    vocab: int | None = None
    params: float | None = None
    global_batch: int | None = None  # sequences per iteration
    iter_time: float | None = None  # seconds per iteration
    tokens_per_sec: float | None = None
    gpus: int | None = None
    peak: float | None = None  # FLOP/s per GPU (dense, the training dtype)
    recompute: str = "none"
    attention: str = "full"
    selective_hfu: str = "paper"
    train_tokens: float | None = None
    achieved: float | None = None  # hardware FLOP/s per GPU for 8TP/(nX)
    peak_source: str = ""  # where the peak came from ("h100-sxm dense bf16", "given")
    params_source: str = ""  # where --params came from ("mixtral-8x7b: active parameters")

    def __post_init__(self) -> None:
        choice("--convention", self.convention, CONVENTIONS)
        choice("--recompute", self.recompute, RECOMPUTE)
        choice("--attention", self.attention, ATTENTION)
        choice("--selective-hfu", self.selective_hfu, SELECTIVE_HFU)
        for name in ("layers", "hidden", "heads", "head_dim", "seq", "vocab", "global_batch", "gpus"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, positive_int("--" + name.replace("_", "-"), getattr(self, name)))
        for name in ("params", "iter_time", "tokens_per_sec", "peak", "train_tokens", "achieved"):
            if getattr(self, name) is not None:
                positive("--" + name.replace("_", "-"), getattr(self, name))
        missing = [f"--{n}" for n in _NEEDS[self.convention] if getattr(self, n) is None]
        if self.convention == "palm" and self.head_dim is None and (self.hidden is None or self.heads is None):
            missing.append("--heads with --head-dim (or --hidden)")
        if missing:
            raise InvalidValue("--convention", self.convention, f"with {', '.join(missing)} given")
        if self.convention == "palm" and self.head_dim is None and self.hidden % self.heads:
            raise InvalidValue("--heads", self.heads, f"a divisor of hidden={self.hidden} (or give --head-dim)")
        if self.tokens_per_sec is not None and self.iter_time is not None:
            raise InvalidValue("--tokens-per-sec", self.tokens_per_sec, "only one of --tokens-per-sec and --iter-time")
        if self.iter_time is not None and (self.global_batch is None or self.seq is None):
            raise InvalidValue("--iter-time", self.iter_time, "given with --global-batch and --seq")

    @property
    def rate(self) -> float | None:
        """Tokens per second, measured."""
        if self.tokens_per_sec is not None:
            return self.tokens_per_sec
        if self.iter_time is not None:
            return self.global_batch * self.seq / self.iter_time
        return None


def _per_token(i: FlopsInputs) -> tuple[float, float, str]:
    """(model FLOPs per token, hardware FLOPs per token, the formula in words)."""
    c = 0.5 if i.attention == "causal" else 1.0
    if i.convention == "megatron":
        n_layers, h, s, v = i.layers, i.hidden, i.seq, i.vocab  # l, h, s, V in the paper
        base = 72 * n_layers * h * h
        model = base * (1 + c * s / (6 * h) + v / (12 * n_layers * h))
        formula = f"72·l·h²(1 + {c:g}·s/(6h) + V/(12lh)) per token (× B·s per iteration)"
        if i.recompute == "full":
            return model, 96 * n_layers * h * h * (1 + c * s / (6 * h) + v / (16 * n_layers * h)), formula
        if i.recompute == "selective":
            attn = 1 / 3 if i.selective_hfu == "paper" else 2 / 9
            return model, base * (1 + c * attn * s / h + v / (12 * n_layers * h)), formula
        return model, model, formula
    n = i.params
    if i.convention == "6n":
        return 6 * n, (8 * n if i.recompute == "full" else 6 * n), "6N per token"
    q = i.head_dim or i.hidden // i.heads
    attn = c * i.layers * i.heads * q * i.seq  # L·H·Q·T
    model = 6 * n + 12 * attn
    extra = {"none": 0.0, "selective": 4 * attn, "full": 2 * n + 4 * attn}[i.recompute]
    return model, model + extra, f"6N + 12·L·H·Q·T{' (causal: ×½ on attention)' if c < 1 else ''} per token"


@dataclass(frozen=True)
class FlopsResult:
    inputs: FlopsInputs
    model_per_token: float
    hardware_per_token: float
    params: float | None
    formula: str

    @property
    def rate(self) -> float | None:
        return self.inputs.rate

    def _per_gpu(self, per_token: float) -> float | None:
        i = self.inputs
        return None if self.rate is None or i.gpus is None else per_token * self.rate / i.gpus

    @property
    def model_flops_per_gpu(self) -> float | None:
        return self._per_gpu(self.model_per_token)

    @property
    def hardware_flops_per_gpu(self) -> float | None:
        return self._per_gpu(self.hardware_per_token)

    @property
    def mfu(self) -> float | None:
        x, peak = self.model_flops_per_gpu, self.inputs.peak
        return None if x is None or peak is None else utilization(x, peak)

    @property
    def hfu(self) -> float | None:
        x, peak = self.hardware_flops_per_gpu, self.inputs.peak
        return None if x is None or peak is None else utilization(x, peak)

    def per_iteration(self, per_token: float) -> float | None:
        i = self.inputs
        return None if i.global_batch is None or i.seq is None else per_token * i.global_batch * i.seq

    @property
    def compute_budget(self) -> float | None:
        """C = 6·N·D."""
        d = self.inputs.train_tokens
        return None if d is None or self.params is None else 6 * self.params * d

    @property
    def training_time(self) -> float | None:
        """8TP/(nX) with full recomputation, 6TP/(nX) otherwise (Narayanan et al. 2021 §5.1)."""
        i = self.inputs
        if None in (i.train_tokens, self.params, i.gpus, i.achieved):
            return None
        factor = 8 if i.recompute == "full" else 6
        return factor * i.train_tokens * self.params / (i.gpus * i.achieved)

    @property
    def training_time_measured(self) -> float | None:
        i = self.inputs
        return None if i.train_tokens is None or self.rate is None else i.train_tokens / self.rate

    def conventions(self) -> dict:
        i = self.inputs
        return {
            "flops": i.convention,
            "formula": self.formula,
            "attention": i.attention,
            "recompute": i.recompute,
            "selective_hfu": i.selective_hfu if i.recompute == "selective" and i.convention == "megatron" else None,
            "peak": i.peak_source or ("given" if i.peak is not None else None),
            "mfu": "model FLOPs (no recomputation) / (GPUs × peak)",
            "hfu": "hardware FLOPs (with recomputation) / (GPUs × peak)",
            "training_time": f"{8 if i.recompute == 'full' else 6}·T·P/(n·X), Narayanan et al. 2021 §5.1",
            "params": (i.params_source or "given") if i.params is not None
            else "12lh²(1 + 13/(12h) + (V+s)/(12lh)), Narayanan et al. 2021 §5.1",
        }

    def to_dict(self) -> dict:
        return {
            "mfu": self.mfu,
            "hfu": self.hfu,
            "model_flops_per_token": self.model_per_token,
            "hardware_flops_per_token": self.hardware_per_token,
            "model_flops_per_iteration": self.per_iteration(self.model_per_token),
            "hardware_flops_per_iteration": self.per_iteration(self.hardware_per_token),
            "tokens_per_sec": self.rate,
            "model_flops_per_sec_per_gpu": self.model_flops_per_gpu,
            "hardware_flops_per_sec_per_gpu": self.hardware_flops_per_gpu,
            "peak_flops_per_sec": self.inputs.peak,
            "params": self.params,
            "compute_budget_flops": self.compute_budget,
            "training_time_s": self.training_time,
            "training_time_measured_s": self.training_time_measured,
            "conventions": self.conventions(),
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [("model FLOPs / token", format_flops(self.model_per_token)),
                ("hardware FLOPs / token", format_flops(self.hardware_per_token))]
        optional = [
            ("model FLOPs / iteration", self.per_iteration(self.model_per_token), format_flops),
            ("tokens / s", self.rate, lambda x: f"{x:,.0f}"),
            ("model FLOP/s per GPU", self.model_flops_per_gpu, lambda x: format_flops(x, rate=True)),
            ("MFU", self.mfu, lambda x: f"{x:.1%}"),
            ("HFU", self.hfu, lambda x: f"{x:.1%}"),
            ("parameters", self.params, format_count),
            ("compute budget 6ND", self.compute_budget, format_flops),
            ("training time (from X)", self.training_time, format_seconds),
            ("training time (measured rate)", self.training_time_measured, format_seconds),
        ]
        return rows + [(label, fmt(value)) for label, value, fmt in optional if value is not None]

    def explain(self) -> str:
        i = self.inputs
        lines = [f"{i.convention}: {self.formula} = {self.model_per_token:.4g} model FLOPs/token"]
        if self.hardware_per_token != self.model_per_token:
            lines.append(f"with {i.recompute} recomputation: {self.hardware_per_token:.4g} hardware FLOPs/token")
        if self.rate is not None:
            how = f"{i.global_batch}·{i.seq}/{i.iter_time:g} s" if i.iter_time is not None else "given"
            lines.append(f"tokens/s = {how} = {self.rate:,.0f}")
        if self.mfu is not None:
            lines.append(f"MFU = {self.model_per_token:.4g} × {self.rate:,.0f} / ({i.gpus} × {i.peak:.4g}) = {self.mfu:.2%}")
            lines.append(f"HFU = {self.hardware_per_token:.4g} × {self.rate:,.0f} / ({i.gpus} × {i.peak:.4g}) = {self.hfu:.2%}")
        elif self.rate is not None:
            lines.append("MFU/HFU need --gpus and --peak (or --gpu)")
        if self.compute_budget is not None:
            lines.append(f"C = 6·N·D = 6 × {self.params:.4g} × {i.train_tokens:.4g} = {self.compute_budget:.3g} FLOPs")
        if self.training_time is not None:
            f = 8 if i.recompute == "full" else 6
            lines.append(f"T = {f}·T·P/(n·X) = {f} × {i.train_tokens:.4g} × {self.params:.4g} / ({i.gpus} × "
                         f"{i.achieved:.4g}) = {format_seconds(self.training_time)}")
        if self.training_time_measured is not None:
            lines.append(f"T = D / (tokens/s) = {format_seconds(self.training_time_measured)}")
        return "\n".join(lines)


def flops(i: FlopsInputs) -> FlopsResult:
    """FLOPs per token and per iteration, MFU/HFU and training time per the module docstring."""
    model, hardware, formula = _per_token(i)
    params = i.params
    if params is None and None not in (i.layers, i.hidden, i.vocab, i.seq):
        params = megatron_params(i.layers, i.hidden, i.vocab, i.seq)
    return FlopsResult(i, model, hardware, params, formula)

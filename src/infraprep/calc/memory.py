"""Per-GPU training memory: parameters, gradients, optimizer states and activations vs capacity.

Source: Rajbhandari et al. 2020, *ZeRO: Memory Optimizations Toward Training Trillion Parameter
Models* (SC'20), §3.1 (mixed-precision Adam holds 2Ψ + 2Ψ + KΨ bytes, K = 12) and §5.1 / Fig. 1
(ZeRO-DP stages over N_d data-parallel ranks)::

    baseline     (2 + 2 + K) Ψ
    ZeRO-1 (P_os)      2Ψ + 2Ψ + KΨ/N_d         (≡ Megatron's distributed optimizer)
    ZeRO-2 (P_os+g)    2Ψ + (2 + K)Ψ/N_d
    ZeRO-3 (P_os+g+p)  (2 + 2 + K)Ψ/N_d

Conventions (parameters with defaults):

* bytes per parameter: ``param_bytes`` 2 (BF16/FP16 weights), ``grad_bytes`` 2 (ZeRO's convention;
  4 for FP32 gradient accumulation), optimizer K from ``optimizer``: ``adam`` 12 (FP32 master
  weights, momentum, variance), ``sgd-momentum`` 8, ``sgd`` 4 (master weights only), or
  ``optimizer_bytes`` to set K directly;
* Ψ here is the parameter count *on this GPU* before ZeRO: dense weights sharded over tp and pp
  (Shoeybi et al. 2019; Narayanan et al. 2021), routed experts over ep and pp (expert tensor
  parallelism 1, see :mod:`infraprep.calc.parallelism`); with a model shape the first pipeline stage
  also holds the embedding (Megatron-LM's "most loaded shard"), otherwise layers split evenly;
* N_d is the ZeRO group: dp·cp for dense weights, expert_dp = dp·cp·tp/ep for experts;
* ``offload`` (ZeRO-Offload, Ren et al. 2021 §4.1): ``optimizer`` keeps FP32 states on the CPU;
  ``optimizer+grads`` also streams gradients there (FP16 weights stay on the GPU); the moved bytes
  are reported as CPU memory per GPU;
* ``pad_shards`` (default off, the paper's Ψ/N_d): implementations shard *flat buffers* and pad
  each to a multiple of N_d so that every rank's slice has the same size — DeepSpeed's ZeRO-1/2
  optimizer flattens each parameter group into one buffer aligned to (NCCL alignment ×) the
  data-parallel size (``bit16_groups_flat`` in ``deepspeed/runtime/zero/stage_1_and_2.py``); FSDP pads
  each FlatParameter to a multiple of the sharding factor (Zhao et al. 2023, PyTorch FSDP, §3.2.1).
  With it, a sharded state holds ``Σ_u ⌈P_u/N_d⌉`` elements (``P_u``: the sizes of the flat buffers,
  ``flat_buffers``, default one buffer of Ψ), and at ZeRO-1/2 the working weights live in the padded
  flat buffer the all-gather fills, ``Σ_u N_d⌈P_u/N_d⌉``; gradients that are not sharded stay per
  tensor (Ψ). Routed experts form one buffer of their own, padded over their ZeRO group;
* activations from :mod:`infraprep.calc.activations` (first pipeline stage) or not counted;
* bytes are decimal where shown in GB (10⁹ B), as the ZeRO paper and GPU vendors count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infraprep.calc._checks import choice, divides, positive
from infraprep.calc.activations import ActivationInputs, ActivationResult, activations
from infraprep.calc.model import ModelConfig, count_params
from infraprep.calc.parallelism import Parallelism
from infraprep.calc.units import format_bytes, format_count
from infraprep.errors import InvalidValue

__all__ = ["OFFLOAD", "OPTIMIZERS", "TrainMemoryInputs", "TrainMemoryResult", "check_flat_buffers", "check_split",
           "shard_params", "train_memory", "zero_elements"]

OPTIMIZERS = {"adam": 12.0, "sgd-momentum": 8.0, "sgd": 4.0}
OFFLOAD = ("none", "optimizer", "optimizer+grads")


@dataclass(frozen=True)
class TrainMemoryInputs:
    """What one training job keeps per GPU. Give ``params`` (a count) or ``model`` (a shape)."""

    parallel: Parallelism = field(default_factory=Parallelism)
    params: float | None = None
    model: ModelConfig | None = None
    expert_params: float = 0.0  # routed-expert parameters within ``params`` (a shape computes it)
    zero: int = 0
    param_bytes: float = 2.0
    grad_bytes: float = 2.0
    optimizer: str = "adam"
    optimizer_bytes: float | None = None
    offload: str = "none"
    activations: ActivationInputs | None = None
    capacity_bytes: float | None = None
    capacity_label: str = ""
    pad_shards: bool = False  # pad each flat buffer to a multiple of N_d (see the module docstring)
    flat_buffers: tuple[float, ...] | None = None  # sizes of the dense flat buffers on this GPU; default one

    def __post_init__(self) -> None:
        if (self.params is None) == (self.model is None):
            raise InvalidValue("--params", self.params, "either a parameter count or --model, not both")
        if self.params is not None:
            positive("--params", self.params)
            positive("--expert-params", self.expert_params, allow_zero=True)
            if self.expert_params >= self.params:
                raise InvalidValue("--expert-params", self.expert_params, f"less than --params={self.params:g}")
        if self.zero not in (0, 1, 2, 3) or isinstance(self.zero, bool):
            raise InvalidValue("--zero", self.zero, "0, 1, 2 or 3")
        choice("--param-bytes", self.param_bytes, (1, 2, 4))
        choice("--grad-bytes", self.grad_bytes, (2, 4))
        choice("--optimizer", self.optimizer, OPTIMIZERS)
        if self.optimizer_bytes is not None:
            positive("--optimizer-bytes", self.optimizer_bytes, allow_zero=True)
        choice("--offload", self.offload, OFFLOAD)
        if self.capacity_bytes is not None:
            positive("--capacity", self.capacity_bytes)
        check_split(self.parallel, self.model, self.expert_params)
        check_flat_buffers(self.pad_shards, self.flat_buffers,
                           shard_params(self.parallel, self.params, self.model, self.expert_params)[1])
        a, p = self.activations, self.parallel
        if a is not None and (a.tp, a.pp, a.cp, a.sp) != (p.tp, p.pp, p.cp, p.sp):
            raise InvalidValue("activations", (a.tp, a.pp, a.cp, a.sp), f"the job's tp, pp, cp, sp {(p.tp, p.pp, p.cp, p.sp)}")

    @property
    def k(self) -> float:
        return OPTIMIZERS[self.optimizer] if self.optimizer_bytes is None else self.optimizer_bytes


@dataclass(frozen=True)
class TrainMemoryResult:
    inputs: TrainMemoryInputs
    model_params: float
    dense_per_gpu: float  # parameters on the first stage before ZeRO
    expert_per_gpu: float
    gpu_bytes: dict[str, float]
    cpu_bytes: float
    act: ActivationResult | None

    @property
    def total(self) -> float:
        return sum(self.gpu_bytes.values())

    @property
    def margin(self) -> float | None:
        cap = self.inputs.capacity_bytes
        return None if cap is None else cap - self.total

    @property
    def fits(self) -> bool | None:
        return None if self.margin is None else self.margin >= 0

    def conventions(self) -> dict:
        i = self.inputs
        return {
            "source": "Rajbhandari et al. 2020 (ZeRO) §3.1, §5.1 / Fig. 1; activations: Korthikanti et al. 2022",
            "param_bytes": i.param_bytes,
            "grad_bytes": i.grad_bytes,
            "optimizer": i.optimizer,
            "optimizer_bytes_per_param": i.k,
            "zero_stage": i.zero,
            "zero_group": {"dense": i.parallel.grad_dp, "experts": i.parallel.expert_dp},
            "offload": i.offload,
            "shard_padding": {"padded": i.pad_shards,
                              "flat_buffers": list(i.flat_buffers) if i.flat_buffers else None,
                              "rule": "each flat buffer padded to a multiple of N_d; sharded state Σ⌈P_u/N_d⌉, "
                                      "ZeRO-1/2 weights the padded buffer, unsharded grads per tensor"
                              if i.pad_shards else "none: Ψ/N_d exactly (ZeRO §5.1)"},
            "pipeline_split": "first stage holds L/p layers + embedding" if i.model is not None and i.parallel.pp > 1
            else "even split over pp",
            "activations": "first pipeline stage" if self.act is not None else "not counted",
            "bytes": "SI base units; GB = 1e9 B",
        }

    def to_dict(self) -> dict:
        p = self.inputs.parallel
        return {
            "per_gpu_bytes": {**self.gpu_bytes, "total": self.total},
            "cpu_bytes_per_gpu": self.cpu_bytes,
            "params_per_gpu": {"dense": self.dense_per_gpu, "expert": self.expert_per_gpu,
                               "total": self.dense_per_gpu + self.expert_per_gpu},
            "model_params": self.model_params,
            "capacity_bytes": self.inputs.capacity_bytes,
            "gpu": self.inputs.capacity_label or None,
            "fits": self.fits,
            "margin_bytes": self.margin,
            "parallelism": {"dp": p.dp, "tp": p.tp, "pp": p.pp, "cp": p.cp, "ep": p.ep, "sp": p.sp,
                            "zero": self.inputs.zero, "gpus": p.world},
            "activations": None if self.act is None else self.act.to_dict(),
            "conventions": self.conventions(),
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [(name, _gb(value)) for name, value in self.gpu_bytes.items()]
        rows.append(("total per GPU", _gb(self.total)))
        if self.cpu_bytes:
            rows.append(("offloaded to CPU (per GPU)", _gb(self.cpu_bytes)))
        if self.fits is not None:
            verdict = "fits" if self.fits else "does NOT fit"
            rows.append((f"vs {self.inputs.capacity_label or 'capacity'} {_gb(self.inputs.capacity_bytes)}",
                         f"{verdict}: {'headroom' if self.fits else 'short by'} {_gb(abs(self.margin))}"))
        return rows

    def explain(self) -> str:
        i, p = self.inputs, self.inputs.parallel
        psi = self.dense_per_gpu + self.expert_per_gpu
        lines = [f"Ψ = {format_count(self.model_params)} parameters; on this GPU (tp={p.tp}, pp={p.pp}"
                 f"{f', ep={p.ep}' if p.ep > 1 else ''}) Ψ_gpu = {psi:,.0f}"]
        if self.expert_per_gpu:
            lines.append(f"  dense {self.dense_per_gpu:,.0f} (ZeRO over dp·cp={p.grad_dp}) + experts "
                         f"{self.expert_per_gpu:,.0f} (ZeRO over dp·cp·tp/ep={p.expert_dp})")
        nd = p.grad_dp
        sym = "Ψ⁺" if i.pad_shards and i.zero else "Ψ"
        term = {n: (f"{sym}/{nd}" if i.zero >= stage else "Ψ") for n, stage in (("p", 3), ("g", 2), ("o", 1))}
        if i.zero in (1, 2):
            term["p"] = sym  # the weights fill the (padded) flat buffer
        lines.append(f"ZeRO-{i.zero}, N_d={nd}: {i.param_bytes:g}{term['p']} + {i.grad_bytes:g}{term['g']} + "
                     f"{i.k:g}{term['o']}  (K={i.k:g}, {i.optimizer})")
        if i.pad_shards and i.zero:
            whole, shard = zero_elements(self.dense_per_gpu, i.flat_buffers, nd, True)
            sizes = i.flat_buffers or (self.dense_per_gpu,)
            lines.append(f"padded flat buffers: Ψ⁺ = Σ N_d⌈P_u/N_d⌉ over {len(sizes)} buffer(s) = {whole:,.0f} "
                         f"(+{whole - round(self.dense_per_gpu):,.0f} padding); a shard Ψ⁺/N_d = {shard:,.0f}"
                         + ("; weights at ZeRO-1/2 fill Ψ⁺" if i.zero in (1, 2) else ""))
        terms = " + ".join(f"{_gb(v)} {n}" for n, v in self.gpu_bytes.items())
        lines.append(f"= {terms} = {_gb(self.total)}")
        if self.cpu_bytes:
            lines.append(f"offload ({i.offload}): {_gb(self.cpu_bytes)} per GPU moved to host memory")
        if self.act is None:
            lines.append("activations not counted: give a model shape (--model or --layers/--hidden/--heads) and --seq")
        else:
            lines.append(f"activations (first stage): {self.act.explain().splitlines()[-1]}")
        if self.fits is not None:
            lines.append(f"capacity {_gb(i.capacity_bytes)} − {_gb(self.total)} = {_gb(self.margin)} → "
                         f"{'fits' if self.fits else 'does not fit'}")
        return "\n".join(lines)


def _gb(n: float) -> str:
    return f"{format_bytes(n, binary=False)} ({format_bytes(n)})"


def check_split(parallel: Parallelism, model: ModelConfig | None = None, expert_params: float = 0.0) -> None:
    """The job's split must fit the model: tp divides heads (and kv heads when tp ≤ kv heads),
    pp divides layers, ep divides experts; ep > 1 needs routed experts."""
    p, m = parallel, model
    experts = m.experts if m is not None else (1 if expert_params else 0)
    if p.ep > 1 and not experts:
        raise InvalidValue("--ep", p.ep, "1 for a dense model (expert parallelism needs routed experts)")
    if m is None:
        return
    divides("--tp", p.tp, m.heads, "heads")
    if m.kv_heads is not None and m.n_kv_heads >= p.tp:
        divides("--tp", p.tp, m.n_kv_heads, "kv_heads")
    divides("--pp", p.pp, m.layers, "layers")
    if m.experts:
        divides("--ep", p.ep, m.experts, "experts")


def padded(n: float, d: int) -> int:
    """``n`` elements rounded up to a multiple of ``d`` (a parameter count is an integer: ``n`` is
    rounded first, so an even split such as 7.5e9/4 stays exact)."""
    n = round(n)
    return -(-n // d) * d


def zero_elements(count: float, buffers: tuple[float, ...] | None, d: int, pad: bool) -> tuple[float, float]:
    """(whole, shard): elements of the flat buffers that ZeRO splits over ``d`` ranks, and one rank's slice.

    Without padding ``(Ψ, Ψ/d)`` (ZeRO §5.1); with it ``(Σ_u d⌈P_u/d⌉, Σ_u ⌈P_u/d⌉)`` over the
    buffers ``P_u`` (default one buffer of ``count``). Invariant: ``whole = d · shard ≥ count``.
    """
    if not pad:
        return count, count / d
    whole = sum(padded(u, d) for u in (buffers or (count,)))
    return whole, whole // d


def check_flat_buffers(pad: bool, buffers: tuple[float, ...] | None, dense: float) -> None:
    """``--flat-buffers`` need ``--pad-shards``, are positive integers, and sum to the dense Ψ per GPU."""
    if buffers is None:
        return
    shown = ",".join(f"{b:g}" for b in buffers)
    if not pad:
        raise InvalidValue("--flat-buffers", shown, "none without --pad-shards (buffer sizes matter only to padding)")
    if not buffers or any(not float(b).is_integer() or b < 1 for b in buffers):
        raise InvalidValue("--flat-buffers", shown, "positive whole parameter counts")
    if abs(sum(buffers) - dense) >= 0.5:
        raise InvalidValue("--flat-buffers", shown, f"sizes summing to the dense parameters per GPU, Ψ_g = {dense:,.0f}")


def shard_params(parallel: Parallelism, params: float | None = None, model: ModelConfig | None = None,
                 expert_params: float = 0.0) -> tuple[float, float, float]:
    """(model total, dense parameters per GPU on the first stage, routed-expert parameters per GPU),
    before ZeRO: dense over tp·pp (the first stage also holds the embedding when the shape is known),
    experts over ep·pp."""
    p = parallel
    if model is None:
        return params, (params - expert_params) / (p.tp * p.pp), expert_params / (p.ep * p.pp)
    c = count_params(model)
    routed = c.expert * c.config.experts * c.config.moe_layers
    dense = c.total - routed
    if p.pp > 1:  # first stage: its share of the layers plus the embedding table (vocab-parallel over tp)
        body = dense - c.embedding - c.output
        dense_stage = body / p.pp + max(c.embedding, c.output)
    else:
        dense_stage = dense
    return c.total, dense_stage / p.tp, routed / (p.ep * p.pp)


def train_memory(i: TrainMemoryInputs) -> TrainMemoryResult:
    """Per-GPU bytes of a training job per the module docstring (ZeRO §3.1, §5.1 / Fig. 1)."""
    total, dense, expert = shard_params(i.parallel, i.params, i.model, i.expert_params)
    p = i.parallel

    whole, shard = zero_elements(dense, i.flat_buffers, p.grad_dp, i.pad_shards)
    e_whole, e_shard = zero_elements(expert, None, p.expert_dp, i.pad_shards)

    def held(stage: int, flat: bool = False) -> float:  # elements of a state sharded from ZeRO-``stage`` on
        if i.zero >= stage:
            return shard + e_shard
        return whole + e_whole if flat and i.zero >= 1 else dense + expert  # ZeRO-1/2 weights: the flat buffer

    gpu = {"params": i.param_bytes * held(3, flat=True), "grads": i.grad_bytes * held(2), "optimizer": i.k * held(1)}
    cpu = 0.0
    if i.offload != "none":
        cpu += gpu["optimizer"]
        gpu["optimizer"] = 0.0
    if i.offload == "optimizer+grads":
        cpu += gpu["grads"]
        gpu["grads"] = 0.0
    act = activations(i.activations) if i.activations is not None else None
    gpu["activations"] = (act.stage_bytes or 0.0) if act is not None else 0.0
    return TrainMemoryResult(i, total, dense, expert, gpu, cpu, act)

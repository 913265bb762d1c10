"""What a training run is: the model's shape, the parallel layout and the training knobs.

Pure Python (no torch): the CLI validates a run before it spawns a single rank. Every invalid value
raises :class:`~infraprep.errors.InvalidValue` naming the CLI option and what would be valid.

Batch convention: one optimizer step consumes a *global batch* of ``dp · m · b`` sequences of
``seq`` tokens; each data-parallel rank takes ``m`` micro-batches of ``b`` sequences. The loss is
the mean cross-entropy over all ``dp · m · b · seq`` tokens of the step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from infraprep.errors import InvalidValue, UnknownName

__all__ = ["SCHEDULES", "ZERO_STAGES", "ModelShape", "TrainConfig"]

SCHEDULES = ("gpipe", "1f1b")
ZERO_STAGES = (0, 1, 3)


def _positive(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidValue(name, value, "a positive integer")


@dataclass(frozen=True)
class ModelShape:
    """A GPT-2-style decoder: learned token and position embeddings, pre-LayerNorm blocks
    (attention, then a GeLU MLP of width ``4·hidden``), a final LayerNorm and an untied output head.
    Linear layers have no biases; each LayerNorm has a scale and a bias.

    Defaults are a toy that trains in seconds on CPU ranks.
    """

    layers: int = 4
    hidden: int = 64
    heads: int = 4
    vocab: int = 128
    seq: int = 16

    def __post_init__(self) -> None:
        for name in ("layers", "hidden", "heads", "vocab", "seq"):
            _positive(f"--{name}", getattr(self, name))
        if self.hidden % self.heads:
            raise InvalidValue("--heads", self.heads, f"a divisor of hidden={self.hidden}")

    @property
    def ffn(self) -> int:
        return 4 * self.hidden

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    def to_dict(self) -> dict:
        return {**asdict(self), "ffn": self.ffn}


@dataclass(frozen=True)
class TrainConfig:
    """One training run. ``dp · tp · pp`` is the number of ranks.

    Args:
        dp, tp, pp: data-, tensor- and pipeline-parallel degrees.
        zero: 0 (plain DP: bucketed gradient all-reduce), 1 (optimizer states sharded over DP),
            3 (parameters, gradients and optimizer states sharded; gathered before use, freed after).
        schedule: pipeline schedule, ``gpipe`` (all forwards, then all backwards) or ``1f1b``.
        sp: sequence parallelism on top of TP (Korthikanti et al. 2022 §4.2).
        steps: optimizer steps.
        micro_batches: ``m``, micro-batches per step per data-parallel rank (gradient accumulation
            when ``pp = 1``; the pipeline's micro-batches otherwise).
        micro_batch_size: ``b``, sequences per micro-batch.
        lr: Adam's learning rate (betas 0.9, 0.999; eps 1e-8; no weight decay, no clipping).
        seed: initial weights and data both derive from it; same seed, same run.
        bucket_elements: gradient-bucket size for DP's overlapped all-reduce (elements, fp32).
    """

    model: ModelShape = field(default_factory=ModelShape)
    dp: int = 1
    tp: int = 1
    pp: int = 1
    zero: int = 0
    schedule: str = "1f1b"
    sp: bool = False
    steps: int = 4
    micro_batches: int = 4
    micro_batch_size: int = 2
    lr: float = 3e-3
    seed: int = 0
    bucket_elements: int = 16384

    def __post_init__(self) -> None:
        for name in ("dp", "tp", "pp", "steps", "micro_batches", "micro_batch_size", "bucket_elements"):
            _positive("--" + name.replace("_", "-"), getattr(self, name))
        m = self.model
        if self.zero not in ZERO_STAGES:
            raise InvalidValue("--zero", self.zero, "0, 1 or 3")
        if self.zero and self.dp == 1:
            raise InvalidValue("--zero", self.zero, "0 when --dp=1 (ZeRO shards state across data-parallel ranks)")
        if self.schedule not in SCHEDULES:
            raise UnknownName("schedule", self.schedule, SCHEDULES)
        if m.heads % self.tp:
            raise InvalidValue("--tp", self.tp, f"a divisor of heads={m.heads} (attention heads are split)")
        if m.layers % self.pp:
            raise InvalidValue("--pp", self.pp, f"a divisor of layers={m.layers} (equal stages)")
        if self.sp and self.tp == 1:
            raise InvalidValue("--sp", True, "--tp > 1 (sequence parallelism splits TP's replicated regions)")
        if self.sp and m.seq % self.tp:
            raise InvalidValue("--seq", m.seq, f"a multiple of tp={self.tp} with --sp (the sequence is split)")
        if not (isinstance(self.lr, (int, float)) and 0 < self.lr < 1):
            raise InvalidValue("--lr", self.lr, "a learning rate between 0 and 1")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidValue("--seed", self.seed, "a non-negative integer")

    @property
    def world(self) -> int:
        return self.dp * self.tp * self.pp

    @property
    def global_batch(self) -> int:
        """Sequences per optimizer step: ``dp · m · b``."""
        return self.dp * self.micro_batches * self.micro_batch_size

    @property
    def layers_per_stage(self) -> int:
        return self.model.layers // self.pp

    @property
    def local_seq(self) -> int:
        """Sequence length of the activations between blocks (split over TP with ``sp``)."""
        return self.model.seq // self.tp if self.sp else self.model.seq

    def describe(self) -> str:
        extra = [f"ZeRO-{self.zero}"] if self.zero else []
        extra += ["SP"] if self.sp else []
        extra += [self.schedule] if self.pp > 1 else []
        return f"dp={self.dp} × tp={self.tp} × pp={self.pp}" + (f" ({', '.join(extra)})" if extra else "")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        d["world"] = self.world
        d["global_batch"] = self.global_batch
        return d

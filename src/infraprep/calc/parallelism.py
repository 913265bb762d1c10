"""How a training job is split across GPUs: data, tensor, pipeline, context and expert parallelism.

Convention (Megatron-Core's default rank order ``tp-cp-ep-dp-pp``: tensor-parallel ranks are
adjacent, pipeline stages farthest apart)::

    world = dp · tp · pp · cp            (EP does not add GPUs: it is carved out of dp·cp·tp)

    rank r → tp index  r mod tp
             cp index  (r / tp) mod cp
             dp index  (r / (tp·cp)) mod dp
             pp index  r / (tp·cp·dp)

* Dense parameters are sharded over ``tp`` and ``pp`` and replicated over ``dp·cp``; ZeRO and the
  gradient all-reduce run over the ``dp·cp`` ranks that hold the same shard (Megatron-Core folds CP
  into the data-parallel group for gradients).
* Routed experts use expert tensor parallelism 1 (DeepSeek-V3 §3.2 trains without tensor
  parallelism; Megatron-Core's MoE guide recommends ETP=1): each expert lives whole on one GPU, experts are sharded over ``ep`` ranks taken
  from the ``dp·cp·tp`` ranks of a stage, and replicated over ``expert_dp = dp·cp·tp / ep`` of them.
* Sequence parallelism (``sp``, Korthikanti et al. 2022 §4.2.2) splits the non-tensor-parallel
  activations over the ``tp`` ranks; it needs ``tp > 1`` to mean anything.

A group is *intra-node* when its ranks span at most one node (``gpus_per_node`` consecutive
ranks); otherwise its traffic crosses the scale-out network.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc._checks import positive_int
from infraprep.errors import InvalidValue

__all__ = ["GROUPS", "Parallelism"]

GROUPS = ("tp", "cp", "ep", "dp", "pp")


@dataclass(frozen=True)
class Parallelism:
    """Degrees of each parallelism; validated on construction."""

    dp: int = 1
    tp: int = 1
    pp: int = 1
    cp: int = 1
    ep: int = 1
    sp: bool = False

    def __post_init__(self) -> None:
        for name in ("dp", "tp", "pp", "cp", "ep"):
            object.__setattr__(self, name, positive_int(f"--{name}", getattr(self, name)))
        if self.sp and self.tp == 1:
            raise InvalidValue("--sp", True, "sequence parallelism only with --tp > 1")
        if (self.dp * self.cp * self.tp) % self.ep:
            raise InvalidValue("--ep", self.ep, f"a divisor of dp·cp·tp={self.dp * self.cp * self.tp} "
                               "(experts are spread over a stage's data-, context- and tensor-parallel ranks)")

    @property
    def world(self) -> int:
        """GPUs in the job: dp · tp · pp · cp."""
        return self.dp * self.tp * self.pp * self.cp

    @property
    def grad_dp(self) -> int:
        """Ranks holding the same dense shard (ZeRO / gradient all-reduce group): dp · cp."""
        return self.dp * self.cp

    @property
    def expert_dp(self) -> int:
        """Replicas of each expert shard: dp · cp · tp / ep (expert tensor parallelism 1)."""
        return self.dp * self.cp * self.tp // self.ep

    def span(self, group: str) -> int:
        """Consecutive ranks one group of kind ``group`` spans in the ``tp-cp-ep-dp-pp`` order."""
        spans = {
            "tp": self.tp,
            "cp": self.tp * self.cp,
            "ep": self.ep,  # contiguous ranks of one stage (tp, cp and dp indices vary fastest)
            "dp": self.tp * self.cp * self.dp,
            "pp": self.world,
        }
        if group not in spans:
            raise InvalidValue("group", group, "one of " + ", ".join(GROUPS))
        return spans[group]

    def intra_node(self, group: str, gpus_per_node: int) -> bool:
        """True when every group of this kind fits inside one node of ``gpus_per_node`` GPUs.

        A group of size 1 never communicates; it counts as intra-node.
        """
        positive_int("--gpus-per-node", gpus_per_node)
        return self.span(group) <= gpus_per_node or self.size(group) == 1

    def size(self, group: str) -> int:
        self.span(group)  # validates the name
        return getattr(self, group)

    def describe(self) -> str:
        parts = [f"{g.upper()}={getattr(self, g)}" for g in ("dp", "tp", "pp", "cp", "ep") if getattr(self, g) > 1]
        return " × ".join(parts or ["single GPU"]) + (" + SP" if self.sp else "")

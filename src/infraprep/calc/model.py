"""Parameter counts from a transformer's shape, and a catalogue of published model shapes.

Convention: parameters are counted as the reference implementations hold them (Hugging Face
checkpoints), per decoder layer::

    attention (standard)   Q, O: d·(h·d_h) each;  K, V: d·(h_kv·d_h) each          (GQA: h_kv < h)
    attention (MLA)        DeepSeek-V2 §2.1: W^DQ d·r_q, W^UQ r_q·h(d_nope+d_rope),
                           W^DKV+W^KR d·(r_kv+d_rope), W^UK+W^UV r_kv·h(d_nope+d_v), W^O h·d_v·d
    MLP                    2·d·d_ff (GeLU) or 3·d·d_ff (gated, SwiGLU)
    MoE layer              E routed + S shared experts of d_ff_expert each, router d·E
    norms                  d per RMSNorm, 2d per LayerNorm (scale and bias)

plus embeddings v·d (and learned positions p·d), an output head v·d unless tied, and a final norm.
*Active* parameters are what one token touches: everything except the routed experts it is not sent
to (top-k of E). *Non-embedding* excludes the embedding tables and the output head (Kaplan et al.
2020 §2.1 convention). Small buffers (rotary tables, router score biases) are not parameters here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from infraprep.calc.units import format_count
from infraprep.errors import InvalidValue, UnknownName

__all__ = ["MODELS", "ModelConfig", "ParamCount", "count_params", "get_model"]


@dataclass(frozen=True)
class ModelConfig:
    """A decoder-only transformer's shape. Validated on construction."""

    layers: int
    hidden: int
    heads: int
    vocab: int
    kv_heads: int | None = None  # default: heads (MHA); 1 = MQA; between = GQA
    head_dim: int | None = None  # default: hidden // heads
    ffn: int | None = None  # default: 4 · hidden
    gated_mlp: bool = False
    tied_embeddings: bool = False
    position_embeddings: int = 0  # learned absolute positions (GPT-3: 2048); 0 for RoPE
    biases: bool = False  # linear-layer biases (GPT-3, OPT)
    norm: str = "rmsnorm"
    experts: int = 0  # routed experts per MoE layer; 0 = dense model
    top_k: int = 0
    shared_experts: int = 0
    expert_ffn: int | None = None
    dense_layers: int = 0  # leading layers with a dense MLP in an MoE model (DeepSeek-V3: 3)
    q_lora_rank: int = 0  # MLA query compression (0 = full-rank query projection)
    kv_lora_rank: int = 0  # MLA latent dimension; 0 = standard attention
    qk_rope_dim: int = 0
    qk_nope_dim: int = 0
    v_head_dim: int = 0
    name: str = "custom"
    source: str = ""

    def __post_init__(self) -> None:
        for field_name in ("layers", "hidden", "heads", "vocab"):
            if getattr(self, field_name) <= 0:
                raise InvalidValue(f"--{field_name}", getattr(self, field_name), "a positive integer")
        if self.kv_heads is not None and (self.kv_heads <= 0 or self.heads % self.kv_heads):
            raise InvalidValue("--kv-heads", self.kv_heads, f"a positive divisor of heads={self.heads}")
        if self.head_dim is None and not self.is_mla and self.hidden % self.heads:
            raise InvalidValue("--heads", self.heads, f"a divisor of hidden={self.hidden} (or give --head-dim)")
        if self.norm not in ("rmsnorm", "layernorm"):
            raise InvalidValue("--norm", self.norm, "rmsnorm or layernorm")
        if self.experts:
            if not 1 <= self.top_k <= self.experts:
                raise InvalidValue("--top-k", self.top_k, f"between 1 and experts={self.experts}")
            if not self.expert_ffn or self.expert_ffn <= 0:
                raise InvalidValue("--expert-ffn", self.expert_ffn, "a positive integer for an MoE model")
        if not 0 <= self.dense_layers <= self.layers:
            raise InvalidValue("--dense-layers", self.dense_layers, f"between 0 and layers={self.layers}")
        if self.is_mla and not (self.qk_rope_dim > 0 and self.qk_nope_dim > 0 and self.v_head_dim > 0):
            raise InvalidValue("--kv-lora-rank", self.kv_lora_rank, "MLA also needs --rope-dim, --nope-dim, --v-head-dim")

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def n_kv_heads(self) -> int:
        return self.kv_heads or self.heads

    @property
    def d_head(self) -> int:
        return self.head_dim or self.hidden // self.heads

    @property
    def d_ffn(self) -> int:
        return self.ffn or 4 * self.hidden

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.experts else 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ParamCount:
    """The parameter breakdown of a :class:`ModelConfig` (counts, not bytes)."""

    config: ModelConfig
    embedding: int
    output: int
    attention_per_layer: int
    dense_mlp_per_layer: int
    expert: int  # one expert's MLP
    router_per_layer: int
    norms: int  # all norms in the model

    @property
    def attention(self) -> int:
        return self.attention_per_layer * self.config.layers

    @property
    def mlp(self) -> int:
        c = self.config
        dense = self.dense_mlp_per_layer * (c.layers - c.moe_layers)
        moe = (self.expert * (c.experts + c.shared_experts) + self.router_per_layer) * c.moe_layers
        return dense + moe

    @property
    def total(self) -> int:
        return self.embedding + self.output + self.attention + self.mlp + self.norms

    @property
    def active(self) -> int:
        """Parameters one token uses: all but the (E − k) routed experts it skips per MoE layer."""
        c = self.config
        return self.total - self.expert * (c.experts - c.top_k) * c.moe_layers

    @property
    def non_embedding(self) -> int:
        return self.total - self.embedding - self.output

    def to_dict(self) -> dict:
        return {
            "model": self.config.name,
            "total": self.total,
            "active": self.active,
            "embedding": self.embedding,
            "output": self.output,
            "non_embedding": self.non_embedding,
            "attention": self.attention,
            "mlp": self.mlp,
            "norms": self.norms,
            "attention_per_layer": self.attention_per_layer,
            "expert": self.expert,
        }

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("total", format_count(self.total)),
            ("active per token", format_count(self.active)),
            ("embedding + output", format_count(self.embedding + self.output)),
            ("non-embedding", format_count(self.non_embedding)),
            ("attention", format_count(self.attention)),
            ("MLP / experts", format_count(self.mlp)),
        ]

    def explain(self) -> str:
        c = self.config
        mlp_mats = 3 if c.gated_mlp else 2
        lines = [f"{c.name}: {c.layers} layers, d={c.hidden}, h={c.heads}, h_kv={c.n_kv_heads}, v={c.vocab}"]
        lines.append(f"embedding = v·d{' + p·d' if c.position_embeddings else ''} = {self.embedding:,}")
        lines.append(f"output head = {'0 (tied)' if c.tied_embeddings else f'v·d = {self.output:,}'}")
        if c.is_mla:
            lines.append(f"attention/layer (MLA, r_kv={c.kv_lora_rank}, r_q={c.q_lora_rank}) = {self.attention_per_layer:,}")
        else:
            lines.append(
                f"attention/layer = 2·d·h·d_h + 2·d·h_kv·d_h = 2·{c.hidden}·{c.heads}·{c.d_head} + "
                f"2·{c.hidden}·{c.n_kv_heads}·{c.d_head} = {self.attention_per_layer:,}"
            )
        if c.experts:
            lines.append(
                f"MoE layers ({c.moe_layers}): ({c.experts} routed + {c.shared_experts} shared) × "
                f"{mlp_mats}·d·d_ff_e ({mlp_mats}·{c.hidden}·{c.expert_ffn} = {self.expert:,}) + router d·E"
            )
        dense_layers = c.layers - c.moe_layers
        if dense_layers:
            lines.append(f"dense MLP/layer ({dense_layers} layers) = {mlp_mats}·d·d_ff = {self.dense_mlp_per_layer:,}")
        lines.append(f"total = {self.total:,} ({self.total / 1e9:.2f} B); active/token = {self.active:,} "
                     f"({self.active / 1e9:.2f} B); non-embedding = {self.non_embedding / 1e9:.2f} B")
        return "\n".join(lines)


def count_params(c: ModelConfig) -> ParamCount:
    """Count parameters per the module docstring's convention."""
    d = c.hidden
    norm = 2 if c.norm == "layernorm" else 1
    if c.is_mla:  # DeepSeek-V2 §2.1.2-2.1.3; the two latent norms are RMSNorms
        qk = c.qk_nope_dim + c.qk_rope_dim
        q = d * c.q_lora_rank + c.q_lora_rank + c.q_lora_rank * c.heads * qk if c.q_lora_rank else d * c.heads * qk
        kv = d * (c.kv_lora_rank + c.qk_rope_dim) + c.kv_lora_rank + c.kv_lora_rank * c.heads * (c.qk_nope_dim + c.v_head_dim)
        attention = q + kv + c.heads * c.v_head_dim * d
    else:
        q_out = c.heads * c.d_head
        kv_out = c.n_kv_heads * c.d_head
        attention = 2 * d * q_out + 2 * d * kv_out
        if c.biases:
            attention += q_out + 2 * kv_out + d

    def mlp(width: int) -> int:
        params = (3 if c.gated_mlp else 2) * d * width
        return params + ((width + d) if c.biases and not c.gated_mlp else 0)

    return ParamCount(
        config=c,
        embedding=c.vocab * d + c.position_embeddings * d,
        output=0 if c.tied_embeddings else c.vocab * d,
        attention_per_layer=attention,
        dense_mlp_per_layer=mlp(c.d_ffn),
        expert=mlp(c.expert_ffn) if c.experts else 0,
        router_per_layer=d * c.experts,
        norms=(2 * c.layers + 1) * d * norm,
    )


MODELS: dict[str, ModelConfig] = {
    m.name: m
    for m in (
        ModelConfig(96, 12288, 96, 50257, ffn=4 * 12288, tied_embeddings=True, position_embeddings=2048,
                    biases=True, norm="layernorm", name="gpt3-175b",
                    source="Brown et al. 2020, Language Models are Few-Shot Learners, Table 2.1"),
        ModelConfig(40, 5120, 40, 50272, ffn=20480, tied_embeddings=True, position_embeddings=2050, biases=True,
                    norm="layernorm", name="opt-13b",
                    source="Zhang et al. 2022, OPT, Table 1; HF facebook/opt-13b config (2 position offsets)"),
        ModelConfig(80, 8192, 64, 32000, kv_heads=8, ffn=28672, gated_mlp=True, name="llama2-70b",
                    source="Touvron et al. 2023, Llama 2, Table 1 and §2.2 (GQA); HF meta-llama/Llama-2-70b config"),
        ModelConfig(32, 4096, 32, 128256, kv_heads=8, ffn=14336, gated_mlp=True, name="llama3-8b",
                    source="Llama Team 2024, The Llama 3 Herd of Models, Table 3"),
        ModelConfig(80, 8192, 64, 128256, kv_heads=8, ffn=28672, gated_mlp=True, name="llama3-70b",
                    source="Llama Team 2024, The Llama 3 Herd of Models, Table 3"),
        ModelConfig(126, 16384, 128, 128256, kv_heads=8, ffn=53248, gated_mlp=True, name="llama3-405b",
                    source="Llama Team 2024, The Llama 3 Herd of Models, Table 3"),
        ModelConfig(32, 4096, 32, 32000, kv_heads=8, ffn=14336, gated_mlp=True, experts=8, top_k=2,
                    expert_ffn=14336, name="mixtral-8x7b",
                    source="Jiang et al. 2024, Mixtral of Experts, Table 1 (47B total, 13B active)"),
        ModelConfig(61, 7168, 128, 129280, ffn=18432, gated_mlp=True, experts=256, top_k=8, shared_experts=1,
                    expert_ffn=2048, dense_layers=3, q_lora_rank=1536, kv_lora_rank=512, qk_rope_dim=64,
                    qk_nope_dim=128, v_head_dim=128, name="deepseek-v3",
                    source="DeepSeek-AI 2024, DeepSeek-V3 Technical Report, §4.2 (671B total, 37B active); "
                    "HF deepseek-ai/DeepSeek-V3 config"),
    )
}


def get_model(name: str) -> ModelConfig:
    """A catalogue model by name (case-insensitive); :class:`UnknownName` suggests the nearest."""
    key = name.strip().lower()
    if key in MODELS:
        return MODELS[key]
    raise UnknownName("model", name, MODELS)

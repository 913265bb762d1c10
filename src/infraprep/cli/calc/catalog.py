"""``calc hardware`` and ``calc model``: the catalogues every other calculator draws on."""


from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.hardware import ACCELERATORS, get_accelerator
from infraprep.calc.model import MODELS, ModelConfig, count_params, get_model
from infraprep.calc.units import format_bandwidth, format_bytes, format_flops
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP, console, emit_json

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def hardware(
    name: Annotated[str | None, typer.Argument(help=f"One of: {', '.join(ACCELERATORS)}. Omit to list all.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Accelerator catalogue: dense peaks per dtype, HBM, links, power and the roofline ridge point."""
    chosen = [get_accelerator(name)] if name else list(ACCELERATORS.values())
    if as_json:
        emit_json([a.to_dict() for a in chosen] if name is None else chosen[0].to_dict())
        return
    table = Table("GPU", "BF16 dense", "FP8 dense", "HBM", "HBM BW", "Ridge (FLOP/B)", "Scale-up/dir", "NIC", "Power",
                  title="Accelerators (dense peaks; decimal units)", title_justify="left")
    for a in chosen:
        fp8 = a.dense_flops.get("fp8")
        table.add_row(
            a.name,
            format_flops(a.peak("bf16"), rate=True),
            format_flops(fp8, rate=True) if fp8 else "—",
            format_bytes(a.hbm_bytes, binary=False),
            format_bandwidth(a.hbm_bandwidth),
            f"{a.ridge_point('bf16'):.0f}",
            format_bandwidth(a.scale_up_bandwidth) if a.scale_up_bandwidth else "—",
            format_bandwidth(a.nic_bandwidth) if a.nic_bandwidth else "—",
            f"{a.power_w:.0f} W" if a.power_w else "—",
        )
    console.print(table)
    if name:
        for source in chosen[0].sources:
            console.print(f"[dim]source: {source}[/dim]")


def model(
    preset: Annotated[str | None, typer.Option(help=f"A catalogue model: {', '.join(MODELS)}.")] = None,
    layers: Annotated[int | None, typer.Option(help="Decoder layers.")] = None,
    hidden: Annotated[int | None, typer.Option(help="Model width d.")] = None,
    heads: Annotated[int | None, typer.Option(help="Attention heads.")] = None,
    kv_heads: Annotated[int | None, typer.Option(help="KV heads (GQA/MQA); default = heads.")] = None,
    head_dim: Annotated[int | None, typer.Option(help="Head dimension; default hidden/heads.")] = None,
    ffn: Annotated[int | None, typer.Option(help="MLP width; default 4·hidden.")] = None,
    vocab: Annotated[int | None, typer.Option(help="Vocabulary size.")] = None,
    gated: Annotated[bool, typer.Option("--gated/--no-gated", help="Gated (SwiGLU) MLP: 3 matrices.")] = False,
    tied: Annotated[bool, typer.Option("--tied/--untied", help="Output head shares the embedding.")] = False,
    experts: Annotated[int, typer.Option(help="Routed experts per MoE layer (0 = dense).")] = 0,
    top_k: Annotated[int, typer.Option(help="Experts per token.")] = 0,
    shared_experts: Annotated[int, typer.Option(help="Shared experts per MoE layer.")] = 0,
    expert_ffn: Annotated[int | None, typer.Option(help="MLP width of one expert.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Parameter count (total, active, embedding vs non-embedding) from a preset or a shape."""
    if preset:
        config = get_model(preset)
    else:
        missing = [n for n, v in (("--layers", layers), ("--hidden", hidden), ("--heads", heads), ("--vocab", vocab))
                   if v is None]
        if missing:
            from infraprep.errors import InfraprepError

            raise InfraprepError(f"give --preset NAME or the shape: missing {', '.join(missing)}")
        config = ModelConfig(layers, hidden, heads, vocab, kv_heads=kv_heads, head_dim=head_dim, ffn=ffn,
                             gated_mlp=gated, tied_embeddings=tied, experts=experts, top_k=top_k,
                             shared_experts=shared_experts, expert_ffn=expert_ffn)
    counts = count_params(config)
    if as_json:
        emit_json({**counts.to_dict(), "config": config.to_dict()})
        return
    show(counts, False, f"Parameters of {config.name}")

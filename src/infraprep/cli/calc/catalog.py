"""``calc hardware`` and ``calc model``: the catalogues every other calculator draws on."""


from typing import Annotated

import typer
from rich.table import Column, Table

from infraprep.calc.hardware import ACCELERATORS, get_accelerator
from infraprep.calc.model import MODELS, ModelConfig, count_params, get_model
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _figure(value: float | None, unit: float) -> str:
    """``value`` in ``unit``s to four significant figures with thousands separators; — when unknown."""
    return "—" if not value else f"{value / unit:,.4g}"


def hardware(
    name: Annotated[str | None, typer.Argument(help=f"One of: {', '.join(ACCELERATORS)}. Omit to list all.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Accelerator catalogue: dense peaks per dtype, HBM, links, power and the roofline ridge point."""
    chosen = [get_accelerator(name)] if name else list(ACCELERATORS.values())
    if as_json:
        emit_json([a.to_dict() for a in chosen] if name is None else chosen[0].to_dict())
        return
    # Units live in the headers so the cells stay short numbers: the table fits 80 columns whole.
    columns = ("GPU", "BF16\nTFLOP/s", "FP8\nTFLOP/s", "HBM\nGB", "HBM\nTB/s", "ridge\nFLOP/B", "scale-up\nGB/s/dir",
               "NIC\nGB/s", "power\nW")
    table = Table(*(Column(c, no_wrap=True, justify="left" if c == "GPU" else "right") for c in columns),
                  title="Accelerators (dense peaks; decimal units)", title_justify="left")
    for a in chosen:
        fp8 = a.dense_flops.get("fp8")
        table.add_row(a.name, _figure(a.peak("bf16"), 1e12), _figure(fp8, 1e12), _figure(a.hbm_bytes, 1e9),
                      _figure(a.hbm_bandwidth, 1e12), f"{a.ridge_point('bf16'):.0f}",
                      _figure(a.scale_up_bandwidth, 1e9), _figure(a.nic_bandwidth, 1e9), _figure(a.power_w, 1))
    print_table(table)
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

"""``calc flops``: FLOPs per token and iteration, MFU and HFU, training time and compute budget."""


from typing import Annotated

import typer

from infraprep.calc.hardware import DTYPES
from infraprep.calc.model import count_params
from infraprep.cli import quantity
from infraprep.cli.calc import _training_options as o
from infraprep.cli.calc.render import show
from infraprep.errors import InfraprepError


def flops_command(
    convention: Annotated[str, typer.Option(help="FLOPs counting: megatron (Narayanan 2021 §5.1), palm (PaLM App. B) or 6n.")] = "megatron",
    model: Annotated[str | None, typer.Option("--model", help="A catalogue model: fills the shape and --params "
                                              "(active parameters for MoE).")] = None,
    params: o.Params = None,
    layers: o.Layers = None,
    hidden: o.Hidden = None,
    heads: o.Heads = None,
    head_dim: Annotated[int | None, typer.Option(help="Head dimension Q (default hidden/heads).")] = None,
    seq: o.Seq = None,
    vocab: o.Vocab = None,
    global_batch: Annotated[int | None, typer.Option(help="Sequences per iteration B.")] = None,
    iter_time: Annotated[float | None, typer.Option(parser=quantity.duration, metavar="SECONDS",
                                                    help="Seconds per iteration (with --global-batch, --seq).")] = None,
    tokens_per_sec: Annotated[float | None, typer.Option(parser=quantity.count, metavar="COUNT",
                                                         help="Measured tokens per second (instead of --iter-time).")] = None,
    gpus: Annotated[int | None, typer.Option(help="GPUs in the job.")] = None,
    peak: Annotated[float | None, typer.Option(parser=quantity.flop_rate, metavar="FLOP/S",
                                               help="Dense peak per GPU (312e12, 989TFLOPS); or --gpu.")] = None,
    gpu: o.Gpu = None,
    dtype: Annotated[str, typer.Option(help=f"Dtype of --gpu's peak: {', '.join(DTYPES)}.")] = "bf16",
    recompute: o.Recompute = "none",
    attention: Annotated[str, typer.Option(help="Attention FLOPs: full or causal (halves the s² terms).")] = "full",
    selective_hfu: Annotated[str, typer.Option(help="Selective-recompute HFU: paper (s/3h, Korthikanti Table 5) or derived (2s/9h).")] = "paper",
    tokens: Annotated[float | None, typer.Option(parser=quantity.count, metavar="COUNT",
                                                 help="Training tokens D: compute budget 6ND and training time.")] = None,
    achieved: Annotated[float | None, typer.Option(parser=quantity.flop_rate, metavar="FLOP/S",
                                                   help="Achieved FLOP/s per GPU X for 8TP/(nX).")] = None,
    as_json: o.JsonFlag = False,
) -> None:
    """FLOPs per token/iteration, MFU and HFU from tokens/s or iteration time, training time, C = 6ND."""
    from infraprep.calc.flops import FlopsInputs, flops

    config = o.preset(model, params=params, layers=layers, hidden=hidden, heads=heads, head_dim=head_dim, vocab=vocab)
    if config is not None:
        gpt_style = not (config.gated_mlp or config.experts or config.is_mla or config.n_kv_heads < config.heads) \
            and config.d_ffn == 4 * config.hidden
        if convention == "megatron" and not gpt_style:
            raise InfraprepError(f"--convention megatron counts a GPT layer (MHA, 4h GeLU MLP); {config.name} is not "
                                 "one: use --convention palm or 6n")
        layers, hidden, heads, vocab, head_dim = config.layers, config.hidden, config.heads, config.vocab, config.d_head
        params = float(count_params(config).active)  # FLOPs follow the parameters a token uses (MoE: active)
    peak_value, peak_source = o.peak(gpu, dtype, peak)
    inputs = FlopsInputs(convention, layers=layers, hidden=hidden, heads=heads, head_dim=head_dim, seq=seq,
                         vocab=vocab, params=params, global_batch=global_batch, iter_time=iter_time,
                         tokens_per_sec=tokens_per_sec, gpus=gpus, peak=peak_value, recompute=recompute,
                         attention=attention, selective_hfu=selective_hfu, train_tokens=tokens, achieved=achieved,
                         peak_source=peak_source,
                         params_source=f"{config.name}: active parameters" if config is not None else "")
    show(flops(inputs), as_json, f"Training FLOPs ({convention})")

"""``calc kv-cache``: KV bytes per token and per batch (MHA/GQA/MQA/MLA), and sequences per GPU."""

from typing import Annotated

import typer

from infraprep.calc.hardware import ACCELERATORS, get_accelerator
from infraprep.calc.kvcache import KVCacheInputs, capacity, inputs_from_model, kv_cache, model_params
from infraprep.calc.model import MODELS, get_model
from infraprep.cli import quantity
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP
from infraprep.errors import InfraprepError

_SHAPE = "Shape (or override the preset's)"


def kv_cache_command(
    model: Annotated[str | None, typer.Option(help=f"A catalogue model: {', '.join(MODELS)}.")] = None,
    layers: Annotated[int | None, typer.Option(help=f"{_SHAPE}: decoder layers.")] = None,
    kv_heads: Annotated[int | None, typer.Option(help=f"{_SHAPE}: KV heads (MHA = heads, GQA fewer, MQA 1).")] = None,
    head_dim: Annotated[int | None, typer.Option(help=f"{_SHAPE}: head dimension d_h.")] = None,
    heads: Annotated[int | None, typer.Option(help="Query heads (only names the variant).")] = None,
    latent_dim: Annotated[int | None, typer.Option(help="MLA latent d_c (kv_lora_rank; DeepSeek-V2: 512).")] = None,
    rope_dim: Annotated[int | None, typer.Option(help="MLA decoupled RoPE key d_h^R (DeepSeek-V2: 64).")] = None,
    dtype_bytes: Annotated[float, typer.Option(help="KV bytes per element: 2 (16-bit), 1 (FP8), 0.5 (4-bit).")] = 2.0,
    tokens: Annotated[int, typer.Option(help="Tokens per sequence (prompt + output).")] = 2048,
    batch: Annotated[int, typer.Option(help="Sequences.")] = 1,
    tp: Annotated[int, typer.Option(help="Tensor-parallel ranks the KV heads are split over.")] = 1,
    window: Annotated[int, typer.Option(help="Sliding-window length (0 = full attention).")] = 0,
    gpu: Annotated[str | None, typer.Option(help=f"For max concurrent sequences: {', '.join(ACCELERATORS)}.")] = None,
    params: Annotated[float | None, typer.Option(parser=quantity.count, metavar="COUNT",
                                                 help="Weights held, as a count (13B); default: the preset's total.")] = None,
    weight_bytes: Annotated[float, typer.Option(help="Bytes per weight (2 = BF16, 1 = FP8).")] = 2.0,
    mem_util: Annotated[float, typer.Option(parser=quantity.fraction, metavar="FRACTION",
                                            help="Fraction of HBM the engine may use (vLLM default 0.9).")] = 0.9,
    reserve: Annotated[float, typer.Option(parser=quantity.byte_size, metavar="BYTES",
                                           help="Activation/workspace reserve, like 2GiB.")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """KV-cache bytes per token and per batch (per GPU); with --gpu, how many sequences fit.

    Example: --layers 40 --kv-heads 40 --head-dim 128 --tokens 2048 is OPT-13B (vLLM §3: 800 KB per token).
    """
    shape = {k: v for k, v in (("layers", layers), ("kv_heads", kv_heads), ("head_dim", head_dim), ("heads", heads),
                               ("latent_dim", latent_dim), ("rope_dim", rope_dim)) if v is not None}
    common = dict(dtype_bytes=dtype_bytes, tokens=tokens, batch=batch, tp=tp, window=window)
    config = get_model(model) if model else None
    if config:
        inputs = inputs_from_model(config, **shape, **common)
    else:
        missing = [f"--{n.replace('_', '-')}" for n in ("layers", "kv_heads", "head_dim") if n not in shape]
        if missing:
            raise InfraprepError(f"give --model NAME or the shape: missing {', '.join(missing)}")
        inputs = KVCacheInputs(**shape, **common)
    result = kv_cache(inputs)
    if gpu:
        accelerator = get_accelerator(gpu)
        if params is None and config is None:
            raise InfraprepError("--gpu needs the weights: give --model NAME or --params COUNT (like 13B)")
        held = params if params is not None else model_params(config)
        result = capacity(result, accelerator, held, weight_bytes, mem_util, reserve)
    title = f"KV cache{' of ' + config.name if config else ''} ({inputs.variant})"
    show(result, as_json, title)

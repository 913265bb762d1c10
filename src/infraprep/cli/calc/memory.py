"""``calc train-memory`` and ``calc activations``: what a training job keeps on each GPU."""


from typing import Annotated

import typer

from infraprep.cli import quantity
from infraprep.cli.calc import _training_options as o
from infraprep.cli.calc.render import show
from infraprep.errors import InfraprepError


def _activation_inputs(model, seq, micro_batch, hidden, heads, layers, ffn, vocab, parallel, **kw):
    """ActivationInputs from a preset or explicit shape; None when the shape or --seq is missing."""
    from infraprep.calc.activations import ActivationInputs

    note = ""
    if model is not None:
        hidden, heads, layers, vocab, ffn = model.hidden, model.heads, model.layers, model.vocab, model.d_ffn
        unmodelled = [what for what, present in (("a gated MLP", model.gated_mlp), ("GQA", model.n_kv_heads < model.heads),
                                                  ("MoE layers", bool(model.experts)), ("MLA", model.is_mla)) if present]
        if unmodelled:
            note = f"{model.name} has {', '.join(unmodelled)}: the GPT-layer formula (dense ffn={ffn}) approximates them"
    if seq is None or hidden is None or heads is None:
        return None
    return ActivationInputs(seq, micro_batch, hidden, heads, tp=parallel.tp, sp=parallel.sp, cp=parallel.cp,
                            ffn=ffn, layers=layers, pp=parallel.pp, vocab=vocab, shape_note=note, **kw)


def train_memory_command(
    params: o.Params = None,
    model: o.Model = None,
    expert_params: o.ExpertParams = 0.0,
    dp: o.Dp = 1,
    tp: o.Tp = 1,
    pp: o.Pp = 1,
    cp: o.Cp = 1,
    ep: o.Ep = 1,
    sp: o.Sp = False,
    zero: o.Zero = 0,
    param_bytes: o.ParamBytes = 2.0,
    grad_bytes: o.GradBytes = 2.0,
    optimizer: Annotated[str, typer.Option(help="Optimizer states: adam (K=12), sgd-momentum (K=8), sgd (K=4).")] = "adam",
    optimizer_bytes: Annotated[float | None, typer.Option(help="Set K, optimizer bytes per parameter, directly.")] = None,
    offload: Annotated[str, typer.Option(help="ZeRO-Offload to CPU: none, optimizer, optimizer+grads.")] = "none",
    pad_shards: o.PadShards = False,
    flat_buffers: o.FlatBuffers = None,
    layers: o.Layers = None,
    hidden: o.Hidden = None,
    heads: o.Heads = None,
    vocab: o.Vocab = None,
    ffn: o.Ffn = None,
    seq: o.Seq = None,
    micro_batch: o.MicroBatch = 1,
    recompute: o.Recompute = "none",
    flash: o.Flash = False,
    dropout: o.Dropout = True,
    schedule: o.Schedule = "1f1b",
    chunks: o.Chunks = 1,
    microbatches: o.Microbatches = None,
    gpu: o.Gpu = None,
    capacity: Annotated[float | None, typer.Option(parser=quantity.byte_size, metavar="BYTES",
                                                   help="Memory per GPU (80GB, 141GB); default the --gpu's HBM.")] = None,
    as_json: o.JsonFlag = False,
) -> None:
    """Per-GPU bytes of params, grads, optimizer states and activations vs the GPU (ZeRO 0-3, TP/PP/EP, offload)."""
    from infraprep.calc.memory import TrainMemoryInputs, train_memory
    from infraprep.calc.parallelism import Parallelism

    config = o.preset(model, params=params, layers=layers, hidden=hidden, heads=heads, vocab=vocab, ffn=ffn)
    if config is None and params is None:
        raise InfraprepError("give --params COUNT or --model NAME")
    parallel = Parallelism(dp=dp, tp=tp, pp=pp, cp=cp, ep=ep, sp=sp)
    act = _activation_inputs(config, seq, micro_batch, hidden, heads, layers, ffn, vocab, parallel,
                             recompute=recompute, flash=flash, dropout=dropout, schedule=schedule, chunks=chunks,
                             microbatches=microbatches)
    if act is not None and act.layers is None:
        raise InfraprepError("activations need --layers too (or --model); omit --seq to leave them out")
    cap, label = o.capacity(gpu, capacity)
    inputs = TrainMemoryInputs(parallel, params=params, model=config, expert_params=expert_params, zero=zero,
                               param_bytes=param_bytes, grad_bytes=grad_bytes, optimizer=optimizer,
                               optimizer_bytes=optimizer_bytes, offload=offload, activations=act,
                               capacity_bytes=cap, capacity_label=label, pad_shards=pad_shards,
                               flat_buffers=o.flat_buffers(flat_buffers))
    show(train_memory(inputs), as_json, f"Training memory per GPU ({parallel.describe()}, ZeRO-{zero})")


def activations_command(
    seq: o.Seq = None,
    micro_batch: o.MicroBatch = 1,
    hidden: o.Hidden = None,
    heads: o.Heads = None,
    model: o.Model = None,
    tp: o.Tp = 1,
    sp: o.Sp = False,
    cp: o.Cp = 1,
    recompute: o.Recompute = "none",
    flash: o.Flash = False,
    dropout: o.Dropout = True,
    ffn: o.Ffn = None,
    layers: o.Layers = None,
    pp: o.Pp = 1,
    schedule: o.Schedule = "1f1b",
    chunks: o.Chunks = 1,
    microbatches: o.Microbatches = None,
    vocab: o.Vocab = None,
    as_json: o.JsonFlag = False,
) -> None:
    """Activation bytes per transformer layer (Korthikanti et al. 2022, Table 2) and per pipeline stage."""
    from infraprep.calc.activations import activations
    from infraprep.calc.parallelism import Parallelism

    config = o.preset(model, hidden=hidden, heads=heads, layers=layers, vocab=vocab, ffn=ffn)
    missing = [n for n, v in (("--seq", seq), ("--hidden", hidden), ("--heads", heads))
               if v is None and not (config is not None and n != "--seq")]
    if missing:
        raise InfraprepError(f"give {', '.join(missing)}" + ("" if config else " (or --model for the shape)"))
    parallel = Parallelism(tp=tp, pp=pp, cp=cp, sp=sp)
    inputs = _activation_inputs(config, seq, micro_batch, hidden, heads, layers, ffn, vocab, parallel,
                                recompute=recompute, flash=flash, dropout=dropout, schedule=schedule,
                                chunks=chunks, microbatches=microbatches)
    show(activations(inputs), as_json, "Activation memory per GPU")

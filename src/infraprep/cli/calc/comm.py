"""``calc comm``: per-step per-GPU communication of DP/ZeRO, TP/SP, PP, CP and EP, and whether it hides."""


from typing import Annotated

import typer

from infraprep.cli import quantity
from infraprep.cli.calc import _training_options as o
from infraprep.cli.calc.render import show
from infraprep.errors import InfraprepError

Bandwidth = dict(parser=quantity.bandwidth, metavar="BYTES/S")


def comm_command(
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
    layers: o.Layers = None,
    hidden: o.Hidden = None,
    heads: o.Heads = None,
    kv_heads: Annotated[int | None, typer.Option(help="KV heads (GQA); default = heads.")] = None,
    head_dim: Annotated[int | None, typer.Option(help="Head dimension; default hidden/heads.")] = None,
    seq: o.Seq = None,
    micro_batch: o.MicroBatch = 1,
    global_batch: Annotated[int | None, typer.Option(help="Sequences per step (sets the microbatches m).")] = None,
    top_k: Annotated[int, typer.Option(help="Routed experts per token (with --params).")] = 0,
    moe_layers: Annotated[int, typer.Option(help="MoE layers (with --params).")] = 0,
    grad_bytes: o.GradBytes = 2.0,
    param_bytes: o.ParamBytes = 2.0,
    act_bytes: Annotated[float, typer.Option(help="Bytes per activation element (2 = BF16).")] = 2.0,
    dispatch_bytes: Annotated[float, typer.Option(help="Bytes per element of the EP dispatch (1 = FP8 as DeepSeek-V3).")] = 2.0,
    recompute: o.Recompute = "none",
    scatter_gather: Annotated[bool, typer.Option("--scatter-gather/--no-scatter-gather",
                                                 help="Megatron's PP scatter/gather: send 1/t of the boundary tensor.")] = False,
    chunks: o.Chunks = 1,
    zero3_gather: Annotated[str, typer.Option(help=(
        "When ZeRO-3 gathers parameters: step (once per step, ZeRO §7.2.2) or microbatch (for every microbatch, "
        "as FSDP does under gradient accumulation; needs --global-batch)."))] = "step",
    pp_stage: Annotated[int | None, typer.Option(help=(
        "Count this pipeline stage's own sends and receives, 0 … pp−1 (the first and last send one way only); "
        "default a middle stage."))] = None,
    sp_edges: Annotated[bool, typer.Option("--sp-edges/--no-sp-edges", help=(
        "With --sp and replicated embeddings/head: the all-gathers where they meet the SP region (first stage: "
        "backward of the split; last stage: forward gather)."))] = False,
    sp_norm_grads: Annotated[str, typer.Option(help=(
        "With --sp: all-reduce the gradients of the norms (and row-parallel biases) SP leaves replicated: none, "
        "step (Megatron-LM) or microbatch."))] = "none",
    norm: Annotated[str | None, typer.Option(help="Norm of the layers, layernorm (2h) or rmsnorm (h), for "
                                                  "--sp-norm-grads; default layernorm, or the --model's.")] = None,
    pad_shards: o.PadShards = False,
    flat_buffers: o.FlatBuffers = None,
    gpu: o.Gpu = None,
    gpus_per_node: Annotated[int | None, typer.Option(help="GPUs per node (default the --gpu's, else 8).")] = None,
    intra_bw: Annotated[float | None, typer.Option(help="Scale-up bandwidth per direction (450GB/s).", **Bandwidth)] = None,
    inter_bw: Annotated[float | None, typer.Option(help="Scale-out bandwidth per GPU (400Gbps).", **Bandwidth)] = None,
    compute_time: Annotated[float | None, typer.Option(parser=quantity.duration, metavar="SECONDS",
                                                       help="Compute time of one step, to see what hides.")] = None,
    as_json: o.JsonFlag = False,
) -> None:
    """Bytes each GPU sends per step for DP/ZeRO, TP/SP, PP, CP and EP; time on intra/inter-node links; what hides."""
    from infraprep.calc.comm import CommInputs, comm
    from infraprep.calc.parallelism import Parallelism

    config = o.preset(model, params=params, layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads,
                      head_dim=head_dim, norm=norm)
    if config is None and params is None:
        raise InfraprepError("give --params COUNT or --model NAME")
    kv_width = None
    if config is None and hidden is not None and (heads or kv_heads or head_dim):
        if heads is None:
            raise InfraprepError("--kv-heads and --head-dim need --heads")
        if head_dim is None and hidden % heads:
            raise InfraprepError(f"--heads={heads} does not divide --hidden={hidden}: give --head-dim")
        kv_width = 2 * (kv_heads or heads) * (head_dim or hidden // heads)
    intra, inter, node, source = o.links(gpu, intra_bw, inter_bw, gpus_per_node)
    parallel = Parallelism(dp=dp, tp=tp, pp=pp, cp=cp, ep=ep, sp=sp)
    inputs = CommInputs(parallel, params=params, model=config, expert_params=expert_params, zero=zero, layers=layers,
                        hidden=hidden, seq=seq, micro_batch=micro_batch, global_batch=global_batch, kv_width=kv_width,
                        top_k=top_k, moe_layers=moe_layers, grad_bytes=grad_bytes, param_bytes=param_bytes,
                        act_bytes=act_bytes, dispatch_bytes=dispatch_bytes, recompute=recompute,
                        scatter_gather=scatter_gather, chunks=chunks, gpus_per_node=node, intra_bw=intra,
                        inter_bw=inter, compute_time=compute_time, links_source=source, zero3_gather=zero3_gather,
                        pp_stage=pp_stage, sp_edges=sp_edges, sp_norm_grads=sp_norm_grads, norm=norm or "layernorm",
                        pad_shards=pad_shards, flat_buffers=o.flat_buffers(flat_buffers))
    show(comm(inputs), as_json, f"Communication per GPU per step ({parallel.describe()}, ZeRO-{zero})")

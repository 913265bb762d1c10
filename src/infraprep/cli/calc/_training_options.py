"""Options shared by the training calculators (train-memory, activations, flops, comm).

One definition per option, so the same flag means the same thing (and parses the same units) in
every command; plus the look-ups that turn ``--model`` and ``--gpu`` into inputs. The calculators
themselves are imported inside the commands: every ``infraprep`` start-up imports this package,
and only the command that runs should pay for its calculator.
"""


from typing import Annotated

import typer

from infraprep.calc.hardware import ACCELERATORS, get_accelerator
from infraprep.calc.model import MODELS, ModelConfig, get_model
from infraprep.cli import quantity
from infraprep.cli.output import JSON_HELP
from infraprep.errors import InfraprepError

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Model = Annotated[str | None, typer.Option("--model", help=f"A catalogue model instead of a shape: {', '.join(MODELS)}.")]
Params = Annotated[float | None, typer.Option("--params", parser=quantity.count, metavar="COUNT",
                                              help="Total parameters (7.5e9, 70B).")]
ExpertParams = Annotated[float, typer.Option("--expert-params", parser=quantity.count, metavar="COUNT",
                                             help="Routed-expert parameters within --params (sharded by --ep).")]
Gpu = Annotated[str | None, typer.Option("--gpu", help=f"Accelerator: {', '.join(ACCELERATORS)}.")]

Layers = Annotated[int | None, typer.Option("--layers", help="Transformer layers L.")]
Hidden = Annotated[int | None, typer.Option("--hidden", help="Hidden size h.")]
Heads = Annotated[int | None, typer.Option("--heads", help="Attention heads a.")]
Vocab = Annotated[int | None, typer.Option("--vocab", help="Vocabulary size V.")]
Ffn = Annotated[int | None, typer.Option("--ffn", help="MLP width f (default 4·hidden).")]
Seq = Annotated[int | None, typer.Option("--seq", help="Sequence length s.")]
MicroBatch = Annotated[int, typer.Option("--micro-batch", help="Micro-batch size b (sequences).")]

Dp = Annotated[int, typer.Option("--dp", help="Data-parallel degree.")]
Tp = Annotated[int, typer.Option("--tp", help="Tensor-parallel degree (divides heads).")]
Pp = Annotated[int, typer.Option("--pp", help="Pipeline stages (divides layers).")]
Cp = Annotated[int, typer.Option("--cp", help="Context-parallel degree (splits the sequence).")]
Ep = Annotated[int, typer.Option("--ep", help="Expert-parallel degree (divides experts).")]
Sp = Annotated[bool, typer.Option("--sp/--no-sp", help="Sequence parallelism with TP (Korthikanti et al. 2022).")]
Zero = Annotated[int, typer.Option("--zero", help="ZeRO stage 0-3 over dp·cp (1 = distributed optimizer).")]
Recompute = Annotated[str, typer.Option("--recompute", help="Activation recomputation: none, selective, full.")]
Flash = Annotated[bool, typer.Option("--flash/--no-flash", help="FlashAttention: no s×s scores stored.")]
Dropout = Annotated[bool, typer.Option("--dropout/--no-dropout", help="Dropout masks stored (GPT-3 yes, Llama no).")]
Schedule = Annotated[str, typer.Option("--schedule", help="Pipeline schedule: 1f1b, interleaved, gpipe.")]
Chunks = Annotated[int, typer.Option("--chunks", help="Model chunks per stage (interleaved schedule, v).")]
Microbatches = Annotated[int | None, typer.Option("--microbatches", help="Microbatches per step per pipeline (m).")]
GradBytes = Annotated[float, typer.Option("--grad-bytes", help="Bytes per gradient: 2 (ZeRO paper) or 4 (FP32).")]
ParamBytes = Annotated[float, typer.Option("--param-bytes", help="Bytes per working weight: 2 (BF16/FP16).")]
PadShards = Annotated[bool, typer.Option("--pad-shards/--no-pad-shards", help=(
    "Pad each flat buffer ZeRO shards to a multiple of the ZeRO group, as DeepSpeed and FSDP do "
    "(default: Ψ/N_d exactly, the paper's)."))]
FlatBuffers = Annotated[str | None, typer.Option("--flat-buffers", metavar="COUNTS", help=(
    "With --pad-shards: sizes of the flat buffers (FSDP units) on a GPU, comma-separated, summing to its "
    "dense parameters; default one buffer."))]


def flat_buffers(text: str | None) -> tuple[float, ...] | None:
    """``--flat-buffers 9216,24832`` as counts (one error line naming the list if any is bad)."""
    from infraprep.calc.units import parse_count

    return None if text is None else quantity.parse_list(text, parse_count, "--flat-buffers", "9216,24832", most=4096)


def preset(name: str | None, **explicit: object) -> ModelConfig | None:
    """The ``--model`` preset, refusing shape flags that would silently lose to it."""
    if name is None:
        return None
    given = [f"--{k.replace('_', '-')}" for k, v in explicit.items() if v is not None]
    if given:
        raise InfraprepError(f"--model {name} sets the shape: drop {', '.join(given)} (or drop --model)")
    return get_model(name)


def capacity(gpu: str | None, given: float | None) -> tuple[float | None, str]:
    """Memory capacity in bytes and a label: ``--capacity`` wins over the GPU's HBM (said in the label)."""
    if given is not None:
        return given, "given capacity" + (f" (instead of {gpu}'s HBM)" if gpu else "")
    if gpu is None:
        return None, ""
    accelerator = get_accelerator(gpu)
    return accelerator.hbm_bytes, f"{accelerator.name} HBM"


def peak(gpu: str | None, dtype: str, given: float | None) -> tuple[float | None, str]:
    """Dense peak FLOP/s: ``--peak`` or the GPU's dense peak for ``dtype``."""
    if given is not None:
        return given, "given"
    if gpu is None:
        return None, ""
    accelerator = get_accelerator(gpu)
    return accelerator.peak(dtype), f"{accelerator.name} dense {dtype}"


def links(gpu: str | None, intra: float | None, inter: float | None,
          gpus_per_node: int | None) -> tuple[float | None, float | None, int, str]:
    """(intra-node B/s per direction, inter-node B/s per GPU, GPUs per node, source): explicit
    options win over the GPU catalogue; without either, 8 GPUs per node (an HGX/DGX node)."""
    if gpu is None:
        return intra, inter, gpus_per_node or 8, "given" if intra or inter else "no bandwidths given"
    a = get_accelerator(gpu)
    node = gpus_per_node or (a.scale_up_domain if a.scale_up_domain <= 72 else 8)
    return (intra or a.scale_up_bandwidth, inter or a.nic_bandwidth, node,
            f"{a.name}: scale-up per direction, NIC per GPU (explicit options override)")

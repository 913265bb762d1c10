"""``infraprep calc NAME``: the calculators. One module per topic registers its commands on ``app``."""


import typer

from infraprep.cli.lazy import LazyGroup


class _Calculators(LazyGroup):
    # Each command is imported only when it runs (``calc NAME`` costs its own module, not all of them).
    # To add a calculator: a function in cli/calc/<topic>.py and one line here.
    lazy = {
        "hardware": ("infraprep.cli.calc.catalog:hardware",
                     "Accelerator catalogue: dense peaks per dtype, HBM, links, power and the roofline ridge point."),
        "model": ("infraprep.cli.calc.catalog:model",
                     "Parameter count (total, active, embedding vs non-embedding) from a preset or a shape."),
        "train-memory": ("infraprep.cli.calc.memory:train_memory_command",
                     "Per-GPU bytes of params, grads, optimizer states and activations vs the GPU (ZeRO 0-3, TP/PP/EP, offload)."),
        "activations": ("infraprep.cli.calc.memory:activations_command",
                     "Activation bytes per transformer layer (Korthikanti et al. 2022, Table 2) and per pipeline stage."),
        "flops": ("infraprep.cli.calc.flops:flops_command",
                     "FLOPs per token/iteration, MFU and HFU from tokens/s or iteration time, training time, C = 6ND."),
        "comm": ("infraprep.cli.calc.comm:comm_command",
                     "Bytes each GPU sends per step for DP/ZeRO, TP/SP, PP, CP and EP; time on intra/inter-node links; what hides."),
        "bubble": ("infraprep.cli.calc.bubble:bubble_command",
                     "Pipeline bubble (time and fraction), parameter and activation memory factors per schedule."),
        "topology": ("infraprep.cli.calc.topology:topology_command",
                     "Switches, links, transceivers and bisection bandwidth of a fat-tree or a rail-optimized fabric."),
        "storage": ("infraprep.cli.calc.storage:storage_command",
                     "Checkpoint size and write/read time, data-loader bandwidth, file-system servers needed."),
        "checkpoint": ("infraprep.cli.calc.reliability:checkpoint",
                     "Young and Daly optimal checkpoint intervals, waste and goodput, sync vs async stall."),
        "mtbf": ("infraprep.cli.calc.reliability:mtbf",
                     "Job MTBF from rates × counts or an observed failure count; interruptions/day; goodput; 1/N scaling."),
        "collective": ("infraprep.cli.calc.collectives:collective_cmd",
                     "Collective time by the α–β–γ model, with algbw and busbw (nccl-tests factors)."),
        "crossover": ("infraprep.cli.calc.collectives:crossover_cmd",
                     "The message size where two algorithms take equal time (tree beats ring below it)."),
        "ecmp": ("infraprep.cli.calc.ecmp:ecmp_command",
                     "ECMP as balls into bins, exactly: idle uplinks, the busiest uplink, the collective's slowdown."),
        "kv-cache": ("infraprep.cli.calc.kvcache:kv_cache_command",
                     "KV-cache bytes per token and per batch (per GPU); with --gpu, how many sequences fit."),
        "plan": ("infraprep.cli.calc.plan:plan_command",
                     "Enumerate DP/TP/PP/CP/EP, micro-batch, ZeRO, recompute and schedule; keep what fits; rank by step time."),
    }


app = typer.Typer(
    cls=_Calculators,
    add_completion=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Calculators: derive the numbers a candidate writes on the whiteboard, with the derivation shown.",
)


@app.callback()
def _group() -> None:
    # A callback keeps this a group (typer would collapse a group with a single command).
    pass

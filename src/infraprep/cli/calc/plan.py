"""``calc plan``: lay a training job out on a cluster — the best few plans and why the rest fail."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Column, Table

from infraprep.calc.hardware import DTYPES
from infraprep.calc.units import format_bytes, format_seconds
from infraprep.cli import quantity
from infraprep.cli.calc import _training_options as o
from infraprep.cli.output import console, emit_json, error_console, print_table
from infraprep.errors import InfraprepError, InvalidValue

PROGRESS_FROM_LAYOUTS = 100  # fewer valid layouts than this fit in a blink: no bar
Bandwidth = dict(parser=quantity.bandwidth, metavar="BYTES/S")


def _model(model, layers, hidden, heads, vocab, kv_heads, ffn, gated):
    from infraprep.calc.model import ModelConfig

    config = o.preset(model, layers=layers, hidden=hidden, heads=heads, vocab=vocab, kv_heads=kv_heads, ffn=ffn)
    if config is not None:
        return config
    missing = [n for n, v in (("--layers", layers), ("--hidden", hidden), ("--heads", heads), ("--vocab", vocab))
               if v is None]
    if missing:
        raise InfraprepError(f"give --model NAME or the shape: missing {', '.join(missing)}")
    return ModelConfig(layers, hidden, heads, vocab, kv_heads=kv_heads, ffn=ffn, gated_mlp=gated)


def _batch(seq: int, sequences: int | None, tokens: float | None) -> int:
    """Sequences per step from exactly one of --global-batch (sequences) and --global-tokens."""
    if (sequences is None) == (tokens is None):
        raise InfraprepError("give exactly one of --global-batch SEQUENCES and --global-tokens COUNT")
    if sequences is not None:
        return sequences
    if seq < 1:
        raise InvalidValue("--seq", seq, "a positive number of tokens")
    if tokens % seq:
        example = max(1, round(tokens / seq)) * seq
        value = int(tokens) if float(tokens).is_integer() else tokens
        raise InvalidValue("--global-tokens", value, f"a multiple of --seq={seq} tokens (e.g. {example:,})")
    return int(tokens // seq)


def _run(inputs, top: int, show_progress: bool):
    """The search, with a progress bar on stderr once it turns out to be long (many valid layouts)."""
    from infraprep.calc.plan import plan

    if not show_progress:
        return plan(inputs, top)
    bar = {}

    def tick(done: int, total: int) -> None:
        if total < PROGRESS_FROM_LAYOUTS:
            return
        if not bar:
            from rich.progress import Progress

            bar["progress"] = Progress(console=error_console, transient=True)
            bar["progress"].start()
            bar["task"] = bar["progress"].add_task("fitting layouts", total=total)
        bar["progress"].update(bar["task"], completed=done)

    try:
        return plan(inputs, top, tick)
    finally:
        if bar:
            bar["progress"].stop()


_WIDE_COLUMNS = 120  # the full plan table's width; narrower terminals get the compact one

def _render(result) -> None:
    i = result.inputs
    title = (f"Best plans: {i.model.name} on {i.gpus:,} × {i.gpu.name}, seq {i.seq:,}, batch {i.global_batch:,} "
             f"sequences ({i.tokens:,} tokens)")
    # Below _WIDE_COLUMNS the ten columns would wrap every cell: the narrow table keeps the ones to compare
    # plans by, unwrapped, with the schedule under the layout; the time split is in the derivation.
    wide = console.width >= _WIDE_COLUMNS
    if wide:
        table = Table("#", "layout", "mb × m", "schedule", "ZeRO", "recompute", "step", "compute + bubble + comm",
                      "MFU", "memory", title=title, title_justify="left")
    else:
        table = Table(*(Column(c, no_wrap=True) for c in ("#", "layout", "mb × m", "ZeRO ·\nrecompute", "step", "MFU",
                                                          "memory")), title=title, title_justify="left")
    for n, p in enumerate(result.plans, 1):
        lay, opt = p.layout, p.option
        degrees = f"DP{lay.dp} TP{lay.tp} PP{lay.pp}{'*' if lay.split == 'balanced' else ''} CP{lay.cp}"
        degrees += f" EP{lay.ep}" if lay.ep > 1 else ""
        schedule = {"none": "—", "1f1b": "1F1B"}.get(opt.schedule, f"interleaved v={opt.chunks}")
        step, mfu = format_seconds(p.step_time), f"{p.mfu:.1%}"
        memory, batches = format_bytes(p.memory_total, binary=False), f"{opt.micro_batch} × {p.microbatches}"
        if wide:
            parts = " + ".join(format_seconds(x, 3) if x else "0"
                               for x in (p.compute_time, p.bubble_time, p.exposed_comm))
            table.add_row(str(n), degrees, batches, schedule, str(opt.zero), opt.recompute, step, parts, mfu, memory)
        else:
            layout = degrees if schedule == "—" else f"{degrees}\n{schedule}"
            table.add_row(str(n), layout, batches, f"{opt.zero} · {opt.recompute}", step, mfu, memory)
    if result.plans:
        print_table(table)
        if not wide:
            console.print("[dim]narrow terminal: compute + bubble + comm are in the derivation; all columns with "
                          "--json or 120+ columns[/dim]")
        if any(p.layout.split == "balanced" for p in result.plans):
            console.print("[dim]* balanced split (Llama 3 §3.3.2): embedding and output head take a layer slot "
                          "each[/dim]")
    else:
        console.print("no plan fits: every valid layout runs out of memory (see below)")
    t = result.tally
    why = Table("rejected", "why", "count", "closest miss", title=f"Why the rest fail ({t.layouts_total:,} layouts, "
                f"{t.layouts_valid:,} valid; {t.plans_feasible:,} plans fit)", title_justify="left")
    for level, rows in (("layouts", result.layout_rejections()), ("plans", result.plan_rejections())):
        for row in rows:
            short = row.get("closest_short_bytes")
            why.add_row(level, row["what"], f"{row['count']:,}",
                        "" if short is None else f"short by {format_bytes(short, binary=False)}")
    print_table(why)
    if result.plans:
        console.print(Panel(result.explain(), title="derivation (best plan)", title_align="left", expand=False))


def plan_command(
    gpu: Annotated[str, typer.Option("--gpu", help="Accelerator (see calc hardware).")],
    gpus: Annotated[int, typer.Option(help="GPUs in the job.")],
    seq: Annotated[int, typer.Option(help="Sequence length s (tokens).")],
    model: o.Model = None,
    layers: o.Layers = None,
    hidden: o.Hidden = None,
    heads: o.Heads = None,
    vocab: o.Vocab = None,
    kv_heads: Annotated[int | None, typer.Option(help="KV heads (GQA); default = heads.")] = None,
    ffn: o.Ffn = None,
    gated: Annotated[bool, typer.Option("--gated/--no-gated", help="Gated (SwiGLU) MLP: 3 matrices.")] = False,
    global_batch: Annotated[int | None, typer.Option(help="Sequences per step.")] = None,
    global_tokens: Annotated[float | None, typer.Option(parser=quantity.count, metavar="COUNT",
                                                        help="Tokens per step instead (a multiple of --seq).")] = None,
    top: Annotated[int, typer.Option(help="How many plans to show.")] = 5,
    efficiency: Annotated[float | None, typer.Option(parser=quantity.fraction, metavar="FRACTION",
                                                     help="Fraction of the dense peak the model's FLOPs run at "
                                                          "(default 0.5, see docs/calculators.md).")] = None,
    dtype: Annotated[str, typer.Option(help=f"Dtype of the peak: {', '.join(DTYPES)}.")] = "bf16",
    attention: Annotated[str, typer.Option(help="Attention FLOPs: full or causal.")] = "full",
    flash: Annotated[bool, typer.Option("--flash/--no-flash", help="FlashAttention (no s×s scores stored).")] = True,
    dropout: o.Dropout = False,
    sp: Annotated[bool, typer.Option("--sp/--no-sp", help="Sequence parallelism whenever TP > 1.")] = True,
    param_bytes: o.ParamBytes = 2.0,
    grad_bytes: o.GradBytes = 2.0,
    optimizer: Annotated[str, typer.Option(help="adam (K=12), sgd-momentum (K=8), sgd (K=4).")] = "adam",
    capacity: Annotated[float | None, typer.Option(parser=quantity.byte_size, metavar="BYTES",
                                                   help="Memory per GPU (default the --gpu's HBM).")] = None,
    scale_up_domain: Annotated[int | None, typer.Option(help="GPUs per scale-up domain (default the --gpu's): "
                                                             "TP stays inside one.")] = None,
    intra_bw: Annotated[float | None, typer.Option(help="Scale-up bandwidth per direction.", **Bandwidth)] = None,
    inter_bw: Annotated[float | None, typer.Option(help="Scale-out bandwidth per GPU.", **Bandwidth)] = None,
    zero: Annotated[list[int] | None, typer.Option(help="ZeRO stages to consider (repeat; default 0-3).")] = None,
    recompute: Annotated[list[str] | None, typer.Option(help="Recompute policies to consider (repeat; default "
                                                             "none, selective, full).")] = None,
    schedule: Annotated[list[str] | None, typer.Option(help="Pipeline schedules to consider (repeat; default "
                                                            "1f1b, interleaved).")] = None,
    max_micro_batch: Annotated[int, typer.Option(help="Largest micro-batch to consider.")] = 8,
    dp: Annotated[int | None, typer.Option(help="Fix the data-parallel degree.")] = None,
    tp: Annotated[int | None, typer.Option(help="Fix the tensor-parallel degree.")] = None,
    pp: Annotated[int | None, typer.Option(help="Fix the pipeline-parallel degree.")] = None,
    cp: Annotated[int | None, typer.Option(help="Fix the context-parallel degree.")] = None,
    ep: Annotated[int | None, typer.Option(help="Fix the expert-parallel degree.")] = None,
    as_json: o.JsonFlag = False,
) -> None:
    """Enumerate DP/TP/PP/CP/EP, micro-batch, ZeRO, recompute and schedule; keep what fits; rank by step time.

    Step time = compute (FLOPs ÷ peak × efficiency) + pipeline bubble + exposed communication, from
    calc flops, bubble and comm; memory from calc train-memory and activations. Prints the best plans,
    the best one's derivation and, grouped with counts, why the rest fail.
    """
    from infraprep.calc.hardware import get_accelerator
    from infraprep.calc.plan import DEFAULT_EFFICIENCY, PlanInputs

    config = _model(model, layers, hidden, heads, vocab, kv_heads, ffn, gated)
    sequences = _batch(seq, global_batch, global_tokens)
    inputs = PlanInputs(
        config, get_accelerator(gpu), gpus, seq, sequences,
        efficiency=DEFAULT_EFFICIENCY if efficiency is None else efficiency, dtype=dtype, attention=attention,
        flash=flash, dropout=dropout, sequence_parallel=sp, param_bytes=param_bytes, grad_bytes=grad_bytes,
        optimizer=optimizer, capacity_bytes=capacity, scale_up_domain=scale_up_domain, intra_bw=intra_bw,
        inter_bw=inter_bw, max_micro_batch=max_micro_batch, dp=dp, tp=tp, pp=pp, cp=cp, ep=ep,
        **{k: tuple(v) for k, v in (("zero", zero), ("recompute", recompute), ("schedules", schedule)) if v})
    result = _run(inputs, top, show_progress=not as_json)
    if as_json:
        emit_json(result.to_dict())
        return
    _render(result)

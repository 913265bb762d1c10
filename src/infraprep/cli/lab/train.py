"""``infraprep lab train``: the 3D-parallel mini-trainer, predicted vs measured side by side.

No ``from __future__ import annotations`` here: typer would re-evaluate the string annotations each
time it builds the command tree (start-up cost, see tests/cli/test_startup.py).
"""

from typing import Annotated

import typer

from infraprep.cli.lab import app
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.cli.plotting import check_plot_path, new_figure, save_figure
from infraprep.cli.progress import progress_bar


def _n(value: float | list) -> str:
    """A measured stage value: one number, or ``min–max`` when the stage's ranks differ."""
    if isinstance(value, list):
        return f"{value[0]:,.0f}–{value[1]:,.0f}"
    return f"{value:,.0f}"


def _render(result) -> None:  # noqa: ANN001 - a labs.trainer.result.TrainResult
    from rich.table import Table

    from infraprep.calc.units import format_bytes, format_seconds
    from infraprep.labs.trainer.compare import comparison

    c, cmp = result.config, comparison(result)
    console.print(f"[bold]{c.describe()}[/bold] — {c.world} ranks, {c.steps} steps, global batch "
                  f"{c.global_batch}×{c.model.seq} tokens, m={c.micro_batches} micro-batches of {c.micro_batch_size}; "
                  f"wall {format_seconds(result.wall_s)} (ranks' start-up included), step ≈ {format_seconds(result.step_seconds())}")
    line = f"loss {result.losses[0]:.4f} → {result.losses[-1]:.4f}"
    if result.parity:
        p = result.parity
        line += (f"; single process {p.reference_losses[0]:.4f} → {p.reference_losses[-1]:.4f}: max |Δloss| {p.loss:.1e}, "
                 f"max |Δweight| {p.param_max:.1e}, drift {p.drift:.1e}")
    console.print(line)

    table = Table(title="Traffic per step per rank: calc comm vs the meter (elements of the whole tensor; fp32)",
                  title_justify="left")
    for col in ("stage", "collective", "group", "predicted", "measured", "", "calls", "ring bytes sent pred.", "meas."):
        table.add_column(col, justify="left" if col in ("collective", "group", "") else "right")
    for row in cmp["comm"]:
        ok = row["measured_elements"] == row["predicted_elements"]
        ring = row["ring_bytes_sent"]
        table.add_row(str(row["stage"]), row["kind"], row["group"], f"{row['predicted_elements']:,}",
                      _n(row["measured_elements"]), "=" if ok else "≠", _n(row["calls"]),
                      format_bytes(row["predicted_bytes_sent"]), format_bytes(ring if not isinstance(ring, list) else ring[1]))
    print_table(table)

    table = Table(title="Model state per rank: calc train-memory vs the tensors held (binary units)", title_justify="left")
    for col in ("stage", "params pred.", "params meas.", "grads pred.", "grads meas.", "Adam pred.", "Adam meas."):
        table.add_column(col, justify="right")
    for row in cmp["memory"]:
        cells = []
        for k in ("param_bytes", "grad_bytes", "optimizer_bytes"):
            measured = row[f"measured_{k}"]
            cells += [format_bytes(row[f"predicted_{k}"]), format_bytes(measured if not isinstance(measured, list) else measured[1])]
        table.add_row(str(row["stage"]), *cells)
    print_table(table)

    if c.pp > 1:
        table = Table(title=f"Pipeline ({c.schedule}): calc bubble vs measured idle share of a step; micro-batches "
                            "in flight", title_justify="left")
        for col in ("stage", "bubble (p−1)/(m+p−1)", "idle measured", "in flight pred.", "in flight meas."):
            table.add_column(col, justify="right")
        for row in cmp["pipeline"]:
            table.add_row(str(row["stage"]), f"{row['predicted_idle_fraction']:.1%}", f"{row['measured_idle_fraction']:.1%}",
                          str(row["predicted_in_flight"]), str(row["measured_in_flight"]))
        print_table(table)
        console.print("[dim]idle measured = 1 − compute/makespan per step, wall clock; CPU ranks sharing cores "
                      "and per-message latency inflate it relative to the closed form.[/dim]")


@app.command("train")
def train(
    dp: Annotated[int, typer.Option("--dp", help="Data-parallel degree.")] = 2,
    tp: Annotated[int, typer.Option("--tp", help="Tensor-parallel degree (divides --heads).")] = 2,
    pp: Annotated[int, typer.Option("--pp", help="Pipeline stages (divides --layers).")] = 2,
    zero: Annotated[int, typer.Option("--zero", help="ZeRO stage: 0 (all-reduce), 1 (sharded Adam states) or 3 (sharded everything).")] = 0,
    schedule: Annotated[str, typer.Option("--schedule", help="Pipeline schedule: gpipe or 1f1b.")] = "1f1b",
    sp: Annotated[bool, typer.Option("--sp", help="Sequence parallelism on top of TP.")] = False,
    steps: Annotated[int, typer.Option("--steps", help="Optimizer steps.")] = 10,
    micro_batches: Annotated[int, typer.Option("--micro-batches", help="Micro-batches per step per DP rank (m).")] = 4,
    micro_batch_size: Annotated[int, typer.Option("--micro-batch-size", help="Sequences per micro-batch (b).")] = 2,
    layers: Annotated[int, typer.Option("--layers", help="Transformer layers.")] = 4,
    hidden: Annotated[int, typer.Option("--hidden", help="Model width h.")] = 64,
    heads: Annotated[int, typer.Option("--heads", help="Attention heads.")] = 4,
    seq: Annotated[int, typer.Option("--seq", help="Sequence length.")] = 16,
    vocab: Annotated[int, typer.Option("--vocab", help="Vocabulary size.")] = 128,
    lr: Annotated[float, typer.Option("--lr", help="Adam learning rate.")] = 3e-3,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the initial weights and the data.")] = 0,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Also train the single-process baseline and report the parity.")] = True,
    plot: Annotated[str | None, typer.Option("--plot", metavar="FILE", help="Loss curves and the pipeline's last step as it ran (SVG/PNG).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Train a small GPT on dp×tp×pp ranks (spawned locally over gloo, or as the ranks of a torchrun job
    with nccl on GPUs), metering every collective; print predicted vs measured traffic, memory and bubbles."""
    from infraprep.labs.trainer.config import ModelShape, TrainConfig

    config = TrainConfig(ModelShape(layers, hidden, heads, vocab, seq), dp=dp, tp=tp, pp=pp, zero=zero,
                         schedule=schedule.lower(), sp=sp, steps=steps, micro_batches=micro_batches,
                         micro_batch_size=micro_batch_size, lr=lr, seed=seed)
    check_plot_path(plot)
    from infraprep.labs.trainer.run import train as run_training

    with progress_bar(f"{config.world} ranks: start, then steps", steps, enabled=not as_json) as advance:
        result = run_training(config, lambda _j, _step: advance(1), check=check)
    if result is None:  # a torchrun rank other than 0: rank 0 prints
        return
    if plot:
        from infraprep.labs.trainer.plot import draw

        fig, axes = new_figure(2 if pp > 1 else 1, 1, size=(9, 7 if pp > 1 else 4))
        draw(result, list(axes) if pp > 1 else [axes])
        save_figure(fig, plot)
    if as_json:
        emit_json(result.to_dict())
    else:
        _render(result)

"""``lab checkpoint``: multi-level checkpointing on a real torch training loop — sync vs async stall,
a SIGKILL crash drill, a corrupted-checkpoint drill and in-process rollbacks (torch imported inside)."""

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.units import format_bytes, format_seconds
from infraprep.cli import quantity
from infraprep.cli.lab import app
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.cli.progress import progress_bar
from infraprep.errors import InvalidValue


@app.command("checkpoint")
def checkpoint(
    steps: Annotated[int, typer.Option(help="Training steps of the drill job.")] = 300,
    width: Annotated[int, typer.Option(help="MLP width of the drill job.")] = 32,
    kills: Annotated[int, typer.Option(help="SIGKILLs in the crash drill (0 skips it).")] = 10,
    local_every: Annotated[int, typer.Option(help="Level 1 (local disk): checkpoint every N steps.")] = 10,
    remote_every: Annotated[int, typer.Option(help="Level 2 (remote): checkpoint every N steps.")] = 50,
    remote_bandwidth: Annotated[float, typer.Option(parser=quantity.bandwidth, metavar="BW",
                                                    help="Level 2 write bandwidth.")] = 2e6,
    stall_width: Annotated[int, typer.Option(help="MLP width for the stall measurement.")] = 512,
    stall_depth: Annotated[int, typer.Option(help="MLP depth for the stall measurement.")] = 4,
    repeats: Annotated[int, typer.Option(help="Side-by-side repeats of the stall measurement.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the job and of the kill times.")] = 0,
    workdir: Annotated[Path | None, typer.Option("--dir", help="Keep the checkpoints here (default: a temp dir).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Multi-level checkpointing: sync vs async stall, crash/corruption/soft-fault drills, bit-identical resume."""
    from infraprep.labs.checkpoint import CheckpointConfig, LevelConfig, ModelConfig, RunConfig
    from infraprep.labs.checkpoint.drills import corruption_drill, reference_digests, soft_fault_drill
    from infraprep.labs.checkpoint.faults import fault_drill
    from infraprep.labs.checkpoint.stall import measure_stalls

    for name, value, low, high in (("--steps", steps, 20, 100_000), ("--kills", kills, 0, 10_000),
                                   ("--local-every", local_every, 1, 100_000), ("--remote-every", remote_every, 1, 100_000),
                                   ("--repeats", repeats, 1, 100)):
        if not low <= value <= high:
            raise InvalidValue(name, value, f"an integer between {low} and {high}")
    config = CheckpointConfig(
        local=LevelConfig(local_every, keep=3),
        remote=LevelConfig(remote_every, keep=2, bandwidth=remote_bandwidth, when_busy="skip"))
    base = RunConfig(root="", steps=steps, model=ModelConfig(width=width, seed=seed), checkpoint=config)
    stall_model = ModelConfig(width=stall_width, depth=stall_depth, batch=64, seed=seed)
    with tempfile.TemporaryDirectory(prefix="infraprep-ckpt-") as tmp:
        root = Path(workdir) if workdir else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        with progress_bar("checkpoint lab", 2 * repeats + kills + 3, enabled=not as_json) as advance:
            stall = measure_stalls(root / "stall", stall_model, repeats=repeats, progress=advance)
            digests = reference_digests(root / "reference", base)
            advance(1)
            corrupt = corruption_drill(root / "corruption", base, digests)
            advance(1)
            faults = tuple(sorted({max(1, steps // 7), max(2, steps // 3), max(3, steps - 5)}))
            soft = soft_fault_drill(root / "soft", base, faults, digests[steps])
            advance(1)
            drill = fault_drill(root / "crash", base, kills, seed=seed, progress=advance).to_dict() if kills else None
    result = {"stall": stall, "crash_drill": drill, "corruption": corrupt, "soft_faults": soft,
              "job": {"steps": steps, "width": width, "local_every": local_every, "remote_every": remote_every,
                      "remote_bandwidth": remote_bandwidth, "seed": seed}}
    if as_json:
        emit_json(result)
        return
    _render(result)


def _render(r: dict) -> None:
    s = r["stall"]
    table = Table("", "sync", "async", title=f"Checkpoint stall per save (state {format_bytes(s['state_bytes'])}, "
                  f"best of {s['repeats']} side by side)", title_justify="left")
    table.add_row("blocked per save", format_seconds(s["sync_stall_s"]), format_seconds(s["async_stall_s"]))
    table.add_row("median step", format_seconds(s["median_step_s"]["sync"]), format_seconds(s["median_step_s"]["async"]))
    table.add_row("async ÷ sync", "", f"{s['async_to_sync_ratio']:.3f}")
    print_table(table)
    if r["crash_drill"]:
        d = r["crash_drill"]
        table = Table("crash drill", "", title="SIGKILL drill: kill, restart, resume", title_justify="left")
        table.add_row("kills (timed / at commit points)", f"{d['kills']} ({d['timed_kills']} / "
                      f"{sum(d['crash_point_kills'].values())})")
        table.add_row("node losses (local level wiped)", str(d["node_losses"]))
        table.add_row("restores by level", ", ".join(f"{k}: {v}" for k, v in sorted(d["restore_levels"].items())))
        table.add_row("interrupted writes cleaned", f"{d['interrupted_writes_cleaned']['tmp']} tmp, "
                      f"{d['interrupted_writes_cleaned']['orphans']} orphans")
        table.add_row("inconsistent restores", str(len(d["inconsistent_restores"])))
        table.add_row("final state bit-identical", "yes" if d["all_identical"] else "NO")
        print_table(table)
    c, f = r["corruption"], r["soft_faults"]
    console.print(f"corruption: flipped a byte of step {c['corrupted_step']} → skipped "
                  f"{[x['step'] for x in c['skipped']]}, restored step {c['restored_step']} from level "
                  f"{c['restored_level']} ({'consistent' if c['consistent'] else 'INCONSISTENT'})")
    console.print(f"soft faults: {f['faults']} injected → {f['rollbacks']} rollbacks from level {f['levels']}; "
                  f"final state {'bit-identical' if f['identical'] else 'DIFFERENT'}")

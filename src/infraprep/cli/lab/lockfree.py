"""``infraprep lab lockfree``: the round-1 lock-free structures under stress, ThreadSanitizer and benchmark."""


from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


@app.command("lockfree")
def lockfree(
    items: Annotated[int, typer.Option(help="Items per producer in each stress run.")] = 20_000,
    tsan_items: Annotated[int, typer.Option(help="Items per producer under ThreadSanitizer (5-15x slower).")] = 5_000,
    attempts: Annotated[int, typer.Option(help="Runs a broken twin gets to be caught.")] = 5,
    tsan: Annotated[bool, typer.Option("--tsan/--no-tsan", help="Also build and run with -fsanitize=thread.")] = True,
    bench: Annotated[bool, typer.Option("--bench/--no-bench", help="Benchmark vs boost and a mutex queue.")] = True,
    bench_items: Annotated[int, typer.Option(help="Items per benchmark run.")] = 2_000_000,
    reps: Annotated[int, typer.Option(help="Benchmark reps; each contender's best is kept.")] = 5,
    threads: Annotated[int, typer.Option(help="Producers (= consumers) in the MPMC benchmark.")] = 2,
    as_json: JsonFlag = False,
) -> None:
    """SPSC ring, Vyukov MPMC queue and Treiber stack: stress with checksums, TSan, ABA, vs boost.

    Correct versions must come out clean, deliberately broken twins must be caught. Exits 1 if not.
    """
    from infraprep.labs.lockfree import LockfreeOptions, run_lockfree

    options = LockfreeOptions(items, tsan_items, attempts, tsan, bench, bench_items, reps, threads)
    with step_progress("lock-free lab", enabled=not as_json) as on_step:
        report = run_lockfree(options, on_step)
    if as_json:
        emit_json(report.to_dict())
    else:
        _render(report)
    if not report.passed:
        raise typer.Exit(1)


def _invariants(run) -> str:
    if run is None:
        return "—"
    broken = [f"{n} {label}" for n, label in ((run.lost, "lost"), (run.duplicates, "dup"), (run.torn, "torn"),
                                             (run.order_violations, "out of order")) if n]
    text = ", ".join(broken) or "ok"
    if run.timed_out:
        text += ", stalled"
    return text + (f" (run {run.attempts})" if run.attempts > 1 else "")


def _tsan(run) -> str:
    if run is None or run.tsan is None:
        return "—"
    if run.tsan.clean:
        return "clean" + ("" if run.invariants_hold else f"; {_invariants(run)}")
    return f"{run.tsan.reports} report(s): {run.tsan.sites[0] if run.tsan.sites else run.tsan.kinds[0]}"


def _render(report) -> None:
    from rich import box

    from infraprep.labs.lockfree import STRUCTURES, VARIANTS

    table = Table("structure", "variant", "stress: items accounted", "ThreadSanitizer", "verdict",
                  title="Stress with checksums, and ThreadSanitizer", title_justify="left", box=box.SIMPLE_HEAD)
    for name in STRUCTURES:
        for variant in VARIANTS:
            runs = {r.flavour: r for r in report.stress if r.structure == name and r.variant == variant}
            if not runs:
                continue
            if variant == "correct":
                verdict = "[green]clean[/green]" if all(r.clean for r in runs.values()) else "[red]FAILED[/red]"
            else:
                verdict = ("[green]caught[/green]" if any(r.caught for r in runs.values())
                           else "[yellow]not caught[/yellow]")
            table.add_row(name, variant, _invariants(runs.get("release")), _tsan(runs.get("tsan")), verdict)
    print_table(table)
    if report.tsan_unavailable:
        console.print(f"[yellow]ThreadSanitizer unavailable:[/yellow] {report.tsan_unavailable}")
    for s in STRUCTURES.values():
        console.print(f"[dim]{s.name}: {s.correct}; twin {s.broken}: {s.bug}[/dim]")

    aba = Table("stack", "A popped", "B kept", "stack after", "owned twice", "every node once",
                title="Scripted ABA (B pops 0, pops 1, pushes 0 inside A's pop)", title_justify="left",
                box=box.SIMPLE_HEAD)
    for label, outcome in (("tagged", report.aba.tagged), ("untagged", report.aba.untagged)):
        aba.add_row(label, str(outcome.a_popped), str(outcome.b_kept), str(list(outcome.stack_after)),
                    str(list(outcome.owned_twice)), "yes" if outcome.ok else "[red]no[/red]")
    print_table(aba)

    for result in report.bench:
        _render_bench(result)
    console.print(f"[dim]machine: {report.machine.line()}; {report.compiler}[/dim]")
    console.print("[green]lab passed[/green]: correct versions clean, broken twins caught" if report.passed
                  else "[red]lab failed[/red]: see the verdicts above")


def _render_bench(result) -> None:
    from rich import box

    pinning = "threads pinned one per CPU" if result.pinned else "threads not pinned (more than CPUs)"
    title = (f"{result.kind.upper()} throughput, {result.producers}P/{result.consumers}C, "
             f"best of {result.reps}, {pinning} (ops/s = items moved per second)")
    table = Table("contender", "best Mops/s", "ours ÷ this", "checksum", title=title, title_justify="left",
                  box=box.SIMPLE_HEAD)
    ours = result.ours.best_ops_per_s
    for c in result.contenders:
        table.add_row(c.name, f"{c.best_ops_per_s / 1e6:.1f}", f"{ours / c.best_ops_per_s:.2f}",
                      "ok" if c.checksum_ok else "[red]bad[/red]")
    print_table(table)
    if result.boost_version is None:
        console.print("[yellow]boost::lockfree unavailable[/yellow] (headers not found; Debian: apt-get install "
                      "libboost-dev): boost rows skipped")
    from infraprep.labs.lockfree import ACCEPTANCE

    for key, met in result.meets().items():
        target = {"vs_boost": "boost", "vs_mutex": "the mutex queue"}[key]
        need = ACCEPTANCE[result.kind][key]
        state = "unavailable" if met is None else ("met" if met else "[yellow]not met in this run[/yellow]")
        console.print(f"[dim]acceptance: ours ≥ {need}× {target}: {state}[/dim]")

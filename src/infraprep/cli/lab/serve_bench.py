"""``lab serve-bench``: continuous vs static batching on the real paged engine (tokens per second)."""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.cli.progress import progress_bar
from infraprep.errors import InfraprepError


@app.command("serve-bench")
def serve_bench(
    requests: Annotated[int, typer.Option(help="Requests, all arriving at once (mixed output lengths).")] = 96,
    max_seqs: Annotated[int, typer.Option(help="Batch cap for both policies.")] = 8,
    repeats: Annotated[int, typer.Option(help="Alternating runs per policy; the best counts.")] = 3,
    seed: Annotated[int, typer.Option(help="Workload and model seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Serve one mixed-length workload with continuous and with static batching on the tiny torch engine
    (4 layers, width 256, GQA; paged KV); both must generate the same tokens."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise InfraprepError("lab serve-bench needs torch: run 'make test' (or pip install -e '.[labs]')") from None
    from infraprep.labs.engine.bench import mixed_workload
    from infraprep.labs.engine.bench import serve_bench as run

    tokens = sum(r.max_new_tokens for r in mixed_workload(max(requests, 1), seed)) if requests >= 1 else 0
    with progress_bar("generating tokens", 2 * repeats * tokens, enabled=not as_json) as advance:
        bench = run(requests=requests, max_num_seqs=max_seqs, repeats=repeats, seed=seed, progress=advance)
    if as_json:
        emit_json(bench.to_dict())
        return
    table = Table("policy", "tokens", "iterations", "mean batch", "tokens/CPU-s", "tokens/s (wall)",
                  title=f"{requests} requests, batch cap {max_seqs}, best of {repeats}", title_justify="left")
    for name, r in bench.results.items():
        table.add_row(name, f"{r['generated_tokens']:,}", f"{r['iterations']:,}", f"{r['mean_batch']:.1f}",
                      f"{r['tokens_per_cpu_second']:,.0f}", f"{r['tokens_per_second']:,.0f}")
    print_table(table)
    console.print(f"continuous ÷ static: {bench.speedup:.2f}× per CPU-second ({bench.wall_speedup:.2f}× wall); "
                  f"same tokens: {'yes' if bench.outputs_match else 'NO'}")

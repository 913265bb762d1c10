"""``infraprep kata list|start|check|hint|solution``: coding katas checked in a sandbox."""


from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.errors import InfraprepError

_TABLE_MIN_WIDTH = 100  # below this `kata list` prints one block per kata instead of a table
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Coding katas: start from a skeleton, check against the tests in a sandbox.")


@app.callback()
def _group() -> None:
    # A callback keeps this a group even while it has a single command (typer would collapse it).
    pass
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _candidate(workspace, kata) -> Path:
    from infraprep.content.spine import get_round

    return workspace.round_dir(get_round(kata.round)) / "solutions" / kata.id / kata.solution


@app.command("list")
def list_cmd(as_json: JsonFlag = False) -> None:
    """All katas with their round, competency, language and your status."""
    from infraprep.practice.katas import load_katas
    from infraprep.practice.workspace import find_workspace
    from infraprep.store.attempts import list_attempts

    katas = load_katas()[0]
    workspace = find_workspace()
    with workspace.open_store() as store:
        attempts = list_attempts(store, kind="kata")
    rows = []
    for kata in katas:
        mine = [a for a in attempts if a.item_id == kata.id]
        status = ("passed" if any(a.score == 1.0 for a in mine) else f"{len(mine)} failed check(s)") if mine else (
            "started" if _candidate(workspace, kata).exists() else "not started")
        rows.append({**kata.to_dict(), "status": status})
    if as_json:
        emit_json(rows)
        return
    if console.width < _TABLE_MIN_WIDTH:  # a table this narrow would cut the ids the user types next
        from rich.padding import Padding

        for r in rows:
            console.print(f"[bold]{r['id']}[/bold] · {r['competency']} · {r['language']} · {r['status']}")
            console.print(Padding(r["title"], (0, 0, 0, 2)))
        return
    table = Table("Kata", "Round", "Competency", "Language", "Title", "Status")
    for r in rows:
        table.add_row(r["id"], str(r["round"]), r["competency"], r["language"], r["title"], r["status"])
    print_table(table)


@app.command("start")
def start(
    kata_id: Annotated[str, typer.Argument(metavar="ID")],
    force: Annotated[bool, typer.Option(help="Overwrite your existing file with a fresh skeleton.")] = False,
) -> None:
    """Write the kata's skeleton and statement into your workspace."""
    from infraprep.practice.katas import find_kata, make_skeleton
    from infraprep.practice.workspace import find_workspace

    kata = find_kata(kata_id)
    target = _candidate(find_workspace(), kata)
    if target.exists() and not force:
        raise InfraprepError(f"{target} exists; edit it, or pass --force to start over")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(make_skeleton(kata.reference.read_text(encoding="utf-8"), kata.id, kata.language), encoding="utf-8")
    (target.parent / "README.md").write_text(kata.statement.read_text(encoding="utf-8"), encoding="utf-8")
    console.print(Markdown(kata.statement.read_text(encoding="utf-8")))
    console.print(f"Edit {target}, then run: infraprep kata check {kata.id}")


@app.command("check")
def check_cmd(
    kata_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Default: the kata of the current folder.")] = None,
    file: Annotated[Path | None, typer.Option(help="Check this file instead of your workspace copy.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the kata's tests against your file in a sandbox (time, memory and process limits)."""
    from infraprep.practice.katas import check, find_kata, load_katas
    from infraprep.practice.review import kata_card, review
    from infraprep.practice.workspace import find_workspace
    from infraprep.store.attempts import Attempt, record_attempt

    if kata_id is None:
        here = Path.cwd().name
        if here not in {k.id for k in load_katas()[0]}:
            raise InfraprepError("give a kata ID (or run this inside your kata's folder)")
        kata_id = here
    kata = find_kata(kata_id)
    workspace = find_workspace()
    solution = file or _candidate(workspace, kata)
    if not solution.is_file():
        raise InfraprepError(f"{solution} does not exist: run infraprep kata start {kata.id}")
    if not as_json:
        console.print(f"Checking {solution} …")
    result = check(kata, solution)
    with workspace.open_store() as store:
        record_attempt(store, Attempt("kata", kata.id, kata.competency, kata.round, 1.0 if result.passed else 0.0,
                                      grade=result.verdict, duration_s=result.seconds,
                                      detail={"message": result.message}))
        review(store, kata_card(kata.id), "good" if result.passed else "again")  # katas are review cards too
    if as_json:
        emit_json(result.to_dict())
        return
    style = "green" if result.passed else "red"
    console.print(f"[{style}]{kata.id}: {result.message}[/{style}] ({result.seconds:.1f} s)")
    if not result.passed and result.output:
        console.print(result.output, markup=False, highlight=False)
    if not result.passed:
        raise typer.Exit(1)


@app.command("hint")
def hint(kata_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Reveal the kata's next hint."""
    from infraprep.practice.katas import find_kata
    from infraprep.practice.workspace import find_workspace
    from infraprep.store.state import reveal_hint

    kata = find_kata(kata_id)
    if not kata.hints:
        raise InfraprepError(f"{kata.id} has no hints")
    with find_workspace().open_store() as store:
        shown = reveal_hint(store, f"kata:{kata.id}", len(kata.hints))
    for k, text in enumerate(kata.hints[:shown], 1):
        console.print(f"Hint {k}/{len(kata.hints)}: {text}", markup=False)


@app.command("solution")
def solution(kata_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Print the reference solution."""
    from rich.syntax import Syntax

    from infraprep.practice.katas import find_kata

    kata = find_kata(kata_id)
    console.print(Syntax(kata.reference.read_text(encoding="utf-8"), "python" if kata.language == "python" else "cpp"))

"""Workspace commands: init, progress, lint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.output import JSON_HELP, console, emit_json, error_console, percent
from infraprep.content.spine import ROUNDS
from infraprep.practice import progress as mastery
from infraprep.practice.workspace import find_workspace, init_workspace
from infraprep.store.attempts import list_attempts

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create your prep repository.")] = Path("interview-prep"),
    as_json: JsonFlag = False,
) -> None:
    """Create your own prep repository in the seed's shape; re-running never overwrites your files."""
    report = init_workspace(directory)
    if as_json:
        emit_json(report.to_dict())
        return
    console.print(f"Workspace: {report.workspace.root}")
    console.print(f"created {len(report.created)} file(s), kept {len(report.kept)} existing file(s) untouched")
    console.print(f"Commands run inside it use it; elsewhere set INFRAPREP_HOME={report.workspace.root}")


def progress(as_json: JsonFlag = False) -> None:
    """Attempts and mastery per round and competency; ticks the workspace README's checkboxes."""
    workspace = find_workspace()
    with workspace.open_store() as store:
        rows = mastery.competency_progress(list_attempts(store))
    changed = mastery.sync_readme(workspace.readme, {p.competency.id for p in rows if p.mastered})
    if as_json:
        emit_json(
            {
                "workspace": str(workspace.root),
                "rule": {
                    "window": mastery.WINDOW,
                    "min_attempts": mastery.MIN_ATTEMPTS,
                    "threshold": mastery.THRESHOLD,
                    "min_kinds": mastery.MIN_KINDS,
                },
                "competencies": [p.to_dict() for p in rows],
                "readme_changed": changed,
            }
        )
        return
    table = Table("Round", "Competency", "Attempts", "By kind", "Mastery", "✓")
    for p in rows:
        kinds = " ".join(f"{k}:{n}" for k, n in sorted(p.by_kind.items())) or "—"
        table.add_row(str(p.competency.round), f"{p.competency.id}", str(p.attempts), kinds, percent(p.score),
                      "✓" if p.mastered else "")
    console.print(table)
    for rnd in ROUNDS:
        done = sum(p.mastered for p in rows if p.competency.round == rnd.number)
        console.print(f"Round {rnd.number}: {done}/4 mastered", end="   ")
    console.print()
    console.print(
        f"Mastery rule: mean ≥ {mastery.THRESHOLD:.0%} over the last {mastery.WINDOW} graded attempts "
        f"(at least {mastery.MIN_ATTEMPTS}, from ≥ {mastery.MIN_KINDS} kinds of activity)."
    )
    if changed:
        console.print(f"Updated {workspace.readme}: {', '.join(changed)}")


def lint(
    min_per_competency: Annotated[
        int, typer.Option(min=0, help="Coverage rule: questions needed per competency.")
    ] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Check all round content; prints file:line: message per problem, exits 1 on any."""
    from infraprep.content.lint import lint as run_lint
    from infraprep.content.loader import load_content

    problems = run_lint(min_per_competency=min_per_competency)
    if as_json:
        emit_json({"ok": not problems, "problems": [{"file": str(p.path), "line": p.line, "message": p.message}
                                                    for p in problems]})
    else:
        for p in problems:
            error_console.print(str(p), markup=False, soft_wrap=True)
        count = len(load_content().questions)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        (console if not problems else error_console).print(f"lint: {count} questions, {status}")
    if problems:
        raise typer.Exit(1)

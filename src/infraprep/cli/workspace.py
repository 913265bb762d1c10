"""Workspace commands: init, progress, lint."""


from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.output import JSON_HELP, console, emit_json, error_console, percent, print_table
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


def progress(
    plot: Annotated[Path | None, typer.Option(help="Also write a chart (.svg, .png or .pdf).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mastery per competency, attempts by kind, reviews due, streak, weakest competencies; ticks the
    workspace README's checkboxes."""
    from infraprep.store.state import due_cards

    workspace = find_workspace()
    with workspace.open_store() as store:
        attempts = list_attempts(store)
        report = mastery.progress_report(attempts, len(due_cards(store)))
    rows = report.competencies
    changed = mastery.sync_readme(workspace.readme, {p.competency.id for p in rows if p.mastered})
    chart = None
    if plot is not None:
        from infraprep.practice.plots import plot_progress

        chart = plot_progress(report, attempts, plot)
    if as_json:
        emit_json({"workspace": str(workspace.root), **report.to_dict(), "readme_changed": changed,
                   "plot": str(chart) if chart else None})
        return
    table = Table("Round", "Competency", "Attempts", "By kind", "Mastery", "✓")
    for p in rows:
        kinds = " ".join(f"{k}:{n}" for k, n in sorted(p.by_kind.items())) or "—"
        table.add_row(str(p.competency.round), p.competency.id, str(p.attempts), kinds, percent(p.score),
                      "✓" if p.mastered else "")
    print_table(table)
    console.print("   ".join(f"Round {r.number}: {sum(p.mastered for p in rows if p.competency.round == r.number)}/4"
                             for r in ROUNDS))
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.attempts_by_kind.items())) or "none yet"
    console.print(f"Attempts: {kinds}.  Reviews due: {report.reviews_due}.  Streak: {report.streak_days} day(s).")
    if report.weakest:
        console.print("Weakest: " + ", ".join(f"{p.competency.id} ({percent(p.score)})" for p in report.weakest))
    console.print(
        f"Mastery rule: mean ≥ {mastery.THRESHOLD:.0%} over the last {mastery.WINDOW} graded attempts "
        f"(at least {mastery.MIN_ATTEMPTS}, from ≥ {mastery.MIN_KINDS} kinds of activity)."
    )
    if changed:
        console.print(f"Updated {workspace.readme}: {', '.join(changed)}")
    if chart:
        console.print(f"Chart: {chart}")


def lint(
    min_per_competency: Annotated[
        int, typer.Option(min=0, help="Coverage rule: questions needed per competency.")
    ] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Check all round content; prints file:line: message per problem, exits 1 on any."""
    from infraprep.cli.content_render import check as check_calc_tags
    from infraprep.content.lint import lint as run_lint
    from infraprep.content.loader import load_content
    from infraprep.content.paths import content_root
    from infraprep.content.spine import ROUNDS

    problems = [str(p) for p in run_lint(min_per_competency=min_per_competency)]
    for rnd in ROUNDS:  # every calc tag and block must evaluate (numbers come from the calculators)
        for md in sorted((content_root() / rnd.slug).rglob("*.md")):
            problems += check_calc_tags(md)
    if as_json:
        emit_json({"ok": not problems, "problems": problems})
    else:
        for p in problems:
            error_console.print(p, markup=False, soft_wrap=True)
        count = len(load_content().questions)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        (console if not problems else error_console).print(f"lint: {count} questions, {status}")
    if problems:
        raise typer.Exit(1)

"""Study commands: the home, rounds, one round, one question, the competencies."""


from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.output import JSON_HELP, console, emit_json, percent, print_table
from infraprep.content.loader import load_content, load_round
from infraprep.content.spine import ROUNDS, get_round
from infraprep.practice.home import question_status, study_home
from infraprep.practice.progress import GRADE_SCORES, competency_progress
from infraprep.practice.workspace import find_workspace
from infraprep.store.attempts import Attempt, list_attempts, record_attempt
from infraprep.store.state import hints_revealed, reveal_hint

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
_HOME_WIDE_COLUMNS = 110  # below this the home table drops its Courses and Min columns


def home(as_json: bool = False) -> None:
    """The study home: the seven rounds with progress, reviews due, and what to do next."""
    workspace = find_workspace()
    with workspace.open_store() as store:
        view = study_home(load_content(), store)
    if as_json:
        emit_json({"workspace": str(workspace.root), **view.to_dict()})
        return
    # On a narrow terminal the course mapping and duration (also in `infraprep rounds`) give way, so
    # the focus keeps room to read instead of wrapping a word per line.
    wide = console.width >= _HOME_WIDE_COLUMNS
    table = Table(title="infraprep — seven-round AI-infrastructure interview preparation", title_justify="left")
    for column in ("Round", "Focus", "Courses", "Min", "Questions", "Practised", "Mastered", "Due"):
        if wide or column not in ("Courses", "Min"):
            table.add_column(column, justify="right" if column in ("Round", "Min", "Questions", "Due") else "left",
                             no_wrap=column != "Focus")
    for status in view.rounds:
        rnd = status.round
        extra = (", ".join(rnd.courses), str(rnd.minutes)) if wide else ()
        table.add_row(str(rnd.number), rnd.focus, *extra, str(status.questions),
                      f"{status.attempted}/{status.questions}", f"{status.mastered}/{len(status.competencies)}",
                      str(status.due))
    print_table(table)
    console.print(f"Reviews due: {len(view.due)}    Workspace: {workspace.root}")
    console.print(f"Next: [bold]{view.suggestion.command}[/bold]  ({view.suggestion.reason})")
    console.print("More: infraprep round N · infraprep competencies · infraprep progress · infraprep --help")


def rounds(as_json: JsonFlag = False) -> None:
    """The interview matrix: round, focus, course mapping, duration."""
    if as_json:
        emit_json(
            [
                {"round": r.number, "slug": r.slug, "focus": r.focus, "courses": list(r.courses), "minutes": r.minutes}
                for r in ROUNDS
            ]
        )
        return
    table = Table("Round", "Focus Area", "Course Mapping", "Duration", "Folder")
    for r in ROUNDS:
        table.add_row(str(r.number), r.focus, ", ".join(r.courses), f"{r.minutes} min", r.slug)
    print_table(table)


def round_view(
    number: Annotated[str, typer.Argument(help="Round number 1-7 (or its folder name).")],
    as_json: JsonFlag = False,
) -> None:
    """One round: its competencies with mastery and its questions with status."""
    rnd = get_round(number)
    bank = load_round(rnd.number)
    with find_workspace().open_store() as store:
        attempts = list_attempts(store)
        statuses = [question_status(store, q, attempts) for q in bank.questions]
    progress = [p for p in competency_progress(attempts) if p.competency.round == rnd.number]
    if as_json:
        emit_json(
            {
                "round": rnd.number,
                "focus": rnd.focus,
                "minutes": rnd.minutes,
                "competencies": [p.to_dict() for p in progress],
                "questions": [s.to_dict() for s in statuses],
            }
        )
        return
    console.print(f"[bold]{rnd.title}[/bold] — {', '.join(rnd.courses)}, {rnd.minutes} min")
    comps = Table("Competency", "Name", "Attempts", "Mastery", "Mastered", title="Competencies", title_justify="left")
    for p in progress:
        comps.add_row(p.competency.id, p.competency.label, str(p.attempts), percent(p.score), "✓" if p.mastered else "")
    print_table(comps)
    questions = Table("Id", "Title", "Kind", "Diff", "Competencies", "Status", title="Questions", title_justify="left")
    for s in statuses:
        q = s.question
        questions.add_row(q.id, q.title, q.kind, str(q.difficulty), " ".join(q.competencies), s.label)
    print_table(questions)


def question(
    qid: Annotated[str, typer.Argument(metavar="ID", help="Question id, e.g. r3-q01.")],
    hint: Annotated[bool, typer.Option("--hint", help="Reveal the next hint.")] = False,
    answer: Annotated[bool, typer.Option("--answer", help="Show the model answer, follow-ups and pitfalls.")] = False,
    grade: Annotated[
        str | None, typer.Option("--grade", help="Record a self-assessment: again, hard, good or easy.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show a question; reveal hints one at a time; read the model answer; grade yourself."""
    from infraprep.errors import InvalidValue

    q = load_content().question(qid)
    if grade is not None and grade not in GRADE_SCORES:
        raise InvalidValue("--grade", grade, f"one of {', '.join(GRADE_SCORES)}")
    with find_workspace().open_store() as store:
        revealed = reveal_hint(store, q.id, len(q.hints)) if hint else hints_revealed(store, q.id)
        next_due = None
        if grade is not None:
            from infraprep.practice.review import review

            for cid in q.competencies:
                record_attempt(store, Attempt("question", q.id, cid, q.round, GRADE_SCORES[grade], grade))
            next_due = review(store, q.id, grade)
    answer_text = _answer_text(q) if answer else None
    if as_json:
        data = {**q.to_dict(), "hints_revealed": revealed, "hints": list(q.hints[:revealed])}
        if answer:
            data["answer_text"] = answer_text
        else:
            data.pop("followups"), data.pop("pitfalls")
        if grade is not None:
            data["graded"] = {"grade": grade, "score": GRADE_SCORES[grade], "next_review": next_due.isoformat()}
        emit_json(data)
        return
    console.print(f"[bold]{q.id} · {q.title}[/bold]")
    console.print(f"{' '.join(q.competencies)} · difficulty {q.difficulty} · {q.kind}\n")
    console.print(q.prompt + "\n")
    for i, text in enumerate(q.hints[:revealed], 1):
        console.print(f"[cyan]Hint {i}/{len(q.hints)}:[/cyan] {text}")
    if revealed < len(q.hints) and not answer:
        console.print(f"[dim]{len(q.hints) - revealed} more hint(s): infraprep question {q.id} --hint[/dim]")
    if answer:
        from rich.markdown import Markdown

        console.rule("Model answer")
        console.print(Markdown(answer_text))
        for title, items in (("Follow-ups", q.followups), ("Pitfalls", q.pitfalls)):
            if items:
                console.rule(title)
                for item in items:
                    console.print(f"• {item}")
    if grade is not None:
        console.print(f"Recorded '{grade}'. Next review: {next_due:%Y-%m-%d %H:%M} UTC")
    elif not answer:
        console.print(f"[dim]When done: infraprep question {q.id} --answer, then --grade again|hard|good|easy[/dim]")


def _answer_text(q) -> str:
    from infraprep.cli.content_render import render
    from infraprep.content.render import render_answer

    return render(render_answer(q))


def competencies(as_json: JsonFlag = False) -> None:
    """All 28 competencies with id, names, round and mastery."""
    with find_workspace().open_store() as store:
        progress = competency_progress(list_attempts(store))
    if as_json:
        emit_json([p.to_dict() for p in progress])
        return
    table = Table("Id", "Round", "能力 / Competency", "Attempts", "Mastery", "✓")
    for p in progress:
        c = p.competency
        table.add_row(c.id, str(c.round), c.label, str(p.attempts), percent(p.score), "✓" if p.mastered else "")
    print_table(table)

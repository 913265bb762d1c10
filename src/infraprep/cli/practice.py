"""Practice commands: drills (and, as they land, review, katas, mocks, export)."""


import random
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel

from infraprep.cli.output import JSON_HELP, console, emit_json
from infraprep.errors import InfraprepError

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _answer_lines(source: str) -> list[str]:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return text.splitlines()


def _show_drill(k: int, n: int, drill) -> None:
    console.rule(f"Drill {k}/{n} · {drill.competency} · {drill.template}", align="left")
    console.print(drill.prompt, markup=False)
    if drill.dimension in ("choice", "order"):
        for letter, text in zip("abcdefghij", drill.choices):
            console.print(f"  {letter}) {text}", markup=False)
        how = "one letter" if drill.dimension == "choice" else "the letters in order, e.g. " + " ".join("abcdefghij"[: len(drill.choices)])
        console.print(f"[dim](answer with {how})[/dim]")
    else:
        unit = f"a bare number is read in {drill.unit}; " if drill.unit else ""
        console.print(f"[dim]({unit}units accepted; tolerance ±{drill.tolerance:.0%})[/dim]")


def drill(
    round_number: Annotated[int | None, typer.Option("--round", help="Only this round (1-7).")] = None,
    competency: Annotated[str | None, typer.Option(help="Only this competency id, e.g. r3.memory-formula.")] = None,
    count: Annotated[int, typer.Option(min=1, max=100, help="How many drills.")] = 5,
    seed: Annotated[int | None, typer.Option(help="Seed: same seed, same drills.")] = None,
    answers: Annotated[
        str | None, typer.Option(help="Non-interactive: a file with one answer per line, or - for stdin.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Numeric and conceptual drills generated from the calculators, graded with a stated tolerance."""
    from infraprep.practice.drills import choose, grade_and_record, select_templates
    from infraprep.practice.workspace import find_workspace

    seed = random.SystemRandom().randrange(1 << 30) if seed is None else seed
    drills = choose(select_templates(round_number, competency), count, seed)
    given = _answer_lines(answers) if answers is not None else None
    if given is not None and len(given) < len(drills):
        raise InfraprepError(f"--answers has {len(given)} line(s) for {len(drills)} drills")
    results = []
    with find_workspace().open_store() as store:
        for k, item in enumerate(drills, 1):
            if not as_json:
                _show_drill(k, len(drills), item)
            start = time.monotonic()
            if given is not None:
                text = given[k - 1]
            else:
                try:
                    text = console.input("> ")
                except EOFError:
                    break
            result = grade_and_record(store, item, text, None if given is not None else time.monotonic() - start)
            results.append(result)
            if not as_json:
                style = {"correct": "green", "close": "yellow"}.get(result.verdict, "red")
                console.print(f"[{style}]{result.message}[/{style}]", highlight=False)
                if not result.correct and item.explain:
                    console.print(Panel(item.explain, title="derivation", title_align="left", expand=False))
    score = sum(r.score for r in results) / len(results) if results else 0.0
    if as_json:
        emit_json({"seed": seed, "score": score, "drills": [r.to_dict() for r in results]})
        return
    console.print(f"Score {score:.0%} over {len(results)} drill(s) (seed {seed}; replay with --seed {seed}).")


def review(
    limit: Annotated[int, typer.Option(min=1, help="At most this many cards.")] = 20,
    answers: Annotated[
        str | None, typer.Option(help="Non-interactive: one line per card (a grade for questions, an answer for drills).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the spaced-repetition cards that are due (questions: self-graded; drills: auto-graded)."""
    from infraprep.content.loader import load_content
    from infraprep.errors import UnknownName
    from infraprep.practice.drills import generate, grade_and_record
    from infraprep.practice.progress import GRADE_SCORES
    from infraprep.practice.review import is_kata_card, is_question_card
    from infraprep.practice.review import review as schedule
    from infraprep.practice.workspace import find_workspace
    from infraprep.store.attempts import Attempt, record_attempt
    from infraprep.store.state import due_cards

    given = iter(_answer_lines(answers)) if answers is not None else None
    content = load_content()
    done = []

    def ask(prompt: str) -> str | None:
        if given is not None:
            return next(given, None)
        try:
            return console.input(prompt)
        except EOFError:
            return None

    with find_workspace().open_store() as store:
        due = due_cards(store)[:limit]
        if not due and not as_json:
            console.print("No cards due. Practise with: infraprep drill, or grade questions with infraprep question ID --grade")
        for card in due:
            if is_kata_card(card):  # a kata is reviewed by solving it again; it stays due until then
                kata_id = card.removeprefix("kata:")
                if not as_json:
                    console.print(f"Kata {kata_id} is due: infraprep kata start {kata_id} --force, then kata check")
                done.append({"card": card, "kind": "kata", "action": f"infraprep kata check {kata_id}"})
                continue
            if is_question_card(card):
                try:
                    q = content.question(card)
                except UnknownName:
                    continue  # a question removed from the bank: nothing to review
                if not as_json:
                    console.rule(f"Review · {q.id} · {q.title}", align="left")
                    console.print(q.prompt, markup=False)
                    if given is None:
                        ask("[dim](Enter reveals the model answer)[/dim] ")
                        from rich.markdown import Markdown

                        from infraprep.cli.content_render import render
                        from infraprep.content.render import render_answer

                        console.print(Markdown(render(render_answer(q))))
                grade = None
                while grade not in GRADE_SCORES:
                    grade = ask("Grade (again/hard/good/easy): ")
                    if grade is None:
                        break
                    grade = grade.strip().lower()
                if grade is None:
                    break
                for cid in q.competencies:
                    record_attempt(store, Attempt("question", q.id, cid, q.round, GRADE_SCORES[grade], grade))
                due_at = schedule(store, q.id, grade)
                done.append({"card": card, "kind": "question", "grade": grade, "next_review": due_at.isoformat()})
            else:
                item = generate(card, random.SystemRandom().randrange(1 << 30))
                if not as_json:
                    _show_drill(len(done) + 1, len(due), item)
                text = ask("> ")
                if text is None:
                    break
                result = grade_and_record(store, item, text)
                if not as_json:
                    console.print(result.message, markup=False)
                done.append({"card": card, "kind": "drill", "verdict": result.verdict, "score": result.score})
    if as_json:
        emit_json({"reviewed": done, "due_before": len(due)})
    elif done:
        console.print(f"Reviewed {len(done)} card(s).")

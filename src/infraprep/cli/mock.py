"""``infraprep mock start|resume|history``: timed mock interviews."""


import random
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.errors import InfraprepError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Timed mock interviews: start, resume after an interruption, see the trend.")


@app.callback()
def _group() -> None:
    # A callback keeps this a group even while it has a single command (typer would collapse it).
    pass

ScriptOption = Annotated[
    Path | None, typer.Option("--script", help="Drive the session from a file, one input line per line.")
]


def _lines(script: Path | None) -> Iterator[str] | None:
    if script is None:
        return None
    return iter(script.read_text(encoding="utf-8").splitlines())


class _TitleCountdown:
    """A live countdown in the terminal's title bar (only on a terminal), updated every second."""

    def __init__(self, runner) -> None:
        self.runner, self.stop = runner, threading.Event()

    def __enter__(self):
        if sys.stdout.isatty():
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def _tick(self) -> None:
        while not self.stop.wait(1.0):
            left = int(self.runner.remaining)
            sys.stdout.write(f"\033]0;infraprep mock — {left // 60:02d}:{left % 60:02d} left\007")
            sys.stdout.flush()

    def __exit__(self, *exc) -> None:
        self.stop.set()


def _drive(runner, session_id: int, store, workspace, lines: Iterator[str] | None) -> None:
    from infraprep.practice.mock import finish

    shown = None
    with _TitleCountdown(runner):
        while not runner.done:
            p = runner.prompt()
            if p.title != shown:
                body = p.body + ("\n\n" + "\n".join(f"{k}. {a}" for k, a in enumerate(p.anchors, 1)) if p.anchors else "")
                console.print(Panel(body, title=p.title, title_align="left", subtitle=p.hint or None))
                shown = p.title
            left = int(runner.remaining)
            prefix = f"[{left // 60:02d}:{left % 60:02d} left] " if runner.state["phase"] == "answer" else ""
            if lines is None:
                try:
                    line = console.input(f"{prefix}> ")
                except EOFError:
                    break
            else:
                line = next(lines, None)
                if line is None:
                    break
            for message in runner.handle(line):
                console.print(message, markup=False)
    if not runner.done:
        console.print(f"Saved. Continue with: infraprep mock resume (session {session_id})")
        return
    path = finish(runner, store, workspace, session_id)
    scores = ", ".join(f"{cid} {e['score']}/4" for cid, e in runner.state["scores"].items())
    console.print(f"Mock finished: {scores}\nRecord: {path}")


def _runner(state: dict, store, session_id: int):
    from infraprep.content.loader import load_content
    from infraprep.content.rubric import load_rubric
    from infraprep.content.spine import get_round
    from infraprep.practice.mock import MockRunner
    from infraprep.store.sessions import save_state

    return MockRunner(state, load_content(), load_rubric(get_round(state["round"])),
                      lambda s: save_state(store, session_id, s))


@app.command("start")
def start(
    round_number: Annotated[int, typer.Option("--round", help="Round 1-7.")],
    minutes: Annotated[int | None, typer.Option(min=1, max=240, help="Length; default the round's (60, capstone 90).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for the choice of items.")] = None,
    script: ScriptOption = None,
) -> None:
    """Start a mock for a round: prompts weighted toward your weak and unseen competencies."""
    from infraprep.content.loader import load_content
    from infraprep.content.rubric import load_rubric
    from infraprep.content.spine import get_round
    from infraprep.practice.mock import new_state, plan_mock
    from infraprep.practice.workspace import find_workspace
    from infraprep.store.attempts import list_attempts
    from infraprep.store.sessions import create_session

    rnd = get_round(round_number)
    load_rubric(rnd)  # fail before starting if the round has no complete rubric
    lines = _lines(script)
    seed = random.SystemRandom().randrange(1 << 30) if seed is None else seed
    workspace = find_workspace()
    with workspace.open_store() as store:
        items = plan_mock(load_content(), list_attempts(store), rnd.number, seed)
        state = new_state(rnd.number, minutes or rnd.minutes, seed, items)
        session_id = create_session(store, "mock", rnd.number, state)
        console.print(f"Mock interview, {rnd.title}: {state['minutes']} minutes, {len(items)} item(s). Session {session_id}.")
        _drive(_runner(state, store, session_id), session_id, store, workspace, lines)


@app.command("resume")
def resume(
    session: Annotated[int | None, typer.Option(help="Session id; default the newest unfinished mock.")] = None,
    script: ScriptOption = None,
) -> None:
    """Continue an interrupted mock where it stopped (time counts only while it runs)."""
    from infraprep.practice.workspace import find_workspace
    from infraprep.store.sessions import get_session, open_sessions

    lines = _lines(script)
    workspace = find_workspace()
    with workspace.open_store() as store:
        if session is None:
            pending = open_sessions(store, "mock")
            if not pending:
                raise InfraprepError("no unfinished mock to resume; start one with: infraprep mock start --round N")
            found = pending[0]
        else:
            found = get_session(store, session)
            if found is None or found.kind != "mock" or found.ended_at is not None:
                raise InfraprepError(f"session {session} is not an unfinished mock")
        runner = _runner(found.state, store, found.id)
        console.print(f"Resuming session {found.id}: {runner.remaining / 60:.1f} minutes left.")
        _drive(runner, found.id, store, workspace, lines)


@app.command("history")
def history_cmd(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """Finished mocks with their rubric scores, and the trend of the mean score."""
    from infraprep.practice.mock import history
    from infraprep.practice.workspace import find_workspace

    with find_workspace().open_store() as store:
        rows = history(store)
    if as_json:
        emit_json([r.to_dict() for r in rows])
        return
    if not rows:
        console.print("No finished mocks yet: infraprep mock start --round N")
        return
    from datetime import datetime

    table = Table("Session", "Date", "Round", "Minutes", "Mean", "Scores")
    for r in rows:
        table.add_row(str(r.session), f"{datetime.fromtimestamp(r.started_at):%Y-%m-%d %H:%M}", str(r.round),
                      f"{r.minutes_used:.0f}", f"{r.mean:.2f}" if r.mean else "—",
                      " ".join(f"{c}:{s}" for c, s in r.scores.items()))
    print_table(table)
    means = [r.mean for r in rows if r.mean is not None]
    if len(means) >= 2:
        bars = "▁▂▃▄▅▆▇█"
        console.print("Trend (mean 1-4): " + "".join(bars[min(7, int((m - 1) / 3 * 7.999))] for m in means)
                      + f"  {means[0]:.2f} → {means[-1]:.2f}")

"""The mock state machine: notes per part, follow-ups, the drill item, time, scoring, resume."""

import pytest

from infraprep.content.loader import load_content
from infraprep.content.rubric import load_rubric
from infraprep.content.spine import get_round
from infraprep.practice.answers import format_answer
from infraprep.practice.drills import generate
from infraprep.practice.mock import MockRunner, new_state

CONTENT = load_content()
Q = CONTENT.question("r3-q01")


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make(state=None, clock=None, minutes=60):
    saved = []
    items = [{"kind": "question", "id": "r3-q01"}, {"kind": "drill", "template": "r3.weight-bytes", "seed": 7}]
    state = state or new_state(3, minutes, 1, items)
    runner = MockRunner(state, CONTENT, load_rubric(get_round(3)), lambda s: saved.append(dict(s)), clock or Clock())
    return runner, saved


def feed(runner, *lines):
    out = []
    for line in lines:
        out += runner.handle(line)
    return out


def test_notes_follow_ups_and_the_drill():
    runner, saved = make()
    assert runner.prompt().body == Q.prompt
    feed(runner, "first line", "second line", ".")
    assert runner.prompt().body == Q.followups[0]
    feed(runner, "on follow-up one", ".", "/next")  # skip the rest of the question
    drill = generate("r3.weight-bytes", 7)
    assert runner.prompt().body == drill.prompt
    (message,) = feed(runner, format_answer(drill.expected, drill.dimension, drill.unit))
    assert message.startswith("correct")
    assert runner.state["notes"][0] == [["first line", "second line"], ["on follow-up one"]]
    assert runner.state["drill_results"]["1"]["verdict"] == "correct"
    assert runner.state["phase"] == "score" and len(saved) == 7  # saved after every line


def test_scoring_validates_and_covers_each_competency_once():
    runner, _ = make()
    feed(runner, "/end")
    assert runner.competencies() == ["r3.memory-formula"]
    assert runner.prompt().anchors == load_rubric(get_round(3)).anchors["r3.memory-formula"]
    assert feed(runner, "5") == ["Enter a score from 1 to 4."]
    feed(runner, "4", "solid")
    assert runner.done and runner.state["scores"] == {"r3.memory-formula": {"score": 4, "note": "solid"}}


def test_time_counts_only_while_live_and_runs_out():
    clock = Clock()
    runner, saved = make(clock=clock, minutes=10)
    clock.t += 300
    feed(runner, "five minutes in")
    assert runner.remaining == pytest.approx(300)
    state = saved[-1]
    later = Clock()
    later.t = 99999.0  # the process died; hours pass before resume
    resumed, _ = make(state=state, clock=later)
    assert resumed.remaining == pytest.approx(300)
    later.t += 301
    assert feed(resumed, "too late") == ["Time is up: on to scoring."]
    assert resumed.state["phase"] == "score"
    assert resumed.state["notes"][0] == [["five minutes in"]]


def test_resume_continues_at_the_saved_position():
    runner, saved = make()
    feed(runner, "a", ".", "b")
    resumed, _ = make(state=saved[-1])
    assert resumed.prompt().body == Q.followups[0]
    feed(resumed, "c", ".")
    assert resumed.state["notes"][0] == [["a"], ["b", "c"]]

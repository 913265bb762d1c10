"""The study commands end to end, in-process, against the repository's content."""

from infraprep.content.loader import load_content
from infraprep.content.spine import COMPETENCIES


def test_home_shows_all_rounds_and_a_next_step(cli):
    result = cli()
    assert result.code == 0
    for text in ("Distributed Training Architecture", "Capstone", "Next: infraprep question"):
        assert text in result.out
    data = cli("--json").json()
    assert [r["round"] for r in data["rounds"]] == [1, 2, 3, 4, 5, 6, 7]
    assert data["next"]["command"].startswith("infraprep question r")


def test_rounds_and_round(cli):
    assert [r["minutes"] for r in cli("rounds", "--json").json()] == [60] * 6 + [90]
    data = cli("round", "3", "--json").json()
    assert [c["id"] for c in data["competencies"]] == [c.id for c in COMPETENCIES if c.round == 3]
    assert {q["id"] for q in data["questions"]} == {q.id for q in load_content().of_round(3)}
    assert all(q["status"] == "unseen" for q in data["questions"])


def test_question_hint_answer_and_grade(cli):
    q = load_content().question("r3-q01")
    shown = cli("question", "r3-q01")
    assert shown.code == 0 and q.prompt.split("\n")[0] in shown.out and "Hint 1" not in shown.out
    for k in range(1, len(q.hints) + 2):
        data = cli("question", "r3-q01", "--hint", "--json").json()
        assert data["hints_revealed"] == min(k, len(q.hints))
        assert data["hints"] == list(q.hints[: data["hints_revealed"]])
    answer = cli("question", "r3-q01", "--answer")
    assert answer.code == 0 and "Model answer" in answer.out
    graded = cli("question", "r3-q01", "--grade", "good", "--json").json()
    assert graded["graded"]["score"] == 0.8
    status = {s["id"]: s for s in cli("round", "3", "--json").json()["questions"]}["r3-q01"]
    assert status["attempts"] == 1 and status["last_grade"] == "good"
    comps = {c["id"]: c for c in cli("competencies", "--json").json()}
    assert comps["r3.memory-formula"]["attempts"] == 1 and comps["r3.memory-formula"]["mastery"] == 0.8


def test_competencies_lists_28_with_names(cli):
    data = cli("competencies", "--json").json()
    assert len(data) == 28 and all(c["zh"] and c["en"] and c["mastery"] is None for c in data)


def test_unknown_names_print_one_line_and_exit_2(cli):
    cases = {
        ("round", "9"): "infraprep: error: unknown round '9'; valid: 1, 2, 3, 4, 5, 6, 7",
        ("question", "r3q01"): "infraprep: error: unknown question 'r3q01'; did you mean r3-q01",
        ("question", "r3-q01", "--grade", "great"): "infraprep: error: --grade='great' is not valid",
        ("nosuch",): "infraprep: error: No such command 'nosuch'.",
        ("round",): "infraprep: error: Missing argument 'NUMBER'.",
    }
    for args, start in cases.items():
        result = cli(*args)
        assert result.code == 2, args
        assert result.err.startswith(start), result.err
        assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_init_and_progress_tick_the_readme(cli, tmp_path, monkeypatch):
    root = tmp_path / "prep"
    assert cli("init", str(root)).code == 0
    monkeypatch.chdir(root)  # commands now find this workspace by walking up
    q = load_content().question("r3-q01")
    cid = q.competencies[0]
    from infraprep.practice.workspace import find_workspace
    from infraprep.store import Attempt, record_attempt

    with find_workspace().open_store() as store:
        record_attempt(store, Attempt("drill", "d1", cid, 3, 1.0))
        record_attempt(store, Attempt("drill", "d2", cid, 3, 1.0))
    cli("question", "r3-q01", "--grade", "easy")
    data = cli("progress", "--json").json()
    assert data["workspace"] == str(root.resolve())
    assert data["readme_changed"] == [cid]
    assert "- [x] " in (root / "README.md").read_text()
    assert cli("progress", "--json").json()["readme_changed"] == []


def test_home_on_a_narrow_terminal_drops_courses_and_minutes_not_the_focus(cli, monkeypatch):
    from infraprep.cli.output import console

    monkeypatch.setattr(console, "width", 80)
    out = cli().out
    assert "Courses" not in out and "SYS-601" not in out
    assert "Focus" in out and "Practised" in out and "Distributed Training" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    monkeypatch.setattr(console, "width", 140)
    assert "Courses" in cli().out

"""A scripted drill session end to end: grades, derivations on misses, attempts and reviews stored."""

import pytest

from infraprep.practice.answers import format_answer
from infraprep.practice.drills import choose, select_templates
from infraprep.practice.workspace import find_workspace
from infraprep.store import list_attempts
from infraprep.store.state import get_card


def right_answer(drill) -> str:
    if drill.dimension == "choice":
        return "abcdefghij"[int(drill.expected)]
    if drill.dimension == "order":
        return " ".join("abcdefghij"[i] for i in drill.order)
    return format_answer(drill.expected, drill.dimension, drill.unit)


def test_scripted_session_with_right_and_wrong_answers(cli, tmp_path):
    drills = choose(select_templates(round_number=2), 4, seed=11)
    lines = [right_answer(d) if k % 2 == 0 else "zzz" for k, d in enumerate(drills)]
    (tmp_path / "answers.txt").write_text("\n".join(lines) + "\n")
    result = cli("drill", "--round", "2", "--count", "4", "--seed", "11", "--answers", str(tmp_path / "answers.txt"),
                 "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [d["verdict"] for d in data["drills"]] == ["correct", "unreadable", "correct", "unreadable"]
    assert data["score"] == 0.5
    assert all(d["explain"] for d in data["drills"][1::2]) and not any(d["explain"] for d in data["drills"][::2])
    with find_workspace().open_store() as store:
        attempts = list_attempts(store, kind="drill")
        assert [a.score for a in attempts] == [1.0, 0.0, 1.0, 0.0]
        assert [a.item_id for a in attempts] == [d.item_id for d in drills]
        assert all(get_card(store, d.template) for d in drills)


def test_table_mode_shows_the_derivation_on_a_miss(cli, tmp_path):
    templates = select_templates(competency="r3.memory-formula")
    seed = next(s for s in range(100) if choose(templates, 1, s)[0].dimension == "bytes")  # a numeric drill
    (tmp_path / "a.txt").write_text("1 B\n")
    result = cli("drill", "--competency", "r3.memory-formula", "--count", "1", "--seed", str(seed), "--answers",
                 str(tmp_path / "a.txt"))
    assert result.code == 0
    assert "wrong: expected" in result.out and "derivation" in result.out and f"replay with --seed {seed}" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--competency", "r9.nothing"), "unknown competency 'r9.nothing'"),
        (("--round", "8"), "unknown round '8'"),
        (("--count", "0"), "Invalid value for '--count'"),
        (("--count", "3", "--answers", "/nonexistent/file"), "No such file or directory"),
    ],
)
def test_bad_input_is_one_line(cli, args, message):
    result = cli("drill", *args)
    assert result.code in (1, 2) and message in result.err and result.err.count("\n") == 1


def test_too_few_answers(cli, tmp_path):
    (tmp_path / "a.txt").write_text("1\n")
    result = cli("drill", "--count", "3", "--answers", str(tmp_path / "a.txt"))
    assert result.code == 2 and "--answers has 1 line(s) for 3 drills" in result.err

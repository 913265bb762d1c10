"""kata start → check fails → reference pasted → check passes; list, hint, solution; bad input."""

import shutil

from infraprep.content.katas import load_katas
from infraprep.practice.workspace import find_workspace
from infraprep.store import list_attempts
from infraprep.store.state import get_card, put_card

KATA = next(k for k in load_katas()[0] if k.id == "memory-formula")


def test_start_check_fail_then_pass(cli, isolated_workspace):
    start = cli("kata", "start", "memory-formula")
    assert start.code == 0, start.err
    mine = isolated_workspace / "round-3-distributed-training" / "solutions" / "memory-formula" / "model_state.py"
    assert "raise NotImplementedError('kata memory-formula: implement" in mine.read_text()
    assert cli("kata", "start", "memory-formula").code == 2  # never overwrites without --force

    failed = cli("kata", "check", "memory-formula", "--json")
    assert failed.code == 0 and failed.json()["passed"] is False
    assert failed.json()["verdict"] == "tests-failed"

    shutil.copyfile(KATA.reference, mine)
    passed = cli("kata", "check", "memory-formula")
    assert passed.code == 0 and "all tests passed" in passed.out

    with find_workspace().open_store() as store:
        assert [a.score for a in list_attempts(store, kind="kata")] == [0.0, 1.0]
        assert get_card(store, "kata:memory-formula")  # the kata is a review card: check results feed FSRS
    listing = {row["id"]: row for row in cli("kata", "list", "--json").json()}
    assert listing["memory-formula"]["status"] == "passed"
    assert listing["block-manager"]["status"] == "not started"


def test_failing_check_exits_1_in_table_mode(cli):
    cli("kata", "start", "gang-scheduler")
    result = cli("kata", "check", "gang-scheduler")
    assert result.code == 1 and "tests failed" in result.out and "NotImplementedError" in result.out


def test_hint_and_solution(cli):
    first = cli("kata", "hint", "memory-formula")
    assert first.code == 0 and "Hint 1/3" in first.out and "Hint 2/3" not in first.out
    assert "Hint 2/3" in cli("kata", "hint", "memory-formula").out
    assert "def model_state_bytes" in cli("kata", "solution", "memory-formula").out


def test_bad_input(cli):
    assert "unknown kata 'memory'" in cli("kata", "start", "memory").err
    result = cli("kata", "check", "block-manager")
    assert result.code == 2 and "run infraprep kata start block-manager" in result.err


def test_a_due_kata_card_is_listed_by_review_without_taking_an_answer(cli, tmp_path):
    cli("kata", "start", "memory-formula")
    cli("kata", "check", "memory-formula")
    with find_workspace().open_store() as store:
        put_card(store, "kata:memory-formula", get_card(store, "kata:memory-formula"), due=0.0)
    (tmp_path / "a.txt").write_text("")
    data = cli("review", "--answers", str(tmp_path / "a.txt"), "--json").json()
    assert data["reviewed"] == [{"card": "kata:memory-formula", "kind": "kata",
                                 "action": "infraprep kata check memory-formula"}]


def test_list_keeps_every_id_whole_in_a_narrow_terminal_and_a_wide_one(cli, monkeypatch):
    from infraprep.cli.output import console

    ids = [k.id for k in load_katas()[0]]
    for width in (80, 140):
        monkeypatch.setattr(console, "width", width)
        out = cli("kata", "list").out
        assert all(k in out for k in ids) and "…" not in out, (width, out)
        assert max(len(line.rstrip()) for line in out.splitlines()) <= width

"""review runs due cards; progress reports kinds, dues, streak, weakest and writes a chart."""

from infraprep.practice.workspace import find_workspace
from infraprep.store.state import due_cards, get_card, put_card


def make_due(card_id, due=0.0):
    with find_workspace().open_store() as store:
        put_card(store, card_id, get_card(store, card_id), due=due)


def test_review_runs_due_question_and_drill_cards(cli, tmp_path):
    assert cli("question", "r4-q01", "--grade", "hard").code == 0
    (tmp_path / "a.txt").write_text("1 B\n")
    drilled = cli("drill", "--competency", "r3.memory-formula", "--count", "1", "--seed", "1", "--answers",
                  str(tmp_path / "a.txt"), "--json")
    template = drilled.json()["drills"][0]["template"]
    assert cli("review", "--json").json()["due_before"] == 0  # scheduled in the future
    make_due("r4-q01", due=0.0)  # due first
    make_due(template, due=1.0)
    (tmp_path / "r.txt").write_text("meh\ngood\n1 B\n")  # an invalid grade is asked again
    result = cli("review", "--answers", str(tmp_path / "r.txt"), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["due_before"] == 2
    assert {r["card"]: r.get("grade", r.get("verdict")) for r in data["reviewed"]} == {"r4-q01": "good",
                                                                                      template: "wrong"}
    with find_workspace().open_store() as store:
        assert "r4-q01" not in due_cards(store)


def test_progress_report_and_chart(cli, tmp_path):
    cli("question", "r1-q01", "--grade", "again")
    cli("question", "r2-q01", "--grade", "easy")
    chart = tmp_path / "p.svg"
    data = cli("progress", "--json", "--plot", str(chart)).json()
    assert data["attempts_by_kind"] == {"question": 2}
    assert data["streak_days"] == 1
    assert data["weakest"][0] == "r1.lockfree"
    assert chart.read_text().startswith("<?xml")
    bad = cli("progress", "--plot", str(tmp_path / "p.txt"))
    assert bad.code == 2 and ".svg, .png or .pdf" in bad.err

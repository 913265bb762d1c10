"""``infraprep sim pfc``: JSON, table, plot, bad input."""

import pytest


def test_json_reports_cycle_and_freeze(cli):
    r = cli("sim", "pfc", "--pods", "4", "--tors", "8", "--aggs", "4", "--cores", "4", "--seed", "1", "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["switches"] == 4 * 12 + 4 and d["deadlock_possible"] == {
        "pfc": True, "lossy-bounce": False, "hop-index": False, "watchdog": True}
    assert d["simulation"]["pfc"]["frozen"] is True
    assert d["simulation"]["hop-index"]["frozen"] is False


def test_no_failures_no_cycle(cli):
    r = cli("sim", "pfc", "--pods", "3", "--tors", "4", "--aggs", "2", "--cores", "2", "--fail-links", "0")
    assert r.code == 0, r.err
    assert "no buffer-dependency cycle" in r.out


def test_table_and_plot(cli, tmp_path):
    path = tmp_path / "pfc.svg"
    r = cli("sim", "pfc", "--pods", "4", "--tors", "8", "--aggs", "4", "--cores", "4", "--seed", "1",
            "--plot", str(path))
    assert r.code == 0, r.err
    assert "FROZEN" in r.out and "cycle:" in r.out
    assert path.read_text().startswith("<?xml")


@pytest.mark.parametrize(("args", "match"), [
    (("--topology", "torus"), "--topology='torus'"), (("--cores", "5"), "--cores=5"),
    (("--failures", "some"), "--failures='some'"), (("--fail-links", "-1"), "--fail-links=-1"),
    (("--plot", "pfc.txt"), "--plot='pfc.txt'"),
])
def test_bad_input_one_line_exit_2(cli, args, match):
    r = cli("sim", "pfc", *args)
    assert r.code == 2 and match in r.err and len(r.err.strip().splitlines()) == 1, r.err

"""``sim gang`` through the CLI: the deadlock demo, the trace table, JSON, plot, seed, errors."""

import pytest

from tests.cli.one_line import assert_one_line_error

SMALL = ("sim", "gang", "--racks", "2", "--nodes-per-rack", "2", "--jobs", "40")


def test_json_seed_and_plot(cli, tmp_path):
    plot = tmp_path / "gang.png"
    a = cli(*SMALL, "--seed", "3", "--json", "--plot", str(plot))
    assert a.code == 0, a.err
    d = a.json()
    assert d["classic_deadlock"]["greedy"]["deadlocked"] and not d["classic_deadlock"]["gang"]["deadlocked"]
    assert set(d["results"]) == {"greedy", "gang", "backfill", "topology"}
    for name in ("gang", "backfill", "topology"):
        assert d["results"][name]["held_idle"] == 0 and d["results"][name]["completion"] == 1
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli(*SMALL, "--seed", "3", "--json").out == a.out
    assert cli(*SMALL, "--seed", "4", "--json").out != a.out


def test_table_and_scheduler_subset(cli):
    r = cli(*SMALL, "--schedulers", "gang,topology")
    assert r.code == 0, r.err
    assert "Classic deadlock" in r.out and "topology" in r.out and "backfill" not in r.out


@pytest.mark.parametrize("args, fragment", [
    (("--schedulers", "gready"), "greedy"),
    (("--racks", "0"), "--racks"),
    (("--load", "-1"), "--load"),
    (("--burst", "0"), "--burst"),
    (("--plot", "x.jpg"), "--plot"),
    (("--max-job-fraction", "2"), "--max-job-fraction"),
])
def test_bad_input(cli, args, fragment):
    assert_one_line_error(cli("sim", "gang", *args), fragment)

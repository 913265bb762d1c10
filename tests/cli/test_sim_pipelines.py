"""``sim pipelines`` through the CLI: table, JSON, plot, seed, errors."""

import pytest

from tests.cli.one_line import assert_one_line_error

FAST = ("sim", "pipelines", "--failures-per-day", "1,16", "--days", "10")


def test_json_plot_seed(cli, tmp_path):
    plot = tmp_path / "p.svg"
    a = cli(*FAST, "--seed", "1", "--json", "--plot", str(plot))
    assert a.code == 0, a.err
    rows = a.json()["rows"]
    assert [r["failures_per_day"] for r in rows] == [1, 16]
    assert set(rows[0]["strategies"]) == {"checkpoint-restart", "oobleck", "bamboo"}
    assert "<svg" in plot.read_text()
    assert cli(*FAST, "--seed", "1", "--json").out == a.out


def test_table(cli):
    r = cli(*FAST)
    assert r.code == 0 and "oobleck" in r.out and "templates for 8–15 nodes" in r.out


@pytest.mark.parametrize("args, fragment", [
    (("--failures-per-day", "x"), "--failures-per-day"),
    (("--nodes", "2"), "--nodes"),
    (("--bamboo-overhead", "1.5"), "--bamboo-overhead"),
    (("--repair", "-1h"), "--repair"),
])
def test_bad_input(cli, args, fragment):
    assert_one_line_error(cli("sim", "pipelines", *args), fragment)

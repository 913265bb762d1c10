"""``sim failures`` through the CLI: JSON, plot, seed, one-line errors."""

import pytest

from tests.cli.one_line import assert_one_line_error

FAST = ("sim", "failures", "--samples", "20000", "--scale", "1024,16384", "--restarts", "1min,10min",
        "--spares", "0,8")


def test_json_plot_and_seed(cli, tmp_path):
    plot = tmp_path / "failures.svg"
    a = cli(*FAST, "--seed", "1", "--json", "--plot", str(plot))
    assert a.code == 0, a.err
    d = a.json()
    assert {"interval", "scaling", "goodput_curve", "restart_effect", "spares_effect"} <= set(d)
    assert abs(d["interval"]["mc_vs_daly"]) < 0.05
    assert plot.read_text().lstrip().startswith("<?xml") and "<svg" in plot.read_text()
    assert a.err == ""  # no progress bar in --json mode
    assert cli(*FAST, "--seed", "1", "--json").out == a.out
    assert cli(*FAST, "--seed", "2", "--json").out != a.out


def test_table(cli):
    r = cli(*FAST, "--per-gpu-mtbf-hours", "50000", "--dist", "weibull", "--shape", "0.8")
    assert r.code == 0, r.err
    assert "Monte Carlo optimum" in r.out and "hot spares" in r.out


@pytest.mark.parametrize("args, fragment", [
    (("--plot", "out.pdf"), "--plot"),
    (("--plot", "/nonexistent/dir/x.svg"), "--plot"),
    (("--dist", "gamma"), "--dist"),
    (("--preset", "llama2"), "llama3"),
    (("--preset", "llama3", "--per-gpu-mtbf-hours", "5"), "not both"),
    (("--spares", "a,b"), "--spares"),
    (("--gpus", "10.5"), "--gpus"),
    (("--samples", "5"), "--samples"),
    (("--write-time", "1000d"), "--write-time"),
])
def test_bad_input(cli, args, fragment):
    assert_one_line_error(cli("sim", "failures", *args), fragment)

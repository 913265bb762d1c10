"""``infraprep sim serve``: JSON out, comparisons, sweeps with a plot, seeds, and one-line errors."""

import pytest

from tests.cli.one_line import assert_one_line_error

SMALL = ("--requests", "150", "--rate", "20")


def _strip(data):
    data.pop("simulated_in_s", None)
    return data


def test_json_run_and_seed(cli):
    a = cli("sim", "serve", *SMALL, "--seed", "3", "--json")
    assert a.code == 0 and a.err == ""  # no progress bar in --json mode
    data = a.json()
    assert data["completed"] == 150 and data["ttft_s"]["p99"] >= data["ttft_s"]["p50"] > 0
    assert _strip(data) == _strip(cli("sim", "serve", *SMALL, "--seed", "3", "--json").json())
    assert _strip(data) != _strip(cli("sim", "serve", *SMALL, "--seed", "4", "--json").json())


def test_table_compare_and_disaggregation(cli):
    table = cli("sim", "serve", *SMALL, "--compare", "chunked")
    assert table.code == 0 and "p99 ITL" in table.out and "prefill-first" in table.out
    data = cli("sim", "serve", *SMALL, "--disaggregate", "1:1", "--json").json()
    assert data["completed"] == 150


def test_sweep_writes_the_plot(cli, tmp_path):
    out = tmp_path / "curves.svg"
    r = cli("sim", "serve", "--requests", "100", "--sweep", "5,20", "--plot", str(out), "--json")
    assert r.code == 0, r.err
    assert [p["rate"] for p in r.json()["sweep"]] == [5.0, 20.0]
    assert out.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(("args", "needle"), [
    (("--compare", "speculative"), "--compare='speculative'"),
    (("--plot", "x.svg"), "with --sweep"),
    (("--sweep", "5,fast"), "--sweep='5,fast'"),
    (("--sweep", "5", "--plot", "x.pdf"), ".svg or .png"),
    (("--disaggregate", "2"), "--disaggregate='2'"),
    (("--model", "gpt5"), "unknown model"),
    (("--policy", "lifo"), "--policy='lifo'"),
    (("--max-model-len", "1024", "--prompt-len", "2000"), "--prompt-len=2000"),
    (("--think-time", "soon"), "think-time"),
])
def test_errors_are_one_line_exit_2(cli, args, needle):
    assert_one_line_error(cli("sim", "serve", *SMALL, *args), needle)

"""``infraprep lab litmus``: counts in JSON, the table and its notes, bad input."""

import shutil

import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


def test_json(cli):
    result = cli("lab", "litmus", "--json", "--test", "sb", "--order", "seq_cst", "--iterations", "20000")
    assert result.code == 0
    data = result.json()
    (cell,) = data["cells"]
    assert (cell["test"], cell["order"], cell["iterations"]) == ("sb", "seq_cst", 20000)
    assert cell["forbidden_outcome"] == "00" and cell["forbidden_count"] == 0
    assert sum(cell["outcomes"].values()) == 20000
    assert data["violations"] == 0 and data["notes"]


def test_table(cli):
    result = cli("lab", "litmus", "--test", "mp", "--iterations", "20000")
    assert result.code == 0
    assert "Litmus outcomes" in result.out and "relaxed" in result.out and "seq_cst" in result.out
    assert "message passing" in result.out or "mp:" in result.out


@pytest.mark.parametrize(("args", "message"), [
    (("--test", "iriw"), "unknown litmus test 'iriw'; valid: sb, mp"),
    (("--order", "consume"), "unknown memory order 'consume'"),
    (("--iterations", "0"), "--iterations=0 is not valid"),
])
def test_bad_input(cli, args, message):
    result = cli("lab", "litmus", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err

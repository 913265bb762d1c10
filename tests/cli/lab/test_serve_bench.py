"""``infraprep lab serve-bench``: JSON shape on a small workload, and one-line errors."""

import pytest

from tests.cli.one_line import assert_one_line_error

pytest.importorskip("torch")


def test_small_run_json(cli):
    r = cli("lab", "serve-bench", "--requests", "10", "--max-seqs", "4", "--repeats", "1", "--json")
    assert r.code == 0 and r.err == ""
    data = r.json()
    assert data["outputs_match"] is True
    assert set(data["results"]) == {"continuous", "static"}
    assert data["results"]["continuous"]["generated_tokens"] == data["results"]["static"]["generated_tokens"]


def test_errors(cli):
    assert_one_line_error(cli("lab", "serve-bench", "--max-seqs", "0"), "--max-seqs=0")

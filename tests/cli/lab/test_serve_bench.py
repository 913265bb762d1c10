"""``infraprep lab serve-bench``: JSON shape on a small workload, and one-line errors."""

import pytest

pytest.importorskip("torch")


def test_small_run_json(cli):
    r = cli("lab", "serve-bench", "--requests", "10", "--max-seqs", "4", "--repeats", "1", "--json")
    assert r.code == 0 and r.err == ""
    data = r.json()
    assert data["outputs_match"] is True
    assert set(data["results"]) == {"continuous", "static"}
    assert data["results"]["continuous"]["generated_tokens"] == data["results"]["static"]["generated_tokens"]


def test_errors(cli):
    r = cli("lab", "serve-bench", "--max-seqs", "0")
    assert r.code == 2 and "--max-seqs=0" in r.err

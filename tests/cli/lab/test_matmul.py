"""``infraprep lab matmul``: JSON with measured and closed-form counts; bad input exits 2 in one line."""

import pytest


@pytest.mark.slow
def test_json_counts_and_verdicts(cli):
    result = cli("lab", "matmul", "--n", "16", "--tile", "8", "--no-cuda-cpp", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["global_loads"] == data["global_loads_closed_form"] == {"naive": 8192, "tiled": 1024}
    assert data["tiled_over_naive"] == 1 / 8
    assert data["bank_conflict_degree"]["pad0"]["load"] == 32
    assert all(v["passed"] for v in data["verdicts"].values())
    assert "kernels lab" not in result.out  # the progress bar never reaches stdout


@pytest.mark.slow
def test_table(cli):
    result = cli("lab", "matmul", "--n", "16", "--tile", "8", "--no-cuda-cpp")
    assert result.code == 0 and "tiled ÷ naive = 0.1250" in result.out and "emulated" in result.out


@pytest.mark.parametrize("args,named", [(["--tile", "40"], "--tile"), (["--engine", "tpu"], "engine"),
                                        (["--n", "0"], "--n")])
def test_bad_input_is_one_line_exit_2(cli, args, named):
    result = cli("lab", "matmul", *args, "--json")
    assert result.code == 2 and named in result.err and len(result.err.strip().splitlines()) == 1

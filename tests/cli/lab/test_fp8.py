"""``infraprep lab fp8``: same seed, same JSON; options validated before the work."""

import pytest


@pytest.mark.slow
def test_same_seed_same_json(cli):
    args = ("lab", "fp8", "--tokens", "32", "--channels", "256", "--seed", "4", "--json")
    first, second = cli(*args), cli(*args)
    assert first.code == 0, first.err
    assert first.out == second.out
    data = first.json()
    assert data["formats"]["e4m3"]["max_normal"] == 448 and len(data["roofline"]) == 14
    assert cli("lab", "fp8", "--tokens", "32", "--channels", "256", "--seed", "5", "--json").out != first.out


def test_table_and_plot(cli, tmp_path):
    result = cli("lab", "fp8", "--tokens", "32", "--channels", "256", "--gpu", "h200", "--plot", str(tmp_path / "r.png"))
    assert result.code == 0, result.err
    assert "FP8 roofline" in result.out and "delayed scaling clipped" in result.out and (tmp_path / "r.png").exists()


@pytest.mark.parametrize("args,named", [(["--quantize", "sometimes"], "--quantize"), (["--gpu", "h100"], "h100-sxm"),
                                        (["--outliers", "999"], "--outliers")])
def test_bad_options_exit_2(cli, args, named):
    result = cli("lab", "fp8", *args)
    assert result.code == 2 and named in result.err

"""``infraprep lab attention``: counted HBM traffic equals the closed forms; plot and input errors."""


def test_json(cli):
    result = cli("lab", "attention", "--n", "64", "--head-dim", "16", "--sram", "64", "--sram", "256", "--causal",
                 "--no-triton", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [r["sram_elements"] for r in data["hbm_accesses"]] == [64, 256]
    for row in data["hbm_accesses"]:
        assert row["counted_kv_outer"] == row["flash_kv_outer"] and row["counted_q_outer"] == row["flash_q_outer"]
    assert data["backward_vs_torch_autograd"]["passed"] and data["causal"] is True


def test_same_seed_same_json(cli):
    args = ("lab", "attention", "--n", "32", "--head-dim", "8", "--sram", "64", "--no-triton", "--seed", "3", "--json")
    assert cli(*args).out == cli(*args).out


def test_table_and_plot(cli, tmp_path):
    plot = tmp_path / "io.svg"
    result = cli("lab", "attention", "--n", "32", "--head-dim", "8", "--sram", "64", "--no-triton", "--plot", str(plot))
    assert result.code == 0, result.err
    assert "HBM accesses" in result.out and plot.exists()


def test_errors_before_any_work(cli, tmp_path):
    bad_plot = cli("lab", "attention", "--plot", str(tmp_path / "io.gif"))
    assert bad_plot.code == 2 and "--plot" in bad_plot.err
    small = cli("lab", "attention", "--head-dim", "64", "--sram", "100")
    assert small.code == 2 and "--sram=100" in small.err and "256" in small.err

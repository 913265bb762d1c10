"""``infraprep calc kv-cache``: the contract, presets, GPU capacity, and a fuzz that never sees a traceback."""


from hypothesis import strategies as st

from tests.cli.one_line import assert_one_line_error


def test_contract_keys_and_values(cli):
    r = cli("calc", "kv-cache", "--layers", "40", "--kv-heads", "40", "--head-dim", "128", "--dtype-bytes", "2",
            "--tokens", "2048", "--batch", "1", "--tp", "1", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["bytes_per_token"] == 819200  # vLLM §3: 800 KB per OPT-13B token
    assert data["total_bytes"] == 819200 * 2048
    mla = cli("calc", "kv-cache", "--layers", "40", "--kv-heads", "40", "--head-dim", "128", "--dtype-bytes", "2",
              "--tokens", "2048", "--latent-dim", "512", "--rope-dim", "64", "--json").json()
    assert mla["bytes_per_token"] == 40 * 576 * 2 and mla["variant"] == "MLA"


def test_preset_and_gpu(cli):
    data = cli("calc", "kv-cache", "--model", "llama3-8b", "--tokens", "8192", "--gpu", "h100-sxm", "--json").json()
    assert data["bytes_per_token"] == 2 * 32 * 8 * 128 * 2
    budget = 80e9 * 0.9 - 8_030_261_248 * 2
    assert data["kv_budget_bytes"] == budget and data["max_sequences"] == int(budget // (131072 * 8192))
    table = cli("calc", "kv-cache", "--model", "llama3-8b", "--gpu", "h100-sxm")
    assert table.code == 0 and "max concurrent sequences" in table.out and "derivation" in table.out


def test_errors_are_one_line_exit_2(cli):
    for args, needle in [
        (("--layers", "40"), "missing --kv-heads, --head-dim"),
        (("--model", "llama"), "unknown model"),
        (("--model", "llama3-8b", "--gpu", "h100"), "did you mean h100-sxm"),
        (("--layers", "4", "--kv-heads", "8", "--head-dim", "64", "--gpu", "h100-sxm"), "--params"),
        (("--model", "opt-13b", "--mem-util", "150%"), "fraction"),
        (("--model", "opt-13b", "--tp", "3"), "--tp=3"),
    ]:
        assert_one_line_error(cli("calc", "kv-cache", *args), needle)


OPTIONS = ["--layers", "--kv-heads", "--head-dim", "--heads", "--latent-dim", "--rope-dim", "--dtype-bytes", "--tokens",
           "--batch", "--tp", "--window", "--gpu", "--params", "--weight-bytes", "--mem-util", "--reserve", "--model"]
VALUES = st.one_of(
    st.integers(-3, 10**30).map(str), st.sampled_from(["0", "nan", "inf", "-inf", "1e400", "0.5", "2", "8", "16GiB",
                                                        "13B", "90%", "h100-sxm", "llama3-8b", "deepseek-v3", "", "x"]),
    st.text(max_size=6),
)







"""``infraprep calc collective`` / ``calc crossover``: the contract, bad input, a fuzz, start-up time."""


import pytest

CONTRACT = ("calc", "collective", "--op", "allreduce", "--algo", "ring", "--ranks", "8", "--bytes", "1e9",
            "--bandwidth", "450e9", "--alpha", "5e-6", "--json")


def test_help_names_match_the_model():
    from infraprep.calc.collectives import ALGORITHMS, OPS
    from infraprep.cli.calc import collectives as cmd

    assert cmd.OPS == OPS
    assert set(cmd.ALL_ALGOS) == {a for algos in ALGORITHMS.values() for a in algos}


def test_contract_json(cli):
    r = cli(*CONTRACT)
    assert r.code == 0, r.err
    d = r.json()
    # 2(p-1)α + 2(p-1)/p·S/B with p = 8, S = 1e9, B = 450e9 (Patarasuk & Yuan 2009 §3).
    t = 14 * 5e-6 + 1.75 * 1e9 / 450e9
    assert d["time_s"] == pytest.approx(t)
    assert d["algbw"] == pytest.approx(1e9 / t)
    assert d["busbw_factor"] == 1.75
    assert d["busbw"] == pytest.approx(1.75e9 / t)


def test_table_shows_the_derivation(cli):
    r = cli("calc", "collective", "--algo", "tree", "--bandwidth", "450GB/s", "--alpha", "5us")
    assert r.code == 0, r.err
    assert "busbw" in r.out and "⌈lg p⌉α" in r.out


def test_gpu_catalogue_supplies_the_links(cli):
    # H100 SXM: NVLink 450 GB/s per direction, 8 per node, 50 GB/s NIC (calc/hardware.py sources).
    d = cli("calc", "collective", "--algo", "hier", "--ranks", "16", "--gpu", "h100-sxm", "--bytes", "1GB",
            "--alpha", "0", "--inter-alpha", "0", "--json").json()
    assert d["time_s"] == pytest.approx(2 * 7 / 8 * 1e9 / 450e9 + 2 * 1 / 2 * (1e9 / 8) / 50e9)


def test_crossover_command(cli):
    d = cli("calc", "crossover", "--ranks", "8", "--bandwidth", "450e9", "--alpha", "5e-6", "--json").json()
    assert d["crossover_bytes"] == pytest.approx(8 * 4 * 5e-6 * 450e9)
    assert (d["faster_below"], d["faster_above"]) == ("tree", "ring")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("--algo", "tree", "--op", "alltoall", "--bandwidth", "1e9"), "--algo='tree' is not valid: expected one of ring, rhd"),
        (("--ranks", "1", "--bandwidth", "1e9"), "--ranks=1"),
        (("--bandwidth", "fast"), "Invalid value for '--bandwidth'"),
        (("--gpu", "h100", "--ranks", "8"), "did you mean h100-sxm"),
        ((), "give --bandwidth"),
    ],
)
def test_bad_input_is_one_line_exit_2(cli, args, match):
    r = cli("calc", "collective", *args)
    assert r.code == 2
    assert match in r.err and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err






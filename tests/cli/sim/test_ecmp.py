"""``infraprep sim ecmp``: JSON contract, seed determinism, plot, bad input."""

import pytest


def test_json_compares_policies_and_matches_closed_form(cli):
    r = cli("sim", "ecmp", "--trials", "20000", "--policy", "ecmp,spray", "--seed", "3", "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["closed_form_idle_fraction"] == pytest.approx((15 / 16) ** 16)
    assert d["policies"]["ecmp"]["idle_uplink_fraction"] == pytest.approx((15 / 16) ** 16, rel=0.02)
    assert d["policies"]["spray"]["slowdown"]["p99"] == pytest.approx(1.0)


def test_same_seed_same_output(cli):
    args = ("sim", "ecmp", "--trials", "300", "--policy", "ecmp,flowlet", "--json")
    first, second = cli(*args, "--seed", "5"), cli(*args, "--seed", "5")
    assert first.out == second.out
    assert cli(*args, "--seed", "6").out != first.out


def test_table_and_plot(cli, tmp_path):
    path = tmp_path / "ecmp.svg"
    r = cli("sim", "ecmp", "--trials", "200", "--plot", str(path))
    assert r.code == 0, r.err
    assert "adaptive" in r.out and "(1−1/m)^(n·q)" in r.out
    assert path.read_text().startswith("<?xml")


@pytest.mark.parametrize(("args", "match"), [
    (("--policy", "hash"), "--policy='hash'"), (("--flows", "0"), "--flows=0"),
    (("--link-bandwidth", "fast"), "Invalid value for '--link-bandwidth'"),
    (("--plot", "out.xyz"), "--plot='out.xyz'"), (("--plot", "no/such/dir/out.png"), "existing directory"),
])
def test_bad_input_one_line_exit_2(cli, args, match):
    r = cli("sim", "ecmp", *args)
    assert r.code == 2 and match in r.err and len(r.err.strip().splitlines()) == 1

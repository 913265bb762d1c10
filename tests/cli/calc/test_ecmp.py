"""``infraprep calc ecmp``: the contract, the derivation in the table, bad input."""

import math

import pytest


def test_contract_json(cli):
    r = cli("calc", "ecmp", "--flows", "8", "--uplinks", "8", "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["subflows"] == 8
    assert d["idle_links"] == pytest.approx(8 * (7 / 8) ** 8)  # m(1 − 1/m)^n
    assert d["perfect_balance_probability"] == pytest.approx(math.factorial(8) / 8**8)  # 8!/8^8
    assert d["max_load"]["mean"] == pytest.approx(d["slowdown"]["mean"])  # q = 1, n = m: slowdown = K
    assert "hash" in d["conventions"]


def test_qps_split_each_connection(cli):
    d = cli("calc", "ecmp", "--flows", "8", "--uplinks", "8", "--qps", "16", "--json").json()
    assert d["subflows"] == 128 and d["fair_share"] == 16
    assert d["idle_links"] == pytest.approx(8 * (7 / 8) ** 128)
    assert 1 < d["slowdown"]["mean"] < cli("calc", "ecmp", "--json").json()["slowdown"]["mean"]


def test_table_shows_the_derivation(cli):
    r = cli("calc", "ecmp", "--flows", "16", "--uplinks", "16")
    assert r.code == 0, r.err
    assert "m(1 − 1/m)^N" in r.out and "Mitzenmacher" in r.out


@pytest.mark.parametrize(
    ("args", "match"),
    [(("--flows", "0"), "--flows=0"), (("--uplinks", "5000"), "--uplinks=5000"),
     (("--flows", "64", "--qps", "64"), "--flows=64"), (("--qps", "x"), "Invalid value for '--qps'")],
)
def test_bad_input_is_one_line_exit_2(cli, args, match):
    r = cli("calc", "ecmp", *args)
    assert r.code == 2 and match in r.err and r.err.count("\n") == 1, r.err

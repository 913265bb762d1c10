"""calc/ecmp: exact balls-into-bins statistics against brute-force enumeration, the birthday formula, the
Monte Carlo of ``sim ecmp`` (an independent max-min fluid simulation), and laws."""

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.calc.ecmp import MAX_SUBFLOWS, ecmp_bins, max_load_cdf
from infraprep.errors import InvalidValue


def _enumerate(balls: int, bins: int, qps: int = 1, flows: int | None = None):
    """Every equally likely hash assignment: exact E[K], P(K = k), E[slowdown] as fractions."""
    flows = balls // qps if flows is None else flows
    loads, slow = {}, Fraction(0)
    for choice in itertools.product(range(bins), repeat=balls):
        k = max(choice.count(b) for b in range(bins))
        loads[k] = loads.get(k, 0) + 1
        slow += Fraction(max(k, qps), qps) / max(Fraction(1), Fraction(flows, bins))
    total = bins**balls
    mean = Fraction(sum(k * c for k, c in loads.items()), total)
    return mean, {k: Fraction(c, total) for k, c in loads.items()}, slow / total


@pytest.mark.parametrize(("flows", "uplinks"), [(1, 1), (3, 1), (2, 2), (4, 3), (5, 4), (6, 2), (3, 5), (7, 3)])
def test_matches_brute_force_enumeration(flows, uplinks):
    mean, dist, slow = _enumerate(flows, uplinks)
    r = ecmp_bins(flows, uplinks)
    assert r.expected_max == pytest.approx(float(mean), rel=1e-12)
    assert dict(r.distribution()) == pytest.approx({k: float(p) for k, p in dist.items()}, rel=1e-9)
    assert r.expected_slowdown == pytest.approx(float(slow), rel=1e-12)


@pytest.mark.parametrize(("flows", "uplinks", "qps"), [(2, 2, 2), (2, 3, 3), (3, 2, 2), (1, 4, 4)])
def test_subflows_per_connection_match_enumeration(flows, uplinks, qps):
    # q subflows of B/q each: the busiest uplink's K finish at K·B/(qC), no connection beats B/C
    _, _, slow = _enumerate(flows * qps, uplinks, qps, flows)
    assert ecmp_bins(flows, uplinks, qps).expected_slowdown == pytest.approx(float(slow), rel=1e-12)


@pytest.mark.parametrize(("flows", "uplinks"), [(8, 8), (16, 16), (4, 32), (10, 12)])
def test_perfect_balance_is_the_birthday_probability_when_n_le_m(flows, uplinks):
    # no two subflows share an uplink: m!/((m − n)!·m^n) (Mitzenmacher & Upfal §5.1)
    assert ecmp_bins(flows, uplinks).perfect_balance == pytest.approx(math.perm(uplinks, flows) / uplinks**flows,
                                                                      rel=1e-9)


def test_idle_uplinks_tend_to_one_over_e():
    # n = m: m(1 − 1/m)^m / m → 1/e (Mitzenmacher & Upfal §5.2)
    assert ecmp_bins(1024, 1024).idle_fraction == pytest.approx(math.exp(-1), rel=1e-3)
    assert ecmp_bins(8, 8).idle_links == pytest.approx(8 * (7 / 8) ** 8)


@pytest.mark.slow
@pytest.mark.parametrize(("flows", "uplinks", "qps", "trials"), [(8, 8, 1, 200_000), (4, 4, 4, 3000), (8, 8, 16, 400)])
def test_agrees_with_the_monte_carlo_of_sim_ecmp(flows, uplinks, qps, trials):
    # sim ecmp draws hashes and runs max-min fairness (closed form per trial for q = 1, the fluid
    # event simulator otherwise): an independent implementation of the same model
    from infraprep.sim.ecmp import EcmpConfig, simulate

    sim = simulate(EcmpConfig(flows=flows, uplinks=uplinks, qps=qps, policy="ecmp", trials=trials, seed=3)).to_dict()
    exact = ecmp_bins(flows, uplinks, qps)
    dist = exact.distribution()
    var = sum(p * (exact.slowdown(k) - exact.expected_slowdown) ** 2 for k, p in dist)
    spread = 4 * math.sqrt(var / trials)  # 4 standard errors of the sampled mean, from the exact distribution
    assert sim["slowdown"]["mean"] == pytest.approx(exact.expected_slowdown, abs=spread)
    assert sim["mean_max_subflows_per_uplink"] == pytest.approx(exact.expected_max, rel=0.02)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 4))
def test_laws(flows, uplinks, qps):
    if flows * qps > 64 * uplinks and uplinks > 1:
        return
    r = ecmp_bins(flows, uplinks, qps)
    n = flows * qps
    assert math.ceil(n / uplinks) <= r.expected_max <= n
    assert r.expected_slowdown >= 1 - 1e-12
    cdf = [p for _, p in r.cdf]
    assert cdf == sorted(cdf) and cdf[-1] == pytest.approx(1.0, abs=1e-9)
    assert sum(p for _, p in r.distribution()) == pytest.approx(1.0, abs=1e-6)
    assert 0 <= r.idle_links <= uplinks - (1 if n else 0)
    # one more subflow can only make the busiest uplink busier
    if n + 1 <= min(MAX_SUBFLOWS, 64 * uplinks):
        assert ecmp_bins(n + 1, uplinks).expected_max >= ecmp_bins(n, uplinks).expected_max - 1e-9


def test_cdf_edges():
    assert max_load_cdf(8, 8, 0) == 0.0 and max_load_cdf(8, 8, 8) == 1.0
    assert max_load_cdf(9, 4, 2) == 0.0  # 9 balls cannot fit 4 bins of 2


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"flows": 0, "uplinks": 8}, "--flows"), ({"flows": 8, "uplinks": 0}, "--uplinks"),
    ({"flows": 8, "uplinks": 8, "qps": 0}, "--qps"), ({"flows": 2000, "uplinks": 64}, "--flows"),
    ({"flows": 8, "uplinks": 8, "qps": 100}, "--flows"), ({"flows": True, "uplinks": 8}, "--flows"),
])
def test_bad_input_names_the_option(kwargs, name):
    with pytest.raises(InvalidValue, match=name):
        ecmp_bins(**kwargs)

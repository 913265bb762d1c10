"""Metrics on a hand-made trace: exact percentiles, weighted ITL, goodput against the SLA."""

import pytest

from infraprep.sim.inference.metrics import MetricsCollector


def test_hand_made_trace():
    m = MetricsCollector()
    # (arrival, first token, finish, prompt, output, cached)
    m.finished(0.0, 0.5, 2.5, 100, 5, 0)  # TTFT 0.5, TPOT (2.5-0.5)/4 = 0.5
    m.finished(1.0, 1.1, 1.5, 100, 5, 50)  # TTFT 0.1, TPOT 0.1
    m.finished(2.0, 5.0, 5.3, 100, 4, 50)  # TTFT 3.0 (misses a 2 s SLO), TPOT 0.1
    m.finished(3.0, 3.2, 3.2, 100, 1, 0)  # one token: no TPOT
    m.itl(0.01, 98)
    m.itl(1.0, 2)  # 2 % of tokens waited 1 s
    m.iteration(2.0, 0.5, 0.25, 10)
    m.iteration(2.0, 1.0, 0.0, 30)
    s = m.summary(ttft_slo=2.0, itl_slo=0.2, makespan=10.0)
    assert s.completed == 4 and s.output_tokens == 15 and s.throughput == 1.5
    assert s.ttft["p50"] == pytest.approx(0.35)  # median of 0.1, 0.2, 0.5, 3.0
    assert s.tpot["p50"] == pytest.approx(0.1)
    assert s.itl["p50"] == 0.01 and s.itl["p99"] == 1.0  # the token-weighted tail
    assert s.goodput == pytest.approx(2 / 10)  # the 2nd and 4th meet both SLOs; the 1st's TPOT is 0.5
    assert s.sla_attainment == 0.5
    assert s.cached_fraction == 0.25
    assert (s.kv_utilization, s.fragmentation, s.mean_running, s.max_running) == (0.75, 0.125, 20.0, 30)

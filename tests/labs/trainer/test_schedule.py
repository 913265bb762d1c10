"""GPipe and 1F1B as op lists: complete, ordered, bounded, deadlock-free, with the closed-form bubble."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.labs.trainer.schedule import gpipe, in_flight_peak, one_f_one_b, schedule, timeline


def test_1f1b_of_narayanan_fig_4_stage_0():
    # Narayanan et al. 2021 Fig. 4 (p = 4): stage 0 warms up with 3 forwards, then alternates.
    assert one_f_one_b(4, 0, 8)[:6] == [("F", 0), ("F", 1), ("F", 2), ("F", 3), ("B", 0), ("F", 4)]
    assert one_f_one_b(4, 3, 8)[:4] == [("F", 0), ("B", 0), ("F", 1), ("B", 1)]  # last stage: no warm-up


@given(st.integers(1, 6), st.integers(1, 12), st.sampled_from(["gpipe", "1f1b"]))
def test_every_micro_batch_once_forward_before_backward(pp, m, name):
    for stage in range(pp):
        ops = schedule(name, pp, stage, m)
        assert sorted(ops) == sorted([("F", i) for i in range(m)] + [("B", i) for i in range(m)])
        assert all(ops.index(("F", i)) < ops.index(("B", i)) for i in range(m))
        assert ops[-1] == ("B", m - 1)  # the DP buckets arm before it
        peak = in_flight_peak(ops)
        assert peak == (m if name == "gpipe" else min(pp - stage, m))  # Narayanan et al. 2021 §2.2.1


@given(st.integers(1, 6), st.integers(1, 12), st.sampled_from(["gpipe", "1f1b"]),
       st.floats(0.5, 4.0), st.floats(0.5, 4.0))
def test_timeline_matches_the_bubble_closed_form(pp, m, name, t_f, t_b):
    # Narayanan et al. 2021 §2.2: a step takes (m + p − 1)(t_f + t_b); the idle share is (p−1)/(m+p−1).
    makespan, idle = timeline(name, pp, m, t_f, t_b)
    assert makespan == pytest.approx((m + pp - 1) * (t_f + t_b))
    assert idle[0] / makespan == pytest.approx((pp - 1) / (m + pp - 1))


def test_timeline_detects_a_deadlock(monkeypatch):
    import infraprep.labs.trainer.schedule as sched

    # broken: stage 0 starts with B(0), which needs stage 1's B(0), which needs F(0) from stage 0
    monkeypatch.setattr(sched, "one_f_one_b", lambda pp, s, m: [("B", 0), ("F", 0)] if s == 0 else gpipe(m))
    with pytest.raises(RuntimeError, match="deadlock"):
        timeline("1f1b", 2, 1)

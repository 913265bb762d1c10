"""Closed-form pipeline bubbles and memory factors (calc/bubble.py), worked by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.bubble import PipelineConfig, StageTimes, bubble, closed_form_exact
from infraprep.calc.result import CalcResult
from infraprep.errors import InvalidValue, UnknownName


def result(schedule, pp, m, chunks=1, f=1.0, b=2.0, w=None, fb=None, denominator="ideal"):
    return bubble(PipelineConfig(schedule, pp, m, chunks, StageTimes(f, b, w, fb), denominator))


def test_1f1b_worked_example():
    # p = 8, m = 32, F = 1, B = 2: bubble 7·3 = 21 of an ideal 32·3 = 96.
    r = result("1f1b", 8, 32)
    assert isinstance(r, CalcResult)
    assert r.bubble_time == 21
    assert r.bubble_fraction == pytest.approx(7 / 32)
    assert result("1f1b", 8, 32, denominator="total").bubble_fraction == pytest.approx(21 / 117)
    assert (r.param_memory_factor, r.activation_memory_microbatches) == (1, 8)
    assert "(8−1)(1+2) = 21" in r.explain()


def test_gpipe_holds_every_microbatch():
    r = result("gpipe", 4, 16)
    assert r.bubble_time == 9 and r.activation_memory_microbatches == 16


def test_interleaved_divides_the_bubble_by_v():
    # Each of v = 2 chunks is half a stage: bubble 3·3/2 = 4.5, fraction 3/(2·8).
    r = result("interleaved", 4, 8, chunks=2)
    assert r.bubble_time == 4.5
    assert r.bubble_fraction == pytest.approx(3 / 16)
    assert r.activation_memory_microbatches == pytest.approx(4 + 3 / 2)
    assert result("interleaved", 4, 4, chunks=2).activation_memory_microbatches == 4  # m = p: all forwards first


def test_zb1p_and_dualpipe_and_dualpipev():
    assert result("zb1p", 8, 32).bubble_time == 7 * (1 + 2 - 2)
    dp = result("dualpipe", 8, 32)
    assert dp.bubble_time == 3 * (3 + 2 - 3)
    assert (dp.param_memory_factor, dp.activation_memory_microbatches) == (2, 9)
    assert result("dualpipe", 8, 32, fb=2.5).bubble_time == pytest.approx(3 * (2.5 + 2 - 3))
    v = result("dualpipev", 8, 16)
    assert v.bubble_time == dp.bubble_time
    assert v.config.devices == 4
    # Two stages per device: the ideal compute doubles, so the fraction halves against DualPipe's.
    assert v.bubble_fraction == pytest.approx(6 / (2 * 16 * 3))


def test_json_is_si_with_conventions():
    d = result("1f1b", 4, 8, f=0.01, b=0.02, w=0.005).to_dict()
    assert d["bubble_time"] == pytest.approx(3 * 0.03)
    assert 0 <= d["bubble_fraction"] <= 1
    assert d["conventions"]["denominator"] == "ideal"
    assert {"bubble_time", "bubble_fraction", "param_memory_factor", "activation_memory_microbatches"} <= set(d)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(schedule="pipedream", pp=4, m=8), "unknown schedule 'pipedream'"),
        (dict(schedule="1f1b", pp=0, m=8), "--pp=0"),
        (dict(schedule="1f1b", pp=4, m=0), "--microbatches=0"),
        (dict(schedule="interleaved", pp=4, m=6, chunks=2), "multiple of --pp=4"),
        (dict(schedule="interleaved", pp=4, m=8, chunks=1), "at least 2 model chunks"),
        (dict(schedule="1f1b", pp=4, m=8, chunks=2), "only the interleaved"),
        (dict(schedule="dualpipe", pp=5, m=20), "even number of stages"),
        (dict(schedule="dualpipe", pp=4, m=6), "≥ 2·pp=8"),
        (dict(schedule="dualpipev", pp=8, m=6), "at least pp=8"),
        (dict(schedule="1f1b", pp=4, m=8, w=3.0), "--w=3.0"),
        (dict(schedule="1f1b", pp=4, m=8, f=-1.0), "--f=-1.0"),
        (dict(schedule="dualpipe", pp=4, m=8, fb=1.5), "between max"),
        (dict(schedule="1f1b", pp=4, m=8, denominator="wall"), "unknown denominator"),
    ],
)
def test_bad_input_names_the_value(kwargs, match):
    with pytest.raises((InvalidValue, UnknownName), match=match):
        kwargs = dict(kwargs)
        result(kwargs.pop("schedule"), kwargs.pop("pp"), kwargs.pop("m"), **kwargs)


def test_exactness_flags():
    assert closed_form_exact(PipelineConfig("zb1p", 4, 8))[0]
    assert not closed_form_exact(PipelineConfig("zb1p", 4, 3))[0]  # m < p
    assert not closed_form_exact(PipelineConfig("zb1p", 4, 8, times=StageTimes(1, 2, 1.5)))[0]
    assert closed_form_exact(PipelineConfig("dualpipe", 8, 16, times=StageTimes(1, 2, 1, 2.5)))[0]
    ok, why = closed_form_exact(PipelineConfig("dualpipe", 8, 16, times=StageTimes(2, 2, 1)))
    assert not ok and "F=2 ≠ B−W=1" in why
    assert "not exact" in result("zb1p", 4, 3).explain()


@given(st.sampled_from(["gpipe", "1f1b", "zb1p"]), st.integers(1, 64), st.integers(1, 512))
def test_fraction_denominators_are_consistent(schedule, p, m):
    ideal, total = result(schedule, p, m), result(schedule, p, m, denominator="total")
    # total = bubble / (ideal + bubble) = x / (1 + x) with x the ideal fraction
    x = ideal.bubble_fraction
    assert total.bubble_fraction == pytest.approx(x / (1 + x))
    assert 0 <= total.bubble_fraction < 1


@given(st.integers(1, 32), st.integers(1, 8), st.integers(1, 64))
def test_more_microbatches_never_raise_the_fraction(p, v, k):
    m = p * k
    a = result("interleaved", p, m, chunks=v + 1)
    b = result("interleaved", p, m + p, chunks=v + 1)
    assert b.bubble_fraction <= a.bubble_fraction
    assert result("interleaved", p, m, chunks=v + 2).bubble_time <= a.bubble_time

"""calc/mtbf.py: job failure rate from observations, per-GPU rates or components; 1/N scaling."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.checkpoint import daly_interval, goodput
from infraprep.calc.mtbf import Component, MtbfInputs, job_mtbf, preset
from infraprep.errors import InvalidValue, UnknownName


def test_observed_rate_by_hand():
    r = job_mtbf(MtbfInputs(gpus=1000, failures=10, window_hours=100))
    assert r.job_rate_per_hour == pytest.approx(0.1)
    assert r.mtbf_hours == pytest.approx(10.0)
    assert r.per_gpu_rate_per_hour == pytest.approx(1e-4)
    assert r.to_dict()["interruptions_per_day"] == pytest.approx(2.4)


def test_per_gpu_rate_and_components_add():
    by_gpu = job_mtbf(MtbfInputs(gpus=2000, per_gpu_rate_per_hour=5e-5))
    assert by_gpu.mtbf_hours == pytest.approx(10.0)
    parts = job_mtbf(MtbfInputs(components=(Component("gpu", 2000, 4e-5), Component("nic", 250, 8e-5))))
    assert parts.job_rate_per_hour == pytest.approx(2000 * 4e-5 + 250 * 8e-5)  # 0.08 + 0.02
    assert parts.mtbf_hours == pytest.approx(10.0)
    assert parts.per_gpu_rate_per_hour is None and parts.scaling == ()


@given(st.integers(1, 10**6), st.floats(1e-7, 1e-2), st.lists(st.integers(1, 10**6), min_size=2, max_size=6))
def test_mtbf_scales_as_one_over_n(gpus, rate, counts):
    r = job_mtbf(MtbfInputs(gpus=gpus, per_gpu_rate_per_hour=rate, scale_gpus=tuple(counts)))
    products = [row.mtbf_hours * row.gpus for row in r.scaling]
    assert all(p == pytest.approx(1 / rate, rel=1e-9) for p in products)


def test_goodput_uses_dalys_interval_and_falls_with_scale():
    r = job_mtbf(MtbfInputs(gpus=16384, per_gpu_rate_per_hour=2e-5, write_time_s=60, restart_s=600))
    mtbf_s = 3600 / (16384 * 2e-5)
    assert r.interval_s == pytest.approx(daly_interval(60, mtbf_s))
    assert r.goodput == pytest.approx(goodput(r.interval_s, 60, mtbf_s, 600))
    goodputs = [row.goodput for row in r.scaling]
    assert goodputs == sorted(goodputs, reverse=True)
    fixed = job_mtbf(MtbfInputs(gpus=16384, per_gpu_rate_per_hour=2e-5, write_time_s=60, interval_s=600))
    assert fixed.interval_s == 600 and all(row.interval_s == 600 for row in fixed.scaling)


def test_preset_and_gpu_override():
    r = job_mtbf(preset("LLAMA3"))
    assert r.mtbf_hours == pytest.approx(1296 / 419)
    d = r.to_dict()
    assert sum(c["count"] for c in d["causes"]) == 419
    assert sum(c["rate_per_hour"] for c in d["causes"]) == pytest.approx(r.job_rate_per_hour)
    # Same observed job rate, spread over twice the GPUs: half the per-GPU rate.
    assert job_mtbf(preset("llama3", gpus=32768)).per_gpu_rate_per_hour == pytest.approx(
        r.per_gpu_rate_per_hour / 2)
    with pytest.raises(UnknownName, match="llama3"):
        preset("llama")


@pytest.mark.parametrize("kwargs, option", [
    (dict(gpus=10), "rate source"),
    (dict(gpus=10, failures=3, window_hours=5, per_gpu_rate_per_hour=1e-3), "rate source"),
    (dict(gpus=10, failures=3), "--window-hours"),
    (dict(gpus=10, failures=0, window_hours=5), "--failures"),
    (dict(failures=3, window_hours=5), "--gpus"),
    (dict(gpus=-1, failures=3, window_hours=5), "--gpus"),
    (dict(gpus=10.5, failures=3, window_hours=5), "--gpus"),
    (dict(gpus=10, failures=3, window_hours=float("nan")), "--window-hours"),
    (dict(gpus=10, per_gpu_rate_per_hour=1e-3, interval_s=60), "--write-time"),
    (dict(gpus=10, per_gpu_rate_per_hour=1e-3, restart_s=-1), "--restart"),
    (dict(gpus=10, per_gpu_rate_per_hour=1e-3, scale_gpus=(0,)), "--scale"),
])
def test_invalid_inputs_name_the_option(kwargs, option):
    with pytest.raises(InvalidValue, match=option):
        MtbfInputs(**kwargs)


def test_component_validation_and_overflowing_rates():
    with pytest.raises(InvalidValue, match="--component"):
        Component("gpu", 0, 1e-5)
    with pytest.raises(InvalidValue, match="--component"):
        Component("gpu", 10, -1)
    with pytest.raises(InvalidValue, match="rate"):
        job_mtbf(MtbfInputs(components=(Component("a", 1e308, 1e308),)))
